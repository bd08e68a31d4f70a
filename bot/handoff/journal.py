"""The timeline of every case, for the supervisor's figures: when it entered a queue, who took it when, when
they let it go, and whether the customer left the queue first.

The case's own state keeps only its latest step (``accepted_at`` is overwritten by the next accept, a transfer
leaves no time), so each gateway listens on the consoles' channel (``keys.CONSOLE``, everything the handoff
service publishes) and writes each step here once: every gateway hears every message, and the first to claim
the message's digest (``SET NX``) records it. Keys (``triage:supervision:*``, kept as long as cases):

- ``cases``: sorted set of case ids by creation time (s), the index the figures walk;
- ``case:<id>:events``: list of steps as JSON ``{"type", "at", "queue", "agent"?, "how"}``, ``type`` one of
  ``entered`` (how: created, transferred, requeued, reassigned), ``accepted`` (how: accepted, picked_up,
  reassigned), ``released`` (how: closed, handed_back, transferred, requeued, reassigned), ``abandoned`` (the
  customer withdrew while waiting) and ``parked`` (how: callback_requested, ticket_requested).

Other console messages (announcements, ``reassigned_away``) add no step. A step published while no gateway
listened (all down) is not recorded: the figures then miss it. A customer who closes the page while waiting
publishes nothing, so only a withdrawal counts as abandoning the queue.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.handoff import keys
from bot.handoff.queues import CASE_TTL_S
from core.redis.connect import connect

log = logging.getLogger(__name__)

PREFIX = "triage:supervision"
INDEX = f"{PREFIX}:cases"
SEEN_TTL_S = 3600  # a console message is heard by every gateway within moments; an hour is ample to dedupe


def events_key(case_id: str) -> str:
    return f"{PREFIX}:case:{case_id}:events"


def _seen_key(raw: str) -> str:
    return f"{PREFIX}:seen:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}"


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Step:
    type: str
    at: float
    """Epoch seconds."""
    queue: str
    agent: str | None = None
    how: str = ""

    def json(self) -> str:
        return json.dumps({"type": self.type, "at": self.at, "queue": self.queue, "agent": self.agent,
                           "how": self.how})  # fmt: skip


class CaseJournal:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def append(self, case_id: str, *steps: Step) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(events_key(case_id), *(s.json() for s in steps))
            pipe.expire(events_key(case_id), CASE_TTL_S)
            await pipe.execute()

    async def index(self, case_id: str, created_s: float, queue: str) -> None:
        """List the case (once) and record its first entry into a queue."""
        if await self._redis.zadd(INDEX, {case_id: created_s}, nx=True):
            await self.append(case_id, Step("entered", created_s, queue, how="created"))

    async def case_ids(self, start_s: float, end_s: float) -> list[str]:
        return [_text(c) for c in await self._redis.zrangebyscore(INDEX, start_s, end_s)]

    async def steps(self, case_ids: list[str]) -> dict[str, list[Step]]:
        """Each case's steps in time order."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for case_id in case_ids:
                pipe.lrange(events_key(case_id), 0, -1)
            raw = await pipe.execute()
        found: dict[str, list[Step]] = {}
        for case_id, items in zip(case_ids, raw, strict=True):
            steps = [Step(**json.loads(item)) for item in items]
            found[case_id] = sorted(steps, key=lambda s: s.at)
        return found

    async def conversations(self, case_ids: list[str]) -> dict[str, str]:
        """Each case's conversation id (from its state)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for case_id in case_ids:
                pipe.hget(keys.state(case_id), "conversation_id")
            raw = await pipe.execute()
        return {c: _text(v) for c, v in zip(case_ids, raw, strict=True) if v}

    async def last_wait(self, case_id: str) -> tuple[float, float | None] | None:
        """The case's latest wait: when it last entered a queue, and the first accept after that (``None`` while
        it waits); ``None`` when the journal has no entry for it."""
        steps = (await self.steps([case_id]))[case_id]
        entered = [i for i, s in enumerate(steps) if s.type == "entered"]
        if not entered:
            return None
        accepted = next((s.at for s in steps[entered[-1] :] if s.type == "accepted"), None)
        return steps[entered[-1]].at, accepted

    async def purge(self) -> None:
        """Drop index members whose case expired (called as figures are read)."""
        await self._redis.zremrangebyscore(INDEX, "-inf", datetime.now().timestamp() - CASE_TTL_S)

    # ---------------------------------------------------------------- from the consoles' channel

    async def hear(self, raw: str) -> None:
        """Record one console message (as published) if no other gateway recorded it already."""
        message = json.loads(raw)
        if not isinstance(message, dict) or message.get("type") != "case":
            return
        case_id = str((message.get("case") or {}).get("case_id") or "")
        if not case_id or not await self._redis.set(_seen_key(raw), 1, nx=True, ex=SEEN_TTL_S):
            return
        body = _text(await self._redis.get(keys.case(case_id)))
        state = {_text(k): _text(v) for k, v in (await self._redis.hgetall(keys.state(case_id))).items()}
        if not body:
            return
        case = json.loads(body)
        await self.index(case_id, datetime.fromisoformat(case["created_at"]).timestamp(), case["queue"])
        steps = steps_of(message, state)
        if steps:
            await self.append(case_id, *steps)


def steps_of(message: dict[str, Any], state: dict[str, str]) -> list[Step]:
    """The timeline steps one console message stands for (``state``: the case's state as read after it)."""
    event = str(message.get("event") or "")
    at = float(message.get("at") or 0)
    queue = str(message.get("queue") or state.get("queue") or "")
    agent = message.get("agent")
    if event in ("accepted", "picked_up"):
        kept = int(state["accepted_at"]) / 1000 if state.get("accepted_at") and state.get("agent") == agent else None
        accepted_s = kept if kept is not None and kept <= at else at  # the state's exact time, unless moved on since
        if message.get("reassigned_from"):
            old = str(message["reassigned_from"])
            return [Step("released", accepted_s, queue, old, "reassigned"),
                    Step("accepted", accepted_s, queue, agent, "reassigned")]  # fmt: skip
        return [Step("accepted", accepted_s, queue, agent, event)]
    if event in ("closed", "handed_back"):
        return [Step("released", at, queue, agent, event)]
    if event == "transferred_out":
        how = "reassigned" if message.get("by") else "transferred"
        return [Step("released", at, queue, agent, how), Step("entered", at, state.get("queue") or queue, how=how)]
    if event == "requeued_from":
        return [Step("released", at, queue, agent, "requeued"), Step("entered", at, queue, how="requeued")]
    if event == "withdrawn" and (message.get("case") or {}).get("was") == "waiting":
        return [Step("abandoned", at, queue)]
    if event in ("callback_requested", "ticket_requested"):
        return [Step("parked", at, queue, how=event)]
    return []


async def listen(redis_url: str, journal: CaseJournal) -> None:
    """Record every console message this gateway hears, for as long as it runs."""
    listener: Redis = connect(redis_url)
    try:
        while True:
            pubsub = listener.pubsub()
            try:
                await pubsub.subscribe(keys.CONSOLE)
                async for raw in pubsub.listen():
                    if raw.get("type") == "message":
                        try:
                            await journal.hear(_text(raw["data"]))
                        except (ValueError, KeyError, TypeError):
                            log.warning("console message not recorded in the case journal", exc_info=True)
            except (RedisError, OSError):
                log.warning("case journal lost Redis; subscribing again in 1 s", exc_info=True)
                await asyncio.sleep(1)
            finally:
                await pubsub.aclose()
    finally:
        await listener.aclose()
