"""Carries redacted event summaries from Rasa's ``publish`` to the Redis stream without ever blocking Rasa.

``publish`` only summarises the event and appends it to an in-memory queue (microseconds). A background task
redacts queued summaries in a worker thread, in batches, and XADDs them; while Redis is slow or down it retries
with backoff and the queue grows. The queue is bounded (``capacity``): beyond it, new summaries are redacted at
once and spilled to the on-disk :class:`~engine.spool.Spool`, which drains after the queue, so order is
kept and nothing is lost. Raw text only ever lives in memory.

Delivery is at-least-once (a write that timed out may have landed): every summary carries an ``eid`` the
consumer uses to drop duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from engine.spool import Spool
from learning.events import Pending, redact_batch, summarise
from learning.keys import EVENTS, PAYLOAD_VERSION
from learning.redaction import Redactor

log = logging.getLogger(__name__)

WRITE_BATCH = 200
"""Summaries per pipelined XADD round trip."""
REDACT_CHUNK = 16
"""Texts redacted per hold of the redaction lock, so a spill in ``publish`` never waits long for it."""
IDLE_WAIT_S = 0.5
BACKOFF_S = (0.1, 5.0)
"""First and longest wait between attempts while Redis fails."""
CLOSE_TIMEOUT_S = 5.0


@dataclass
class ForwarderStats:
    published: int = 0
    written: int = 0
    spilled: int = 0
    write_failures: int = 0


class Forwarder:
    def __init__(
        self,
        redis: Redis[bytes],
        redactor: Callable[[], Redactor],
        secret: str,
        capacity: int,
        spool: Spool,
    ) -> None:
        self._redis = redis
        self._make_redactor = redactor
        self._redactor: Redactor | None = None
        self._redact_lock = threading.Lock()
        self._secret = secret
        self._capacity = capacity
        self._spool = spool
        self._memory: deque[Pending] = deque()
        self._spilling = not spool.empty()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.stats = ForwarderStats()

    @property
    def queued(self) -> int:
        return len(self._memory)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="learning-forwarder")

    def publish(self, event: dict[str, Any]) -> None:
        """Called by Rasa for every tracker event; never waits for Redis."""
        pending = summarise(event, self._secret)
        if pending is None:
            return
        pending.summary["eid"] = uuid.uuid4().hex
        self.stats.published += 1
        if self._spilling or len(self._memory) >= self._capacity:
            self._spilling = True
            self._spool.append(self._redact([pending]))
            self.stats.spilled += 1
        else:
            self._memory.append(pending)
        self._wake.set()

    def _redact(self, batch: list[Pending]) -> list[dict[str, Any]]:
        """Redact in chunks under a lock (the spaCy pipeline is shared by the worker thread and ``publish``)."""
        for start in range(0, len(batch), REDACT_CHUNK):
            with self._redact_lock:
                if self._redactor is None:
                    self._redactor = self._make_redactor()
                redact_batch(batch[start : start + REDACT_CHUNK], self._redactor.redact_many)
        return [pending.summary for pending in batch]

    async def _write(self, summaries: list[dict[str, Any]]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for summary in summaries:
                pipe.xadd(EVENTS, {"v": str(PAYLOAD_VERSION), "e": json.dumps(summary, separators=(",", ":"))})
            await pipe.execute()
        self.stats.written += len(summaries)

    async def _step(self) -> bool:
        """Write the oldest batch (memory, then spool); ``False`` when there was nothing to write."""
        if self._memory:
            batch = list(islice(self._memory, WRITE_BATCH))
            summaries = await asyncio.to_thread(self._redact, batch)
            await self._write(summaries)
            for _ in batch:
                self._memory.popleft()
            return True
        if self._spilling:
            for segment in self._spool.segments():
                await self._write(Spool.read(segment))
                segment.unlink()
                return True
            self._spilling = False
        return False

    async def _run(self) -> None:
        backoff = BACKOFF_S[0]
        while not self._closing:
            try:
                wrote = await self._step()
            except (RedisError, OSError) as exc:
                self.stats.write_failures += 1
                log.warning("learning store unreachable (%s); %d summaries queued", exc, len(self._memory))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_S[1])
                continue
            backoff = BACKOFF_S[0]
            if not wrote:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_WAIT_S)

    async def drain(self, timeout_s: float = CLOSE_TIMEOUT_S) -> bool:
        """Wait until everything queued or spilled is written; ``False`` if time ran out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._memory or self._spilling:
            if loop.time() > deadline:
                return False
            self._wake.set()
            await asyncio.sleep(0.02)
        return True

    async def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Write what can be written in ``timeout_s``; spill the rest to disk for the next start."""
        await self.drain(timeout_s)
        self._closing = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._memory:
            self._spool.prepend(self._redact(list(self._memory)))
            self.stats.spilled += len(self._memory)
            self._memory.clear()
        self._spool.close()
