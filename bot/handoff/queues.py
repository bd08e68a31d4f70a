"""Waiting cases in Redis, per queue, served by priority then age; accepting one is atomic.

Keys (all ``triage:handoff:*``):
- ``case:<id>``: the case as versioned JSON;
- ``waiting:<queue>``: sorted set of waiting case ids, score = priority rank x 10^13 + enqueue time in ms, so
  ZRANK is the customer's position;
- ``events``: a capped stream of lifecycle events (queued, accepted, reannounced) that agent consoles follow.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from redis.asyncio import Redis

from bot.handoff.case import CaseStatus, HandoffCase, Priority, Queue

PREFIX = "triage:handoff"
EVENTS_MAXLEN = 10_000  # consoles only need recent events; cases themselves are kept under case:<id>
RANK_SPAN_MS = 10**13  # larger than any epoch-milliseconds value, so priority always outranks age


def case_key(case_id: str) -> str:
    return f"{PREFIX}:case:{case_id}"


def waiting_key(queue: Queue) -> str:
    return f"{PREFIX}:waiting:{queue.value}"


def score(priority: Priority, enqueued_ms: int) -> int:
    return priority.rank * RANK_SPAN_MS + enqueued_ms


@dataclass(frozen=True)
class Place:
    position: int
    """1 for the next case an agent will take."""
    estimated_wait_s: int


class CaseQueues:
    def __init__(self, redis: Redis[bytes], average_handle_s: float = 240.0) -> None:
        self._redis = redis
        self._average_handle_s = average_handle_s

    async def enqueue(self, case: HandoffCase) -> Place:
        now_ms = int(time.time() * 1000)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(case_key(case.case_id), case.json())
            pipe.zadd(waiting_key(case.queue), {case.case_id: score(case.priority, now_ms)})
            pipe.xadd(f"{PREFIX}:events", self._event("queued", case), maxlen=EVENTS_MAXLEN, approximate=True)
            await pipe.execute()
        return await self.place(case.case_id, case.queue) or Place(1, 0)

    async def place(self, case_id: str, queue: Queue, agents_online: int = 1) -> Place | None:
        rank = await self._redis.zrank(waiting_key(queue), case_id)
        if rank is None:
            return None
        position = int(rank) + 1
        return Place(position, int(position * self._average_handle_s / max(agents_online, 1)))

    async def waiting(self, queue: Queue, limit: int = 100) -> list[HandoffCase]:
        ids = await self._redis.zrange(waiting_key(queue), 0, limit - 1)
        cases = [await self.get(i.decode()) for i in ids]
        return [c for c in cases if c is not None]

    async def get(self, case_id: str) -> HandoffCase | None:
        raw = await self._redis.get(case_key(case_id))
        return HandoffCase.parse_raw(raw) if raw else None

    async def accept(self, case_id: str, queue: Queue, agent: str) -> HandoffCase | None:
        """The case, now the agent's; ``None`` when someone else took it first (or it is gone).

        ZREM is atomic and answers 1 to exactly one caller, so two agents clicking at once cannot both win.
        """
        if not await self._redis.zrem(waiting_key(queue), case_id):
            return None
        case = await self.get(case_id)
        if case is None:
            return None
        accepted = case.copy(
            update={"status": CaseStatus.accepted, "agent": agent, "accepted_at": datetime.now(timezone.utc)}
        )
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(case_key(case_id), accepted.json())
            pipe.xadd(f"{PREFIX}:events", self._event("accepted", accepted), maxlen=EVENTS_MAXLEN, approximate=True)
            await pipe.execute()
        return accepted

    async def waiting_longer_than(self, queue: Queue, seconds: float) -> list[HandoffCase]:
        """Cases nobody accepted in time, to re-announce and to tell their customers."""
        cutoff = datetime.now(timezone.utc).timestamp() - seconds
        return [c for c in await self.waiting(queue) if c.created_at.timestamp() < cutoff]

    async def reannounce(self, case: HandoffCase) -> None:
        await self._redis.xadd(f"{PREFIX}:events", self._event("reannounced", case), maxlen=EVENTS_MAXLEN,
                               approximate=True)  # fmt: skip

    async def set_status(self, case: HandoffCase, status: CaseStatus) -> HandoffCase:
        """Leave the queue with another outcome (callback or ticket requested, closed)."""
        updated = case.copy(update={"status": status})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(waiting_key(case.queue), case.case_id)
            pipe.set(case_key(case.case_id), updated.json())
            await pipe.execute()
        return updated

    @staticmethod
    def _event(kind: str, case: HandoffCase) -> dict[bytes | str, bytes | str | int | float]:
        payload = {"v": 1, "event": kind, "case_id": case.case_id, "queue": case.queue.value,
                   "priority": case.priority.value, "conversation_id": case.conversation_id}  # fmt: skip
        return {"payload": json.dumps(payload)}
