"""Fixed-window counters in Redis, shared by every gateway: how many times a key may act per window.

Used where the socket.io channel's own per-conversation limit does not reach: messages over the REST API, and new
conversations per client address on both channels (a script opening thousands of conversations).
"""

from __future__ import annotations

from redis.asyncio import Redis

PREFIX = "triage:rate"

# Returns 0 when allowed, else the seconds until the window ends.
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return math.max(1, redis.call('TTL', KEYS[1])) end
return 0
"""


async def retry_after(redis: Redis, kind: str, key: str, limit: int, window_s: int) -> int | None:
    """Count one action of ``key``; ``None`` when it is within ``limit`` per ``window_s``, else seconds to wait."""
    wait = int(await redis.eval(_COUNT, 1, f"{PREFIX}:{kind}:{key[:128]}", limit, window_s))  # type: ignore[misc,no-untyped-call]
    return wait or None
