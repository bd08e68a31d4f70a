"""Each queue's stream read by the gateways in the consumer group ``dispatch``: new announcements (``>``), this
gateway's own unfinished ones after a restart (``0``), overdue ones claimed (``XAUTOCLAIM``), finished ones
acknowledged and deleted. The entries are written by the queues' scripts (``queues``) as cases enter a queue."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.handoff import keys
from bot.handoff.case import Queue
from bot.handoff.items import Announcement, text_of


class QueueStreams:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def ensure_groups(self) -> None:
        """Create each queue's consumer group (from the stream's start, so nothing enqueued before is missed)."""
        for queue in Queue:
            try:
                await self._redis.xgroup_create(keys.stream(queue), keys.GROUP, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def read_new(self, consumer: str, block_ms: int, count: int = 100) -> list[Announcement]:
        """New announcements for this gateway (``>``), waiting up to ``block_ms`` for the first."""
        streams = {keys.stream(q): ">" for q in Queue}
        return _announcements(
            await self._redis.xreadgroup(keys.GROUP, consumer, streams, count=count, block=block_ms)  # type: ignore[arg-type]
        )

    async def read_own_pending(self, consumer: str, count: int = 1000) -> list[Announcement]:
        """Announcements this gateway read before a restart and never finished: read first (``0``)."""
        streams = {keys.stream(q): "0" for q in Queue}
        return _announcements(
            await self._redis.xreadgroup(keys.GROUP, consumer, streams, count=count)  # type: ignore[arg-type]
        )

    async def claim_overdue(self, consumer: str, min_idle_s: float, count: int = 100) -> list[Announcement]:
        """Announcements nobody finished for ``min_idle_s`` (this or a dead gateway's): time to announce again."""
        claimed: list[Announcement] = []
        for queue in Queue:
            result = await self._redis.xautoclaim(
                keys.stream(queue), keys.GROUP, consumer, int(min_idle_s * 1000), start_id="0-0", count=count
            )
            for entry_id, fields in result[1] if len(result) > 1 else []:
                if fields:  # a deleted entry comes back as None
                    claimed.append(_announcement(queue, entry_id, fields))
        return claimed

    async def finish(self, announcement: Announcement) -> None:
        """The announced case no longer waits in that queue: the entry is done."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(keys.stream(announcement.queue), keys.GROUP, announcement.entry_id)
            pipe.xdel(keys.stream(announcement.queue), announcement.entry_id)
            await pipe.execute()

    async def bump_reannounced(self, case_id: str) -> int:
        return int(await self._redis.hincrby(keys.state(case_id), "reannounced", 1))


def _announcement(queue: Queue, entry_id: bytes | str, fields: dict[bytes, bytes]) -> Announcement:
    values = {text_of(k): text_of(v) for k, v in fields.items()}
    return Announcement(queue, text_of(entry_id), values.get("case_id", ""), values.get("event", "queued"))


def _announcements(response: Any) -> list[Announcement]:
    found = []
    for stream_name, entries in response or []:
        queue = Queue(text_of(stream_name).rsplit(":", 1)[1])
        for entry_id, fields in entries:
            if fields:
                found.append(_announcement(queue, entry_id, fields))
    return found
