"""Waiting cases in Redis: a stream per queue read through a consumer group, and a priority index beside it.

Per queue (keys in ``keys``):

- ``stream:<queue>``: one entry per announcement of a case to that queue (queued, requeued, transferred in),
  capped with ``MAXLEN ~``. Every gateway reads it in the consumer group ``dispatch`` (``streams``,
  ``dispatcher``), shows new entries to the agent consoles, and leaves each entry pending while its case waits:
  the pending entries list is the queue's list of unaccepted announcements, ``XAUTOCLAIM`` of entries idle longer
  than ``handoff_reannounce_after_s`` is the re-announcement timer (and hands a dead gateway's entries to a live
  one), and the entry is acknowledged (``XACK`` + ``XDEL``) when the case leaves the queue.
- ``waiting:<queue>``: sorted set of waiting case ids scored priority rank x 10^13 + enqueue time in ms, so
  the order is priority then age and ``ZRANK`` is the customer's position. A stream alone is first in, first
  out; the index gives the order agents see and customers are told.

Every change of a case's state is one Lua script (``scripts/*.lua``), so two agents clicking at once, a sweep on
another gateway replica and a customer choosing a callback can never both win.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast

from redis.asyncio import Redis

from bot.handoff import keys
from bot.handoff.case import CaseStatus, HandoffCase, Priority, Queue
from bot.handoff.items import PARKED_STATUSES, AcceptResult, Card, Place, card, now_ms, score, text_of
from core.redis.scripts import Registered, register

__all__ = ["CASE_TTL_S", "PARKED_STATUSES", "AcceptResult", "Card", "CaseQueues", "Place"]

STREAM_MAXLEN = 10_000  # announcements kept per queue; waiting cases are never this many
CASE_TTL_S = 90 * 24 * 3600  # cases stay readable for 90 days (repeat contacts look back 7)


HELPERS = ("drop_entry",)
"""Helper functions (not scripts): ``drop_entry`` precedes every script that takes a case out of a queue's stream."""


def script(redis: Redis, name: str) -> Registered:
    """``scripts/<name>.lua`` of the handoff, bound to ``redis``."""
    return register(redis, "bot.handoff", name, HELPERS)


class CaseQueues:
    def __init__(self, redis: Redis, average_handle_s: float = 300.0) -> None:
        self._redis = redis
        self._average_handle_s = average_handle_s
        self._enqueue = script(redis, "enqueue")
        self._accept = script(redis, "accept")
        self._requeue = script(redis, "requeue")
        self._leave = script(redis, "leave")
        self._tell = script(redis, "tell")
        self._park = script(redis, "park")
        self._pick_up = script(redis, "pick_up")
        self._withdraw = script(redis, "withdraw")

    # ---------------------------------------------------------------- queue membership

    async def enqueue(self, case: HandoffCase, request_key: str | None = None) -> tuple[HandoffCase, bool]:
        """Queue a new case; ``request_key`` makes it once per handoff request. Returns (case, created)."""
        created_ms = int(case.created_at.timestamp() * 1000)
        customer = case.identity.customer_id if case.identity else None
        created, case_id = await self._enqueue(
            keys=[
                keys.case(case.case_id), keys.state(case.case_id), keys.waiting(case.queue), keys.stream(case.queue),
                keys.conversation(case.conversation_id), keys.customer(customer or "-"),
                request_key or f"{keys.PREFIX}:request:{case.case_id}",
            ],
            args=[
                case.model_dump_json(), case.case_id, case.queue.value, case.priority.value,
                score(case.priority, created_ms), STREAM_MAXLEN, case.conversation_id, created_ms, CASE_TTL_S,
                "1" if customer else "0", json.dumps(card(case)),
            ],
        )  # fmt: skip
        if not int(created):
            existing = await self.get(text_of(case_id))
            return (existing or case), False
        return case, True

    async def place(self, case_id: str, queue: Queue, agents_online: int = 1) -> Place | None:
        rank = await self._redis.zrank(keys.waiting(queue), case_id)
        if not isinstance(rank, int):
            return None  # not waiting in that queue
        position = rank + 1
        return Place(position, int(position * self._average_handle_s / max(agents_online, 1)))

    async def waiting_ids(self, queue: Queue, limit: int = 200) -> list[str]:
        return [text_of(i) for i in await self._redis.zrange(keys.waiting(queue), 0, limit - 1)]

    async def waiting(self, queue: Queue, limit: int = 200) -> list[HandoffCase]:
        cases = [await self.get(i) for i in await self.waiting_ids(queue, limit)]
        return [c for c in cases if c is not None]

    async def cards(self, queue: Queue, limit: int = 200) -> list[Card]:
        """The queue's waiting cases in order, from their state hashes in one round trip."""
        ids = await self.waiting_ids(queue, limit)
        async with self._redis.pipeline(transaction=False) as pipe:
            for case_id in ids:
                pipe.hgetall(keys.state(case_id))
            states = await pipe.execute()
        found = []
        for position, (case_id, raw) in enumerate(zip(ids, states, strict=True), start=1):
            fields = {text_of(k): text_of(v) for k, v in raw.items()}
            if fields.get("card"):
                again = int(fields.get("reannounced") or 0)
                conversation_id = fields.get("conversation_id", "")
                found.append(Card(case_id, conversation_id, queue, again, position, json.loads(fields["card"])))
        return found

    async def parked(self, queue: Queue, now_s: float, limit: int = 200) -> list[dict[str, Any]]:
        """The queue's callbacks and tickets, oldest first, as queue lists show them (``waited_s``: since parked).

        Ids whose state expired or moved on are dropped from the list as they are found."""
        found = cast(
            list[tuple[bytes, float]], await self._redis.zrange(keys.parked(queue), 0, limit - 1, withscores=True)
        )
        async with self._redis.pipeline(transaction=False) as pipe:
            for member, _ in found:
                pipe.hgetall(keys.state(text_of(member)))
            states = await pipe.execute()
        listed: list[dict[str, Any]] = []
        stale: list[str] = []
        for (raw_id, parked_ms), raw in zip(found, states, strict=True):
            case_id = text_of(raw_id)
            fields = {text_of(k): text_of(v) for k, v in raw.items()}
            if fields.get("status") not in PARKED_STATUSES or fields.get("queue") != queue.value:
                stale.append(case_id)
                continue
            card_fields = json.loads(fields.get("card") or "{}")
            listed.append({**card_fields, "case_id": case_id, "queue": queue.value, "status": fields["status"],
                           "agent": None, "reannounced": int(fields.get("reannounced") or 0), "position": None,
                           "waited_s": int(now_s - parked_ms / 1000)})  # fmt: skip
        if stale:
            await self._redis.zrem(keys.parked(queue), *stale)
        return listed

    async def count(self, queue: Queue) -> int:
        return int(await self._redis.zcard(keys.waiting(queue)))

    # ---------------------------------------------------------------- reading a case

    async def get(self, case_id: str) -> HandoffCase | None:
        """The case with its current state and what agents added."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(keys.case(case_id))
            pipe.hgetall(keys.state(case_id))
            pipe.lrange(keys.notes(case_id), 0, -1)
            pipe.lrange(keys.diagnostics(case_id), 0, -1)
            pipe.lrange(keys.tickets(case_id), 0, -1)
            raw, state, notes, diagnostics, tickets = await pipe.execute()
        if not raw:
            return None
        data: dict[str, Any] = json.loads(raw)
        fields = {text_of(k): text_of(v) for k, v in (state or {}).items()}
        if fields.get("status"):
            data["status"] = fields["status"]
            data["queue"] = fields.get("queue") or data["queue"]
            data["priority"] = fields.get("priority") or data["priority"]
            data["agent"] = fields.get("agent") or fields.get("last_agent") or None
            data["reannounced"] = int(fields.get("reannounced") or 0)
            if fields.get("accepted_at"):
                data["accepted_at"] = datetime.fromtimestamp(int(fields["accepted_at"]) / 1000, UTC)
            if fields.get("ended_at"):
                data["ended_at"] = datetime.fromtimestamp(int(fields["ended_at"]), UTC)
            if fields.get("transfers"):
                data["transfers"] = json.loads(fields["transfers"])
            if fields.get("disposition"):
                data["disposition"] = json.loads(fields["disposition"])
        data["notes"] = [json.loads(n) for n in notes]
        data["diagnostics"] = [json.loads(d) for d in diagnostics]
        data["tickets"] = [json.loads(t) for t in tickets]
        return HandoffCase.model_validate(data)

    async def state(self, case_id: str) -> dict[str, str]:
        return {text_of(k): text_of(v) for k, v in (await self._redis.hgetall(keys.state(case_id))).items()}

    async def case_of_conversation(self, conversation_id: str) -> str | None:
        found = await self._redis.get(keys.conversation(conversation_id))
        return text_of(found) or None

    async def recent_cases_of(self, customer_id: str, within_s: float, excluding: str) -> list[str]:
        since = now_ms() - int(within_s * 1000)
        found = await self._redis.zrangebyscore(keys.customer(customer_id), since, "+inf")
        return [text_of(c) for c in found if text_of(c) != excluding]

    async def add(self, case_id: str, kind: str, item: dict[str, Any]) -> None:
        """Append a note, diagnostic run or ticket action (``kind``) to the case."""
        key = {"notes": keys.notes, "diagnostics": keys.diagnostics, "tickets": keys.tickets}[kind](case_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(item, default=str))
            pipe.expire(key, CASE_TTL_S)
            await pipe.execute()

    async def set_fields(self, case_id: str, **fields: str) -> None:
        await self._redis.hset(keys.state(case_id), mapping=fields)  # type: ignore[arg-type]

    async def retell(self, case_id: str, told: str) -> bool:
        """Record ``told`` as what the customer was last told; ``False`` when it is what they were told already."""
        return bool(int(await self._tell(keys=[keys.state(case_id)], args=[told])))

    # ---------------------------------------------------------------- transitions

    async def accept(self, case_id: str, queue: Queue, agent: str, capacity: int = 1_000) -> AcceptResult:
        """The case, now the agent's; otherwise why not. Atomic: of two agents clicking at once, one wins."""
        won, detail = await self._accept(
            keys=[keys.state(case_id), keys.waiting(queue), keys.agent_cases(agent), keys.stream(queue)],
            args=[case_id, agent, capacity, now_ms(), keys.GROUP, queue.value],
        )
        outcome, detail_text = int(won), text_of(detail)
        if outcome == 1:
            return AcceptResult(await self.get(case_id))
        if outcome == -1:
            return AcceptResult(None, "at_capacity", detail_text)
        if outcome == -2:
            return AcceptResult(None, "moved", detail_text)
        if detail_text in ("gone", "") or detail_text in CaseStatus.__members__:
            return AcceptResult(None, "gone", detail_text)
        return AcceptResult(None, "taken", detail_text)

    async def pick_up(self, case_id: str, queue: Queue, agent: str, capacity: int = 1_000) -> AcceptResult:
        """A parked case (callback or ticket), now the agent's chat; otherwise why not. Atomic, as ``accept``."""
        state = await self.state(case_id)
        won, detail = await self._pick_up(
            keys=[keys.state(case_id), keys.agent_cases(agent), keys.parked(queue), keys.CALLBACKS,
                  keys.conversation(state.get("conversation_id", "-"))],
            args=[case_id, agent, capacity, now_ms(), queue.value],
        )  # fmt: skip
        outcome, detail_text = int(won), text_of(detail)
        if outcome == 1:
            return AcceptResult(await self.get(case_id))
        problem = {-1: "at_capacity", -2: "moved", -3: "superseded"}.get(outcome)
        if problem:
            return AcceptResult(None, problem, detail_text)
        if detail_text in ("gone", "") or detail_text in CaseStatus.__members__:
            return AcceptResult(None, "gone", detail_text)
        return AcceptResult(None, "taken", detail_text)

    async def requeue(
        self, case_id: str, *, to_queue: Queue | None = None, from_agent: str = "", event: str = "requeued"
    ) -> bool:
        """Put an accepted (or waiting) case back at its place by priority and original age, or in another queue."""
        state = await self.state(case_id)
        if not state.get("queue"):
            return False
        old = Queue(state["queue"])
        new = to_queue or old
        case_score = int(state.get("score") or score(Priority.normal, now_ms()))
        holder = state.get("agent") or "-"
        done = await self._requeue(
            keys=[keys.state(case_id), keys.waiting(old), keys.waiting(new), keys.agent_cases(holder),
                  keys.stream(old), keys.stream(new)],
            args=[case_id, from_agent, new.value, case_score, keys.GROUP, STREAM_MAXLEN, event],
        )  # fmt: skip
        if done and new is not old:
            transfers = [*json.loads(state.get("transfers") or "[]"), old.value]
            await self.set_fields(case_id, transfers=json.dumps(transfers))
        return bool(done)

    async def leave(
        self, case_id: str, status: CaseStatus, allowed: tuple[CaseStatus, ...], agent: str = ""
    ) -> tuple[bool, str]:
        """Take the case out of its queue (and its agent's hands) with ``status``; returns (done, status before)."""
        state = await self.state(case_id)
        if not state.get("queue"):
            return False, "gone"
        queue = Queue(state["queue"])
        holder = state.get("agent") or "-"
        done, before = await self._leave(
            keys=[keys.state(case_id), keys.waiting(queue), keys.agent_cases(holder), keys.stream(queue)],
            args=[case_id, status.value, keys.GROUP, agent, *(s.value for s in allowed)],
        )
        return bool(int(done)), text_of(before)

    async def park(self, case_id: str, status: CaseStatus) -> bool:
        """A waiting case out of its queue as a callback or ticket (``status``), listed for agents to pick up."""
        state = await self.state(case_id)
        if not state.get("queue"):
            return False
        queue = Queue(state["queue"])
        done, _ = await self._park(
            keys=[keys.state(case_id), keys.waiting(queue), keys.stream(queue), keys.parked(queue), keys.CALLBACKS],
            args=[case_id, status.value, keys.GROUP, now_ms()],
        )
        return bool(int(done))

    async def withdraw(self, case_id: str) -> tuple[bool, str]:
        """The customer's withdrawal of a waiting or parked case; returns (done, status before, or now if not)."""
        state = await self.state(case_id)
        if not state.get("queue"):
            return False, "gone"
        queue = Queue(state["queue"])
        done, status = await self._withdraw(
            keys=[keys.state(case_id), keys.waiting(queue), keys.stream(queue), keys.parked(queue), keys.CALLBACKS],
            args=[case_id, keys.GROUP],
        )
        return bool(int(done)), text_of(status)

    async def agent_case_ids(self, agent: str) -> list[str]:
        return sorted(text_of(c) for c in await self._redis.smembers(keys.agent_cases(agent)))
