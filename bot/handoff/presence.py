"""Agents' presence (online or away), the queues they serve, how many chats they hold, and opening hours.

An agent counts as online while their status is ``online`` and a console of theirs beat within
``handoff_presence_ttl_s``: a gateway that dies takes no presence with it, as nothing needs to be cleaned up.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from bot.handoff import keys
from bot.handoff.case import Queue
from core.settings import DAYS, Settings


@dataclass(frozen=True)
class AgentPresence:
    name: str
    status: str
    """``online`` or ``away`` (as the agent set it)."""
    connected: bool
    last_seen_ms: int
    queues: tuple[str, ...]
    role: str
    holding: int
    closed: bool = False

    @property
    def available(self) -> bool:
        return self.connected and self.status == "online"

    def gone_for_ms(self, now_ms: float, ttl_ms: float) -> float:
        """How long the agent has been disconnected: since a clean close, or since beats stopped (crash)."""
        if self.connected:
            return 0.0
        return now_ms - self.last_seen_ms if self.closed else now_ms - self.last_seen_ms - ttl_ms


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


class Presence:
    def __init__(self, redis: Redis, ttl_s: float) -> None:
        self._redis = redis
        self._ttl_ms = int(ttl_s * 1000)

    async def beat(self, name: str, role: str, queues: list[str], status: str | None = None) -> None:
        mapping = {"last_seen": int(time.time() * 1000), "queues": json.dumps(queues), "role": role, "closed": 0}
        if status:
            mapping["status"] = status
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.agent(name), mapping=mapping)  # type: ignore[arg-type]
            pipe.hsetnx(keys.agent(name), "status", "online")
            pipe.sadd(keys.AGENTS, name)
            await pipe.execute()

    async def left(self, name: str) -> None:
        """A console closed cleanly: disconnected now (another open console of theirs beats again within 5 s)."""
        await self._redis.hset(keys.agent(name), mapping={"last_seen": int(time.time() * 1000), "closed": 1})

    async def set_status(self, name: str, status: str) -> None:
        await self._redis.hset(keys.agent(name), "status", status)

    async def get(self, name: str) -> AgentPresence | None:
        raw = await self._redis.hgetall(keys.agent(name))
        return self._presence(name, raw, await self._redis.scard(keys.agent_cases(name))) if raw else None

    def _presence(self, name: str, raw: Mapping[bytes | str, bytes | str], holding: int) -> AgentPresence:
        fields = {_text(k): _text(v) for k, v in raw.items()}
        last_seen = int(fields.get("last_seen") or 0)
        return AgentPresence(
            name=name,
            status=fields.get("status") or "away",
            connected=fields.get("closed") != "1" and time.time() * 1000 - last_seen <= self._ttl_ms,
            last_seen_ms=last_seen,
            queues=tuple(json.loads(fields.get("queues") or "[]")),
            role=fields.get("role") or "agent",
            holding=int(holding),
            closed=fields.get("closed") == "1",
        )

    async def everyone(self) -> list[AgentPresence]:
        """Every agent's presence, read in one round trip."""
        names = sorted(_text(n) for n in await self._redis.smembers(keys.AGENTS))
        async with self._redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.hgetall(keys.agent(name))
                pipe.scard(keys.agent_cases(name))
            raw = await pipe.execute()
        return [self._presence(n, h, c) for n, h, c in zip(names, raw[::2], raw[1::2], strict=True) if h]

    async def available_for(self, queue: Queue) -> int:
        """Agents online now who serve ``queue``."""
        return sum(1 for p in await self.everyone() if p.available and queue.value in p.queues)


def open_now(settings: Settings, at: datetime | None = None) -> bool:
    """Whether agents take chats now: an open day, within the daily hours, in the configured time zone.

    Hours may run past midnight ("22:00-06:00"): then the night belongs to the day it started.
    """
    now = (at or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(settings.handoff_timezone))
    start, end = settings.handoff_opening_hours.split("-")
    opens = int(start[:2]) * 60 + int(start[3:])
    closes = int(end[:2]) * 60 + int(end[3:])
    minutes = now.hour * 60 + now.minute
    today = DAYS[now.weekday()] in settings.handoff_open_days
    if opens <= closes:
        return today and opens <= minutes < closes
    yesterday = DAYS[(now.weekday() - 1) % 7] in settings.handoff_open_days
    return (today and minutes >= opens) or (yesterday and minutes < closes)


def hours_text(settings: Settings) -> str:
    days = settings.handoff_open_days
    span = "every day" if len(days) == len(DAYS) else ", ".join(d.capitalize() for d in days)
    return f"{span}, {settings.handoff_opening_hours.replace('-', ' to ')} ({settings.handoff_timezone} time)"
