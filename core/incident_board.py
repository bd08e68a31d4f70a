"""Reading the sensor's suspected incidents (``core.contracts.sensor``) from Redis: the action server asks
whether a diagnosis falls in an open one, the staff pages list them. Only the sensor process writes them."""

from __future__ import annotations

from redis.asyncio import Redis

from core.contracts.sensor import (
    HISTORY_DAYS,
    INCIDENT_HISTORY,
    INCIDENT_KEY,
    OPEN_INCIDENTS,
    TOLD_KEY,
    Diagnosis,
    Incident,
    grouping_keys,
)
from core.redis.connect import text


async def incident(redis: Redis, incident_id: str) -> Incident | None:
    raw = await redis.get(INCIDENT_KEY.format(id=incident_id))
    if raw is None:
        return None
    found = Incident.model_validate_json(raw)
    told = await redis.get(TOLD_KEY.format(id=incident_id))
    return found.model_copy(update={"told": int(told or 0)})


async def open_incident_for(redis: Redis, diagnosis: Diagnosis) -> Incident | None:
    """The open incident this diagnosis falls in (its node's before its area's), or ``None``."""
    keys = [key for _, _, key in grouping_keys(diagnosis)]
    if not keys:
        return None
    ids = await redis.hmget(OPEN_INCIDENTS, keys)
    for raw_id in ids:
        if raw_id is not None:
            found = await incident(redis, text(raw_id))
            if found is not None and found.state == "open":
                return found
    return None


async def open_incidents(redis: Redis) -> list[Incident]:
    """Every open incident, largest first."""
    ids = [text(raw) for raw in (await redis.hgetall(OPEN_INCIDENTS)).values()]
    found = [i for i in [await incident(redis, incident_id) for incident_id in ids] if i and i.state == "open"]
    return sorted(found, key=lambda i: (-i.contacts, i.detected_at))


async def recent_incidents(redis: Redis, since: float, limit: int = 200) -> list[Incident]:
    """Incidents detected since ``since`` (unix s), newest first, open and cleared."""
    ids = await redis.zrevrangebyscore(INCIDENT_HISTORY, "+inf", since, start=0, num=limit)
    return [i for i in [await incident(redis, text(raw)) for raw in ids] if i is not None]


async def count_told(redis: Redis, incident_id: str) -> int:
    """One more customer told "we're investigating" for this incident; returns the new count."""
    key = TOLD_KEY.format(id=incident_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, HISTORY_DAYS * 86400)
        told, _ = await pipe.execute()
    return int(told)
