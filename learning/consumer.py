"""Turns the redacted Rasa events into learning records: ``python -m learning.consumer``.

One consumer runs at a time (a lease in Redis; a second one waits as a spare), because each conversation's
events must be applied in order. Each batch is read from the ``learning`` consumer group, applied to the
conversation states (:mod:`learning.tracking`) and committed with its acknowledgement in one transaction;
after a crash the consumer first re-reads its own unacknowledged entries. Between batches it sweeps for
conversations whose flow has been open and silent for the session expiry (abandoned), applies retention once
an hour, and trims consumed events from the transport stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from learning import keys
from learning.maintenance import apply_retention
from learning.store import ConversationUpdate, LearningStore
from learning.tracking import abandon, apply_event, flow_open, new_state

log = logging.getLogger(__name__)

READ_COUNT = 500
BLOCK_MS = 1000
SWEEP_EVERY_S = 30.0
RETENTION_EVERY_S = 3600.0
LEASE_MS = 30_000
"""A consumer that stops renewing its lease for this long is replaced by a spare."""
DEAD_LETTERS = f"{keys.EVENTS}:dead"

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class Consumer:
    def __init__(
        self,
        store: LearningStore,
        low_confidence: float,
        abandon_after_s: float,
        clock: Callable[[], float] = time.time,
        name: str | None = None,
    ) -> None:
        self.store = store
        self.redis: Redis[bytes] = store.redis
        self.low_confidence = low_confidence
        self.abandon_after_s = abandon_after_s
        self.clock = clock
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self._token = uuid.uuid4().hex
        self._backlog_done = False
        self._last_sweep = 0.0
        self._last_retention = 0.0

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(keys.EVENTS, keys.CONSUMER_GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def hold_lease(self) -> bool:
        """Take or renew the single-consumer lease."""
        if await self.redis.set(keys.CONSUMER_LEASE, self._token, nx=True, px=LEASE_MS):
            return True
        renewed = await self.redis.eval(RENEW, 1, keys.CONSUMER_LEASE, self._token, LEASE_MS)  # type: ignore[no-untyped-call]
        return bool(renewed)

    async def release_lease(self) -> None:
        if (await self.redis.get(keys.CONSUMER_LEASE)) == self._token.encode():
            await self.redis.delete(keys.CONSUMER_LEASE)

    async def _read(self, start: str, block_ms: int | None) -> list[tuple[bytes, dict[bytes, bytes]]]:
        streams = {keys.EVENTS: start}
        reply = await self.redis.xreadgroup(keys.CONSUMER_GROUP, self.name, streams, count=READ_COUNT, block=block_ms)
        return list(reply[0][1]) if reply else []

    async def claim_unacknowledged(self) -> None:
        """Take over entries a previous consumer (another process name) read but never committed.

        Only the lease holder runs, so every pending entry is an orphan of a consumer that died.
        """
        cursor = "0-0"
        while True:
            reply = await self.redis.xautoclaim(
                keys.EVENTS, keys.CONSUMER_GROUP, self.name, 0, start_id=cursor, count=READ_COUNT
            )
            cursor = reply[0].decode() if isinstance(reply[0], bytes) else str(reply[0])
            if cursor == "0-0":
                return

    async def process_once(self, block_ms: int | None = BLOCK_MS) -> int:
        """Read, apply and commit one batch (unacknowledged entries first); return its size."""
        if not self._backlog_done:
            await self.claim_unacknowledged()
        entries = [] if self._backlog_done else await self._read("0", None)
        if not entries:
            self._backlog_done = True
            entries = await self._read(">", block_ms)
        if not entries:
            return 0
        events: list[dict[str, Any]] = []
        for _, fields in entries:
            try:
                events.append(json.loads(fields[b"e"]))
            except (KeyError, ValueError):
                await self.redis.xadd(DEAD_LETTERS, fields)  # type: ignore[arg-type]
        await self._apply(events, [entry_id.decode() for entry_id, _ in entries])
        return len(entries)

    async def _apply(self, events: list[dict[str, Any]], ack_ids: list[str]) -> None:
        conversation_ids = [str(event.get("conversation_id")) for event in events]
        states = await self.store.load_states(conversation_ids)
        deleted = await self.store.deleted(conversation_ids)
        updates: dict[str, ConversationUpdate] = {}
        for event in events:
            cid = str(event.get("conversation_id"))
            if cid in deleted:
                continue
            update = updates.get(cid)
            if update is None:
                update = updates[cid] = ConversationUpdate(states.get(cid) or new_state(cid))
            effects = apply_event(update.state, event, self.low_confidence)
            update.records += effects.records
            update.transcript += effects.transcript
            update.contacts += effects.contacts
        for update in updates.values():
            update.flow_open = flow_open(update.state)
        await self.store.commit(updates.values(), ack_ids)

    async def sweep(self, now_s: float | None = None) -> int:
        """Record conversations whose flow stayed open past the session expiry; return how many."""
        cutoff = (now_s if now_s is not None else self.clock()) - self.abandon_after_s
        silent = [m.decode() for m in await self.redis.zrangebyscore(keys.OPEN, "-inf", cutoff, start=0, num=500)]
        if not silent:
            return 0
        states = await self.store.load_states(silent)
        updates = []
        for cid in silent:
            state = states.get(cid)
            if state is None or not flow_open(state):
                await self.redis.zrem(keys.OPEN, cid)
            elif float(state.get("last_activity") or 0) <= cutoff:
                updates.append(ConversationUpdate(state, records=[abandon(state)], flow_open=False))
        await self.store.commit(updates)
        return sum(len(update.records) for update in updates)

    async def trim_events(self) -> None:
        """Drop consumed events from the transport stream (entries before the oldest unacknowledged one)."""
        pending = await self.redis.xpending(keys.EVENTS, keys.CONSUMER_GROUP)  # type: ignore[no-untyped-call]
        if pending and pending.get("pending"):
            oldest = pending["min"]
            minid = oldest.decode() if isinstance(oldest, bytes) else str(oldest)
        else:
            groups = await self.redis.xinfo_groups(keys.EVENTS)  # type: ignore[no-untyped-call]
            group = next((g for g in groups if g["name"] in (keys.CONSUMER_GROUP, keys.CONSUMER_GROUP.encode())), None)
            if group is None:
                return
            last = group["last-delivered-id"]
            ms, seq = (last.decode() if isinstance(last, bytes) else str(last)).split("-")
            minid = f"{ms}-{int(seq) + 1}"  # everything delivered is acknowledged: trim up to and including it
        await self.redis.xtrim(keys.EVENTS, minid=minid, approximate=False)

    async def housekeeping(self) -> None:
        now = self.clock()
        if now - self._last_sweep >= SWEEP_EVERY_S:
            self._last_sweep = now
            await self.sweep(now)
            await self.trim_events()
        if now - self._last_retention >= RETENTION_EVERY_S:
            self._last_retention = now
            trimmed = await apply_retention(self.store, now)
            if trimmed:
                log.info("retention removed %d learning records", trimmed)

    async def run(self, stop: asyncio.Event) -> None:
        await self.ensure_group()
        backoff = 0.5
        while not stop.is_set():
            try:
                if not await self.hold_lease():
                    await _wait(stop, LEASE_MS / 3000)
                    continue
                await self.process_once()
                await self.housekeeping()
                backoff = 0.5
            except (RedisError, OSError) as exc:
                log.warning("learning consumer: Redis failed (%s); retrying in %.1fs", exc, backoff)
                await _wait(stop, backoff)
                backoff = min(backoff * 2, 10.0)
                with contextlib.suppress(RedisError, OSError):
                    await self.ensure_group()
        with contextlib.suppress(RedisError, OSError):
            await self.release_lease()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def main() -> int:
    """Run the consumer until SIGINT/SIGTERM (what the Procfile's ``learning`` process does)."""
    import signal

    from core.settings import settings_or_complain

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_or_complain()
    if settings is None:
        return 2

    async def serve() -> None:
        redis: Redis[bytes] = Redis.from_url(settings.effective_redis_url, socket_timeout=10)
        store = LearningStore(redis, settings.learning_retention_days)
        consumer = Consumer(store, settings.learning_low_confidence, settings.learning_abandon_after_s)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        log.info("learning consumer %s started", consumer.name)
        try:
            await consumer.run(stop)
        finally:
            await redis.close()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
