"""Fixed-window counters in Redis, shared by every gateway: how many times a key may act per window.

Used where the socket.io channel's own per-conversation limit does not reach: messages over the REST API, new
conversations per client address on both channels (a script opening thousands of conversations), and an agent's
customer lookups (``bot.handoff.lookup_rate``). A window starts with the key's first action
(``triage:rate:<kind>:<key>``, ``scripts/fixed_window.lua``).
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from core.redis.scripts import load

PREFIX = "triage:rate"


@dataclass(frozen=True)
class Count:
    actions: int
    """Actions counted in this window, this one included (refused ones too)."""
    retry_after_s: int | None
    """``None`` when this action is within the limit, else the seconds until the window ends."""


async def count(redis: Redis, kind: str, key: str, limit: int, window_s: int) -> Count:
    """Count one action of ``key``; refused once ``limit`` were counted in this ``window_s``."""
    actions, wait = await load("bot", "fixed_window").run(redis, [f"{PREFIX}:{kind}:{key[:128]}"], [limit, window_s])
    return Count(int(actions), int(wait) or None)


async def retry_after(redis: Redis, kind: str, key: str, limit: int, window_s: int) -> int | None:
    """Count one action of ``key``; ``None`` when it is within ``limit`` per ``window_s``, else seconds to wait."""
    return (await count(redis, kind, key, limit, window_s)).retry_after_s
