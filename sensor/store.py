"""The sensor's Redis: incidents under the contract's keys, and what it needs to resume after a restart.

Incidents follow ``core.contracts.sensor`` (JSON kept ``HISTORY_DAYS``, the open hash, the history sorted set).
The sensor's own keys:

* ``BASELINE``: the baseline as JSON (``Baseline.to_dict``), rewritten when an hour was learnt;
* ``DETECTOR``: the detector's windows and hour tallies as JSON (``Detector.state``);
* ``FOLLOWUPS``: set of incident ids cleared whose subscribers are not yet handed on (Redis only: done at once);
* ``NOC_FOLLOWUPS``: set of incident ids handed on whose NOC record is not yet cleared, or whose real alarm is not
  yet checked for a clear that came before its new subscribers (retried while the NOC is unreachable);
* ``LEASE``: held by the one sensor that runs (a second waits as a spare);
* ``DEAD_LETTERS``: stream of diagnoses that could not be read (capped), ``DEAD_COUNT`` how many ever.

A batch of diagnoses is committed in one transaction with its acknowledgement: incidents, detector state and
``XACK`` together, so a crash either replays the batch from the pending list or has applied all of it.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from core.contracts.sensor import HISTORY_DAYS, INCIDENT_HISTORY, INCIDENT_KEY, OPEN_INCIDENTS, Incident
from core.incident_board import incident
from core.redis.connect import text
from sensor.baseline import Baseline

BASELINE = "triage:sensor:baseline"
DETECTOR = "triage:sensor:detector"
FOLLOWUPS = "triage:sensor:followups"
NOC_FOLLOWUPS = "triage:sensor:noc_followups"
LEASE = "triage:sensor:lease"
DEAD_LETTERS = "triage:sensor:diagnoses:dead"
DEAD_COUNT = "triage:sensor:diagnoses:dead_count"
DEAD_LETTERS_MAXLEN = 10_000
CONSUMER_GROUP = "sensor"
KEEP_S = HISTORY_DAYS * 86400


class SensorStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def load(self) -> tuple[Baseline | None, dict[str, Any] | None, list[Incident]]:
        """What the last run left: its baseline, its detector state and the open incidents."""
        raw_baseline = await self.redis.get(BASELINE)
        baseline = Baseline.from_dict(_json(raw_baseline)) if raw_baseline else None
        raw_state = await self.redis.get(DETECTOR)
        ids = [text(raw) for raw in (await self.redis.hgetall(OPEN_INCIDENTS)).values()]
        found = [await incident(self.redis, incident_id) for incident_id in ids]
        return baseline, _json(raw_state) if raw_state else None, [i for i in found if i and i.state == "open"]

    async def commit(
        self,
        incidents: list[Incident],
        state: dict[str, Any] | None,
        ack: tuple[str, list[str]] | None = None,
        baseline: Baseline | None = None,
    ) -> None:
        """Write incidents in order (an incident cleared and its key's next one opened in one batch stay right),
        the detector state, the baseline if given, and acknowledge ``ack`` (stream, entry ids), atomically."""
        async with self.redis.pipeline(transaction=True) as pipe:
            for found in incidents:
                _write(pipe, found)
            if state is not None:
                pipe.set(DETECTOR, _dumps(state))
            if baseline is not None:
                pipe.set(BASELINE, _dumps(baseline.to_dict()))
            if ack and ack[1]:
                pipe.xack(ack[0], CONSUMER_GROUP, *ack[1])
            await pipe.execute()

    async def save(self, found: Incident) -> None:
        """One incident's record changed outside a batch (its NOC reference), nothing else about it."""
        await self.redis.set(INCIDENT_KEY.format(id=found.id), found.model_dump_json(exclude={"told"}), ex=KEEP_S)

    async def incident(self, incident_id: str) -> Incident | None:
        return await incident(self.redis, incident_id)

    async def followups(self) -> list[str]:
        return sorted(text(m) for m in await self.redis.smembers(FOLLOWUPS))

    async def followed_up(self, incident_id: str, noc_work: bool) -> None:
        """Subscribers handed on; the NOC's part (if any) left to :meth:`noc_followups`."""
        async with self.redis.pipeline(transaction=True) as pipe:
            if noc_work:
                pipe.sadd(NOC_FOLLOWUPS, incident_id)
            pipe.srem(FOLLOWUPS, incident_id)
            await pipe.execute()

    async def noc_followups(self) -> list[str]:
        return sorted(text(m) for m in await self.redis.smembers(NOC_FOLLOWUPS))

    async def noc_followed_up(self, incident_id: str) -> None:
        await self.redis.srem(NOC_FOLLOWUPS, incident_id)

    async def dead_letter(self, entry_id: str, fields: dict[bytes, bytes], reason: str) -> None:
        body = {"id": entry_id, "reason": reason[:200], "d": fields.get(b"d", b"")[:4000]}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(DEAD_LETTERS, body, maxlen=DEAD_LETTERS_MAXLEN, approximate=True)  # type: ignore[arg-type]
            pipe.incr(DEAD_COUNT)
            await pipe.execute()


def _write(pipe: Any, found: Incident) -> None:
    pipe.set(INCIDENT_KEY.format(id=found.id), found.model_dump_json(exclude={"told"}), ex=KEEP_S)
    pipe.zadd(INCIDENT_HISTORY, {found.id: found.detected_at})
    pipe.zremrangebyscore(INCIDENT_HISTORY, "-inf", found.detected_at - KEEP_S)
    if found.state == "open":
        pipe.hset(OPEN_INCIDENTS, found.key, found.id)
    else:
        pipe.hdel(OPEN_INCIDENTS, found.key)
        pipe.sadd(FOLLOWUPS, found.id)


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"))


def _json(raw: bytes | str) -> dict[str, Any]:
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value
