"""Reading the diagnoses stream as the ``sensor`` consumer group's one working consumer.

The house way (as ``learning/group_reader.py``, mirrored rather than imported: the sensor may not lean on the
learning consumer): after a restart the entries a dead consumer read but never acknowledged come first, claimed
with ``XAUTOCLAIM`` (only the lease holder runs, so every pending entry is an orphan) and re-read from this
consumer's pending list; only when none is left does it read new ones. Group creation ignores only
``BUSYGROUP``. Unreadable entries are the caller's to dead-letter; each one is acknowledged like any other.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from core.contracts.sensor import DIAGNOSES_STREAM, Diagnosis
from sensor.store import CONSUMER_GROUP

Entry = tuple[bytes, dict[bytes, bytes]]


class DiagnosisReader:
    def __init__(self, redis: Redis, name: str, count: int = 500, stream: str = DIAGNOSES_STREAM) -> None:
        self.redis = redis
        self.stream = stream
        self.name = name
        self.count = count
        self.backlog_done = False
        self.caught_up = False
        """Whether the last batch was new entries short of ``count``: nothing older is left unread, so the stream
        is as recent as the wall clock."""

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.stream, CONSUMER_GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _read(self, start: str, block_ms: int | None) -> list[Entry]:
        streams: dict[Any, Any] = {self.stream: start}
        reply: Any = await self.redis.xreadgroup(CONSUMER_GROUP, self.name, streams, count=self.count, block=block_ms)
        return list(reply[0][1]) if reply else []

    async def _claim_orphans(self) -> None:
        cursor = "0-0"
        while True:
            reply = await self.redis.xautoclaim(
                self.stream, CONSUMER_GROUP, self.name, 0, start_id=cursor, count=self.count
            )
            cursor = reply[0].decode() if isinstance(reply[0], bytes) else str(reply[0])
            if cursor == "0-0":
                return

    async def batch(self, block_ms: int | None) -> list[Entry]:
        """The next batch: unacknowledged entries first, then new ones (waiting up to ``block_ms``)."""
        if not self.backlog_done:
            await self._claim_orphans()
        entries = [] if self.backlog_done else await self._read("0", None)
        self.caught_up = False
        if not entries:
            self.backlog_done = True
            entries = await self._read(">", block_ms)
            self.caught_up = len(entries) < self.count
        return entries


def parse(fields: dict[bytes, bytes]) -> Diagnosis:
    """The diagnosis an entry carries (field ``d``); raises ``ValueError`` (pydantic's included) otherwise."""
    raw = fields.get(b"d")
    if raw is None:
        raise ValueError("no field d")
    return Diagnosis.model_validate_json(raw)
