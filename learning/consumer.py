"""Turns Rasa's events into redacted learning records: ``python -m learning.consumer``.

One consumer runs at a time (a lease in Redis; a second one waits as a spare), because each conversation's
events must be applied in order. Each batch is read from the ``learning`` consumer group, redacted and
pseudonymised in a worker thread (:class:`learning.events.EventRedaction`: the engine forwards raw text, and
nothing unredacted is stored), applied to the conversation states (:mod:`learning.tracking`) and committed with
its acknowledgement in one transaction; then its entries are deleted from the transport stream, so raw text
stays there only until processed. After a crash the consumer first re-reads its own unacknowledged entries.
After each batch it redacts the customers' survey comments waiting on ``triage:learning:comments`` with the same
redactor and puts them into their answers (:mod:`learning.survey_comments`). Between batches it sweeps for
conversations whose flow has been open and silent for the session expiry (abandoned), applies retention once an
hour, and trims anything consumed but left behind from the stream.
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

from core.redis.connect import connect, text
from core.redis.scripts import register
from learning import keys
from learning.events import RAW_VERSION, EventRedaction
from learning.group_reader import GroupReader
from learning.maintenance import apply_retention
from learning.store import ConversationUpdate, LearningStore
from learning.survey_comments import SurveyComments
from learning.tracking import abandon, apply_event, flow_open, new_state

log = logging.getLogger(__name__)

READ_COUNT = 500
BLOCK_MS = 1000
SWEEP_EVERY_S = 30.0
RETENTION_EVERY_S = 3600.0
LEASE_MS = 30_000
"""A consumer that stops renewing its lease for this long is replaced by a spare."""
DEAD_LETTERS = f"{keys.EVENTS}:dead"
"""Entries that are not summaries of a known version, kept (redacted) for a person to look at."""
READABLE_VERSIONS = (keys.PAYLOAD_VERSION, RAW_VERSION)
"""Raw summaries from the engine, and redacted ones (brokers before the split, test seeders)."""


class Consumer:
    def __init__(
        self,
        store: LearningStore,
        low_confidence: float,
        abandon_after_s: float,
        clock: Callable[[], float] = time.time,
        name: str | None = None,
        redaction: EventRedaction | None = None,
    ) -> None:
        """``redaction``: how raw summaries are made safe; by default the app settings' (built on first need)."""
        self.store = store
        self._redaction = redaction
        self.redis: Redis = store.redis
        self.low_confidence = low_confidence
        self.abandon_after_s = abandon_after_s
        self.clock = clock
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self._token = uuid.uuid4().hex
        self._renew = register(self.redis, "learning", "renew_lease")
        self.reader = GroupReader(self.redis, keys.EVENTS, self.name, READ_COUNT)
        self._last_sweep = 0.0
        self._last_retention = 0.0
        self.comments = SurveyComments(self.redis, self.name, self.redaction, store.retention_s // 86400)

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(keys.EVENTS, keys.CONSUMER_GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        await self.comments.ensure_group()

    async def hold_lease(self) -> bool:
        """Take or renew the single-consumer lease."""
        if await self.redis.set(keys.CONSUMER_LEASE, self._token, nx=True, px=LEASE_MS):
            return True
        renewed = await self._renew(keys=[keys.CONSUMER_LEASE], args=[self._token, LEASE_MS])
        return bool(renewed)

    async def release_lease(self) -> None:
        if (await self.redis.get(keys.CONSUMER_LEASE)) == self._token.encode():
            await self.redis.delete(keys.CONSUMER_LEASE)

    async def process_once(self, block_ms: int | None = BLOCK_MS) -> int:
        """Read, apply and commit one batch (unacknowledged entries first); return its size."""
        entries = await self.reader.batch(block_ms)
        if not entries:
            return 0
        events: list[dict[str, Any]] = []
        unreadable: list[tuple[str, dict[bytes, bytes]]] = []
        for entry_id, fields in entries:
            event = _summary(fields)
            if event is None:
                unreadable.append((entry_id.decode(), fields))
            else:
                events.append(event)
        dead_letters = await asyncio.to_thread(self._make_safe, events, unreadable)
        for dead in dead_letters:
            await self.redis.xadd(DEAD_LETTERS, dead)  # type: ignore[arg-type]
        ack_ids = [entry_id.decode() for entry_id, _ in entries]
        await self._apply(events, ack_ids)
        await self.redis.xdel(keys.EVENTS, *ack_ids)
        return len(entries)

    def redaction(self) -> EventRedaction:
        if self._redaction is None:
            self._redaction = EventRedaction.from_settings()
        return self._redaction

    def _make_safe(
        self, events: list[dict[str, Any]], unreadable: list[tuple[str, dict[bytes, bytes]]]
    ) -> list[dict[str, str]]:
        """Redact the batch in place (runs in a worker thread); the dead letters, redacted too."""
        if any(event.get("v") == RAW_VERSION for event in events):
            self.redaction().redact(events)
        return [
            {
                "id": entry_id,
                "v": fields.get(b"v", b"").decode(errors="replace"),
                "e": self.redaction().redact_text(fields.get(b"e", b"").decode(errors="replace")),
            }
            for entry_id, fields in unreadable
        ]

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
        silent = [text(m) for m in await self.redis.zrangebyscore(keys.OPEN, "-inf", cutoff, start=0, num=500)]
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
                await self.comments.process_once()
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


def _summary(fields: dict[bytes, bytes]) -> dict[str, Any] | None:
    """The summary of one stream entry, or ``None`` when it is not one of a version this consumer reads."""
    try:
        event = json.loads(fields[b"e"])
    except (KeyError, ValueError):
        return None
    if not isinstance(event, dict) or event.get("v") not in READABLE_VERSIONS:
        return None
    return event


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
        redis = connect(settings.effective_redis_url, socket_timeout=10)
        store = LearningStore(redis, settings.learning_retention_days)
        redaction = EventRedaction.from_settings()
        await asyncio.to_thread(redaction.redactor)  # load spaCy before the first batch, off the event loop
        consumer = Consumer(
            store, settings.learning_low_confidence, settings.learning_abandon_after_s, redaction=redaction
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        log.info("learning consumer %s started", consumer.name)
        try:
            await consumer.run(stop)
        finally:
            await redis.aclose()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
