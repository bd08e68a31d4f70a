"""How many customer lookups one agent may make: a brake on fishing through the customer base.

A fixed window per agent in Redis (``triage:audit:lookup-rate:<agent>:<window>``), shared by every gateway
replica. Only lookups that reach the customer records count; a malformed number is refused before that and
costs nothing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis

LOOKUPS_PER_WINDOW = 20  # a busy agent looks up a few customers a minute; twenty is a search, not a chat
WINDOW_S = 60


def _key(agent: str, window: int) -> str:
    return f"triage:audit:lookup-rate:{agent}:{window}"


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after_s: int
    """Seconds until the window ends (0 when allowed)."""
    first_refusal: bool = False
    """The first lookup refused in this window (the one worth an audit entry)."""


async def take(redis: Redis, agent: str, now_s: float | None = None) -> Allowance:
    """Count one lookup for ``agent``; refused once ``LOOKUPS_PER_WINDOW`` were made in this window."""
    now = time.time() if now_s is None else now_s
    window = int(now // WINDOW_S)
    key = _key(agent, window)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, WINDOW_S * 2)
        count, _ = await pipe.execute()
    if int(count) <= LOOKUPS_PER_WINDOW:
        return Allowance(True, 0)
    return Allowance(False, max(1, math.ceil((window + 1) * WINDOW_S - now)), int(count) == LOOKUPS_PER_WINDOW + 1)
