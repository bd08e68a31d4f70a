"""Reading a Redis stream as the learning consumer group's one working consumer.

After a restart the entries a dead consumer read but never finished come first: they are claimed (only the lease
holder runs, so every pending entry is an orphan), then re-read from the start of this consumer's pending list;
only when none is left does it read new entries. The consumer's events and the survey comments are read so.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from learning import keys

Entry = tuple[bytes, dict[bytes, bytes]]


class GroupReader:
    def __init__(self, redis: Redis, stream: str, name: str, count: int) -> None:
        self.redis = redis
        self.stream = stream
        self.name = name
        self.count = count
        self.backlog_done = False

    async def read(self, start: str, block_ms: int | None) -> list[Entry]:
        streams: dict[Any, Any] = {self.stream: start}
        reply: Any = await self.redis.xreadgroup(
            keys.CONSUMER_GROUP, self.name, streams, count=self.count, block=block_ms
        )
        return list(reply[0][1]) if reply else []

    async def claim_unacknowledged(self) -> None:
        """Take over entries a previous consumer (another process name) read but never finished."""
        cursor = "0-0"
        while True:
            reply = await self.redis.xautoclaim(
                self.stream, keys.CONSUMER_GROUP, self.name, 0, start_id=cursor, count=self.count
            )
            cursor = reply[0].decode() if isinstance(reply[0], bytes) else str(reply[0])
            if cursor == "0-0":
                return

    async def batch(self, block_ms: int | None) -> list[Entry]:
        """The next batch: unfinished entries first, then new ones (waiting up to ``block_ms``)."""
        if not self.backlog_done:
            await self.claim_unacknowledged()
        entries = [] if self.backlog_done else await self.read("0", None)
        if not entries:
            self.backlog_done = True
            entries = await self.read(">", block_ms)
        return entries
