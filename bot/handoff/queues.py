"""Waiting cases in Redis: a stream per queue read through a consumer group, and a priority index beside it.

This module owns every Redis Stream command of the handoff. Per queue (keys in ``keys``):

- ``stream:<queue>``: one entry per announcement of a case to that queue (queued, requeued, transferred in),
  capped with ``MAXLEN ~``. Every gateway reads it in the consumer group ``dispatch`` (``dispatcher``), shows
  new entries to the agent consoles, and leaves each entry pending while its case waits: the pending entries
  list is the queue's list of unaccepted announcements, ``XAUTOCLAIM`` of entries idle longer than
  ``handoff_reannounce_after_s`` is the re-announcement timer (and hands a dead gateway's entries to a live
  one), and the entry is acknowledged (``XACK`` + ``XDEL``) when the case leaves the queue.
- ``waiting:<queue>``: sorted set of waiting case ids scored priority rank x 10^13 + enqueue time in ms, so
  the order is priority then age and ``ZRANK`` is the customer's position. A stream alone is first in, first
  out; the index gives the order agents see and customers are told.

Every change of a case's state is one Lua script, so two agents clicking at once, a sweep on another gateway
replica and a customer choosing a callback can never both win.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.handoff import keys
from bot.handoff.case import CaseStatus, HandoffCase, Priority, Queue

STREAM_MAXLEN = 10_000  # announcements kept per queue; waiting cases are never this many
RANK_SPAN_MS = 10**13  # larger than any epoch-milliseconds value, so priority always outranks age
CASE_TTL_S = 90 * 24 * 3600  # cases stay readable for 90 days (repeat contacts look back 7)

# KEYS: case, state, waiting, stream, conversation, customer (or a dummy), request
# ARGV: case json, case id, queue, priority, score, maxlen, conversation id, created ms, ttl, customer?('1'/'0'),
#       card (what a queue list shows, JSON)
_ENQUEUE = """
if redis.call('SET', KEYS[7], ARGV[2], 'NX', 'EX', ARGV[9]) == false then
  return {0, redis.call('GET', KEYS[7])}
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[9])
local entry = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', 'case_id', ARGV[2], 'event', 'queued')
redis.call('HSET', KEYS[2], 'status', 'waiting', 'queue', ARGV[3], 'priority', ARGV[4], 'score', ARGV[5],
  'entry', entry, 'conversation_id', ARGV[7], 'agent', '', 'reannounced', 0, 'card', ARGV[11])
redis.call('EXPIRE', KEYS[2], ARGV[9])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
redis.call('SET', KEYS[5], ARGV[2], 'EX', ARGV[9])
if ARGV[10] == '1' then
  redis.call('ZADD', KEYS[6], ARGV[8], ARGV[2])
  redis.call('EXPIRE', KEYS[6], ARGV[9])
end
return {1, ARGV[2]}
"""

# A case's announcement leaves its queue's stream: acknowledged for the consumer group, then deleted. Prefixed to
# every script that takes a case out of a queue.
_DROP_ENTRY = """
local function drop_entry(state, stream, group)
  local entry = redis.call('HGET', state, 'entry')
  if entry and entry ~= '' then
    redis.call('XACK', stream, group, entry)
    redis.call('XDEL', stream, entry)
  end
end
"""

# Accept: only a waiting case in the queue the agent saw, only with room in the agent's capacity.
# KEYS: state, waiting, agent cases, stream. ARGV: case id, agent, capacity, now ms, group, queue
# Returns {1, agent} won; {0, holder or status} someone else was first; {-1, n} at capacity; {-2, queue} moved.
_ACCEPT = """
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'waiting' then return {0, redis.call('HGET', KEYS[1], 'agent') or status or 'gone'} end
if redis.call('HGET', KEYS[1], 'queue') ~= ARGV[6] then return {-2, redis.call('HGET', KEYS[1], 'queue')} end
local holding = redis.call('SCARD', KEYS[3])
if holding >= tonumber(ARGV[3]) then return {-1, tostring(holding)} end
if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then return {0, 'gone'} end
redis.call('HSET', KEYS[1], 'status', 'accepted', 'agent', ARGV[2], 'accepted_at', ARGV[4])
redis.call('SADD', KEYS[3], ARGV[1])
drop_entry(KEYS[1], KEYS[4], ARGV[5])
return {1, ARGV[2]}
"""

# Back into a queue (an agent gone past their grace, or a transfer): from accepted (by ARGV[2] if given) or
# waiting. KEYS: state, old waiting, new waiting, old agent cases, old stream, new stream
# ARGV: case id, expected agent or '', new queue, score, group, maxlen, event
_REQUEUE = """
local status = redis.call('HGET', KEYS[1], 'status')
local agent = redis.call('HGET', KEYS[1], 'agent') or ''
if status ~= 'accepted' and status ~= 'waiting' then return 0 end
if ARGV[2] ~= '' and (status ~= 'accepted' or agent ~= ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
if agent ~= '' then redis.call('SREM', KEYS[4], ARGV[1]) end
drop_entry(KEYS[1], KEYS[5], ARGV[5])
local entry = redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[6], '*', 'case_id', ARGV[1], 'event', ARGV[7])
redis.call('HSET', KEYS[1], 'status', 'waiting', 'agent', '', 'queue', ARGV[3], 'score', ARGV[4], 'entry', entry)
if agent ~= '' then redis.call('HSET', KEYS[1], 'last_agent', agent) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return 1
"""

# Out of the queue and out of the agent's hands, with a final (or parked) status, from one of the allowed ones.
# KEYS: state, waiting, agent cases, stream. ARGV: case id, new status, group, agent or '', allowed statuses...
_LEAVE = """
local status = redis.call('HGET', KEYS[1], 'status')
local allowed = false
for i = 5, #ARGV do if ARGV[i] == status then allowed = true end end
if not allowed then return {0, status or 'gone'} end
local agent = redis.call('HGET', KEYS[1], 'agent') or ''
if ARGV[4] ~= '' and status == 'accepted' and agent ~= ARGV[4] then return {0, 'another agent'} end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
drop_entry(KEYS[1], KEYS[4], ARGV[3])
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'entry', '', 'ended_at', tostring(redis.call('TIME')[1]))
if agent ~= '' then redis.call('HSET', KEYS[1], 'last_agent', agent) end
return {1, status}
"""

# Parked: the customer chose a callback or a ticket instead of waiting. Out of the queue, into the queue's list of
# parked cases (and the callbacks' list), in one step. KEYS: state, waiting, stream, parked, callbacks
# ARGV: case id, new status, group, now ms
_PARK = """
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'waiting' then return {0, status or 'gone'} end
redis.call('ZREM', KEYS[2], ARGV[1])
drop_entry(KEYS[1], KEYS[3], ARGV[3])
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'entry', '', 'ended_at', tostring(redis.call('TIME')[1]))
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
if ARGV[2] == 'callback_requested' then redis.call('ZADD', KEYS[5], math.floor(ARGV[4] / 1000), ARGV[1]) end
return {1, status}
"""

# Withdrawn: the customer no longer wants a person. Out of the queue, or off the parked lists, in one step, from
# waiting or parked only (an agent who accepted first keeps the chat). KEYS: state, waiting, stream, parked,
# callbacks. ARGV: case id, group. Returns {1, status before} or {0, status now}.
_WITHDRAW = """
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'waiting' and status ~= 'callback_requested' and status ~= 'ticket_requested' then
  return {0, status or 'gone'}
end
redis.call('ZREM', KEYS[2], ARGV[1])
drop_entry(KEYS[1], KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'withdrawn', 'entry', '', 'ended_at', tostring(redis.call('TIME')[1]))
return {1, status}
"""

# Pick up a parked case: like accept, from callback_requested or ticket_requested, and only while it is still
# the conversation's current case (a newer handoff of the same chat is the one to take).
# KEYS: state, agent cases, parked, callbacks, conversation. ARGV: case id, agent, capacity, now ms, queue
# Returns {1, agent} won; {0, holder or status} not parked (any more); {-1, n} at capacity; {-2, queue} moved;
# {-3, current case} superseded.
_PICK_UP = """
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'callback_requested' and status ~= 'ticket_requested' then
  if status == 'accepted' then return {0, redis.call('HGET', KEYS[1], 'agent')} end
  return {0, status or 'gone'}
end
if redis.call('HGET', KEYS[1], 'queue') ~= ARGV[5] then return {-2, redis.call('HGET', KEYS[1], 'queue')} end
local current = redis.call('GET', KEYS[5])
if current ~= ARGV[1] then return {-3, current or ''} end
local holding = redis.call('SCARD', KEYS[2])
if holding >= tonumber(ARGV[3]) then return {-1, tostring(holding)} end
redis.call('HSET', KEYS[1], 'status', 'accepted', 'agent', ARGV[2], 'accepted_at', ARGV[4])
redis.call('HDEL', KEYS[1], 'ended_at')
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return {1, ARGV[2]}
"""

# What the customer was last told about their place: set it, and say whether it changed (so of two gateways
# refreshing places at once only one tells the customer). KEYS: state. ARGV: told.
_TELL = """
if redis.call('HGET', KEYS[1], 'told') == ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'told', ARGV[1])
return 1
"""


PARKED_STATUSES = (CaseStatus.callback_requested.value, CaseStatus.ticket_requested.value)
WITHDRAWABLE_STATUSES = (CaseStatus.waiting.value, *PARKED_STATUSES)


def score(priority: Priority, enqueued_ms: int) -> int:
    return priority.rank * RANK_SPAN_MS + enqueued_ms


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Place:
    position: int
    """1 for the next case an agent will take."""
    estimated_wait_s: int


@dataclass(frozen=True)
class Card:
    """A waiting case as queue lists and customers' places need it: read from its state, never its body."""

    case_id: str
    conversation_id: str
    queue: Queue
    reannounced: int
    position: int
    fields: dict[str, Any]

    def summary(self, now_s: float) -> dict[str, Any]:
        created = datetime.fromisoformat(self.fields["created_at"]).timestamp()
        waited = int(now_s - created)
        return {**self.fields, "queue": self.queue.value, "status": "waiting", "agent": None,
                "reannounced": self.reannounced, "position": self.position, "waited_s": waited}  # fmt: skip


def card(case: HandoffCase) -> dict[str, Any]:
    return {
        "case_id": case.case_id, "conversation_id": case.conversation_id, "priority": case.priority.value,
        "priority_reasons": case.priority_reasons, "reason": case.reason, "summary": case.summary[:300],
        "customer": case.identity.name if case.identity else None, "created_at": case.created_at.isoformat(),
    }  # fmt: skip


@dataclass(frozen=True)
class AcceptResult:
    case: HandoffCase | None
    problem: str | None = None
    """``taken`` (with ``holder``), ``at_capacity``, ``moved``, ``superseded`` (picking up: the conversation has
    a newer case, ``holder``) or ``gone`` when ``case`` is ``None``."""
    holder: str | None = None


@dataclass(frozen=True)
class Announcement:
    """A stream entry read by a gateway: a case to show on the consoles."""

    queue: Queue
    entry_id: str
    case_id: str
    event: str


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


class CaseQueues:
    def __init__(self, redis: Redis[bytes], average_handle_s: float = 300.0) -> None:
        self._redis = redis
        self._average_handle_s = average_handle_s
        self._enqueue = redis.register_script(_ENQUEUE)
        self._accept = redis.register_script(_DROP_ENTRY + _ACCEPT)
        self._requeue = redis.register_script(_DROP_ENTRY + _REQUEUE)
        self._leave = redis.register_script(_DROP_ENTRY + _LEAVE)
        self._tell = redis.register_script(_TELL)
        self._park = redis.register_script(_DROP_ENTRY + _PARK)
        self._pick_up = redis.register_script(_PICK_UP)
        self._withdraw = redis.register_script(_DROP_ENTRY + _WITHDRAW)

    # ---------------------------------------------------------------- queue membership

    async def ensure_groups(self) -> None:
        """Create each queue's consumer group (from the stream's start, so nothing enqueued before is missed)."""
        for queue in Queue:
            try:
                await self._redis.xgroup_create(keys.stream(queue), keys.GROUP, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

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
                case.json(), case.case_id, case.queue.value, case.priority.value, score(case.priority, created_ms),
                STREAM_MAXLEN, case.conversation_id, created_ms, CASE_TTL_S, "1" if customer else "0",
                json.dumps(card(case)),
            ],
        )  # fmt: skip
        if not int(created):
            existing = await self.get(_text(case_id))
            return (existing or case), False
        return case, True

    async def place(self, case_id: str, queue: Queue, agents_online: int = 1) -> Place | None:
        rank = await self._redis.zrank(keys.waiting(queue), case_id)
        if rank is None:
            return None
        position = int(rank) + 1
        return Place(position, int(position * self._average_handle_s / max(agents_online, 1)))

    async def waiting_ids(self, queue: Queue, limit: int = 200) -> list[str]:
        return [_text(i) for i in await self._redis.zrange(keys.waiting(queue), 0, limit - 1)]

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
            fields = {_text(k): _text(v) for k, v in raw.items()}
            if fields.get("card"):
                again = int(fields.get("reannounced") or 0)
                conversation_id = fields.get("conversation_id", "")
                found.append(Card(case_id, conversation_id, queue, again, position, json.loads(fields["card"])))
        return found

    async def parked(self, queue: Queue, now_s: float, limit: int = 200) -> list[dict[str, Any]]:
        """The queue's callbacks and tickets, oldest first, as queue lists show them (``waited_s``: since parked).

        Ids whose state expired or moved on are dropped from the list as they are found."""
        found = await self._redis.zrange(keys.parked(queue), 0, limit - 1, withscores=True)
        async with self._redis.pipeline(transaction=False) as pipe:
            for member, _ in found:
                pipe.hgetall(keys.state(_text(member)))
            states = await pipe.execute()
        listed: list[dict[str, Any]] = []
        stale: list[str] = []
        for (raw_id, parked_ms), raw in zip(found, states, strict=True):
            case_id = _text(raw_id)
            fields = {_text(k): _text(v) for k, v in raw.items()}
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
        fields = {_text(k): _text(v) for k, v in (state or {}).items()}
        if fields.get("status"):
            data["status"] = fields["status"]
            data["queue"] = fields.get("queue") or data["queue"]
            data["priority"] = fields.get("priority") or data["priority"]
            data["agent"] = fields.get("agent") or fields.get("last_agent") or None
            data["reannounced"] = int(fields.get("reannounced") or 0)
            if fields.get("accepted_at"):
                data["accepted_at"] = datetime.fromtimestamp(int(fields["accepted_at"]) / 1000, timezone.utc)
            if fields.get("ended_at"):
                data["ended_at"] = datetime.fromtimestamp(int(fields["ended_at"]), timezone.utc)
            if fields.get("transfers"):
                data["transfers"] = json.loads(fields["transfers"])
            if fields.get("disposition"):
                data["disposition"] = json.loads(fields["disposition"])
        data["notes"] = [json.loads(n) for n in notes]
        data["diagnostics"] = [json.loads(d) for d in diagnostics]
        data["tickets"] = [json.loads(t) for t in tickets]
        return HandoffCase.parse_obj(data)

    async def state(self, case_id: str) -> dict[str, str]:
        return {_text(k): _text(v) for k, v in (await self._redis.hgetall(keys.state(case_id))).items()}

    async def case_of_conversation(self, conversation_id: str) -> str | None:
        found = await self._redis.get(keys.conversation(conversation_id))
        return _text(found) or None

    async def recent_cases_of(self, customer_id: str, within_s: float, excluding: str) -> list[str]:
        since = now_ms() - int(within_s * 1000)
        found = await self._redis.zrangebyscore(keys.customer(customer_id), since, "+inf")
        return [_text(c) for c in found if _text(c) != excluding]

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
        outcome, detail_text = int(won), _text(detail)
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
        outcome, detail_text = int(won), _text(detail)
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
        return bool(int(done)), _text(before)

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
        return bool(int(done)), _text(status)

    async def agent_case_ids(self, agent: str) -> list[str]:
        return sorted(_text(c) for c in await self._redis.smembers(keys.agent_cases(agent)))

    # ---------------------------------------------------------------- the stream, read by gateways

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
    values = {_text(k): _text(v) for k, v in fields.items()}
    return Announcement(queue, _text(entry_id), values.get("case_id", ""), values.get("event", "queued"))


def _announcements(response: Any) -> list[Announcement]:
    found = []
    for stream_name, entries in response or []:
        queue = Queue(_text(stream_name).rsplit(":", 1)[1])
        for entry_id, fields in entries:
            if fields:
                found.append(_announcement(queue, entry_id, fields))
    return found
