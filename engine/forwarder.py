"""Carries event summaries from Rasa's ``publish`` to the Redis stream without ever blocking Rasa.

``publish`` only summarises the event (:mod:`core.contracts.learning_events`) and appends it to an in-memory queue
(microseconds). A background task on Rasa's event loop XADDs queued summaries in pipelined batches, oldest
first; while Redis is slow or down it retries with backoff and the queue grows. The queue is bounded
(``capacity``, plus the one batch being written): beyond it the OLDEST summary is dropped and counted in the
log, so memory stays bounded and what reaches the stream is always in order. Nothing is written to disk: the
summaries hold the customer's raw text, which the learning consumer redacts. No NLP runs here.

Delivery is at-least-once (a write that timed out may have landed): every summary carries an ``eid`` the
consumer uses to drop duplicates. Each XADD caps the stream (``MAXLEN ~ maxlen``) so raw text cannot pile up
in Redis while the consumer is away; the consumer deletes what it has processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

from core.contracts.learning_events import EVENTS_STREAM, SUMMARY_VERSION, summarise
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 10_000
"""Summaries held in memory while Redis is away: about 10 MB, a few minutes of a busy Rasa process."""
DEFAULT_MAXLEN = 100_000
"""Entries the stream keeps at most (approximately) while the consumer is away: about 100 MB of Redis."""
WRITE_BATCH = 200
"""Summaries per pipelined XADD round trip."""
IDLE_WAIT_S = 0.5
BACKOFF_S = (0.1, 5.0)
"""First and longest wait between attempts while Redis fails."""
DROP_LOG_EVERY_S = 10.0
"""While the queue overflows, one log line per this period says how many summaries were dropped."""
CLOSE_TIMEOUT_S = 5.0


@dataclass
class ForwarderStats:
    published: int = 0
    written: int = 0
    dropped: int = 0
    write_failures: int = 0


class Forwarder:
    def __init__(
        self,
        redis: Redis[bytes],
        *,
        stream: str = EVENTS_STREAM,
        capacity: int = DEFAULT_CAPACITY,
        maxlen: int = DEFAULT_MAXLEN,
    ) -> None:
        if capacity < 1 or maxlen < 1:
            raise ValueError(f"capacity ({capacity}) and maxlen ({maxlen}) must be positive")
        self._redis = redis
        self._stream = stream
        self._capacity = capacity
        self._maxlen = maxlen
        self._queue: deque[dict[str, Any]] = deque()
        self._unlogged_drops = 0
        self._last_drop_log = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.stats = ForwarderStats()

    @property
    def queued(self) -> int:
        return len(self._queue)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="learning-forwarder")

    def publish(self, event: dict[str, Any]) -> None:
        """Called by Rasa for every tracker event; never waits for Redis."""
        summary = summarise(event)
        if summary is None:
            return
        summary["eid"] = uuid.uuid4().hex
        self.stats.published += 1
        self._queue.append(summary)
        self._drop_overflow()
        self._wake.set()

    def _drop_overflow(self) -> None:
        overflow = len(self._queue) - self._capacity
        if overflow <= 0:
            return
        for _ in range(overflow):
            self._queue.popleft()
        self.stats.dropped += overflow
        self._unlogged_drops += overflow
        now = time.monotonic()
        if now - self._last_drop_log >= DROP_LOG_EVERY_S:
            self._log_drops(now)

    def _log_drops(self, now: float) -> None:
        log.warning(
            "learning store: queue full (%d summaries; Redis unreachable or too slow): dropped the %d oldest "
            "event summaries (%d since start)",
            self._capacity,
            self._unlogged_drops,
            self.stats.dropped,
        )
        self._unlogged_drops = 0
        self._last_drop_log = now

    async def _write(self, summaries: list[dict[str, Any]]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for summary in summaries:
                entry = {"v": str(SUMMARY_VERSION), "e": json.dumps(summary, separators=(",", ":"), default=str)}
                pipe.xadd(self._stream, entry, maxlen=self._maxlen, approximate=True)  # type: ignore[arg-type]
            await pipe.execute()
        self.stats.written += len(summaries)

    async def _step(self) -> bool:
        """Write the oldest batch; ``False`` when there was nothing to write.

        The batch leaves the queue while it is written, so summaries dropped meanwhile are never ones in flight;
        a failed batch goes back to the front, where it is the first to be dropped if the queue is full.
        """
        if not self._queue:
            return False
        batch = [self._queue.popleft() for _ in range(min(WRITE_BATCH, len(self._queue)))]
        try:
            await self._write(batch)
        except BaseException:
            self._queue.extendleft(reversed(batch))
            self._drop_overflow()
            raise
        return True

    async def _run(self) -> None:
        backoff = BACKOFF_S[0]
        while not self._closing:
            try:
                wrote = await self._step()
            except (RedisError, OSError) as exc:
                self.stats.write_failures += 1
                log.warning("learning store unreachable (%s); %d summaries queued", exc, len(self._queue))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_S[1])
                continue
            if backoff > BACKOFF_S[0] and self._unlogged_drops:
                self._log_drops(time.monotonic())  # Redis is back: say what the outage cost
            backoff = BACKOFF_S[0]
            if not wrote:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_WAIT_S)

    async def drain(self, timeout_s: float = CLOSE_TIMEOUT_S) -> bool:
        """Wait until everything queued is written; ``False`` if time ran out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._queue or self.stats.written + self.stats.dropped < self.stats.published:
            if loop.time() > deadline:
                return False
            self._wake.set()
            await asyncio.sleep(0.02)
        return True

    async def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Write what can be written in ``timeout_s``; what Redis did not take by then is lost (and logged)."""
        await self.drain(timeout_s)
        self._closing = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._unlogged_drops:
            self._log_drops(time.monotonic())
        if self._queue:
            log.warning("learning store: %d event summaries not forwarded before shutdown", len(self._queue))
            self.stats.dropped += len(self._queue)
            self._queue.clear()
