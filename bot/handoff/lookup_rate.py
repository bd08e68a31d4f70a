"""How many customer lookups one agent may make: a brake on fishing through the customer base.

A fixed window per agent (:mod:`bot.rate_limit`, kind ``lookups``: ``triage:rate:lookups:<agent>``), shared by
every gateway replica. Only lookups that reach the customer records count; a malformed number is refused before
that and costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot import rate_limit

LOOKUPS_PER_WINDOW = 20  # a busy agent looks up a few customers a minute; twenty is a search, not a chat
WINDOW_S = 60
KIND = "lookups"


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after_s: int
    """Seconds until the window ends (0 when allowed)."""
    first_refusal: bool = False
    """The first lookup refused in this window (the one worth an audit entry)."""


async def take(redis: Redis, agent: str) -> Allowance:
    """Count one lookup for ``agent``; refused once ``LOOKUPS_PER_WINDOW`` were made in this window."""
    counted = await rate_limit.count(redis, KIND, agent, LOOKUPS_PER_WINDOW, WINDOW_S)
    if counted.retry_after_s is None:
        return Allowance(True, 0)
    return Allowance(False, counted.retry_after_s, counted.actions == LOOKUPS_PER_WINDOW + 1)
