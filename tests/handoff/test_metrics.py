"""The supervisor's figures on a real Redis, from constructed cases, console messages and chats: offered,
answered, abandoned, wait, first reply and handle time (nearest-rank p50/p90) and satisfaction, per queue and
per agent, counted exactly once whichever gateway heard each message."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from bot.chat.store import HISTORY, ChatStore
from bot.handoff.case import HandoffCase, Turn, case_from_request
from bot.handoff.journal import CaseJournal
from bot.handoff.metrics import percentile, period_figures
from bot.handoff.queues import CaseQueues
from core.contracts.handoff import HandoffRequest
from learning.satisfaction import SatisfactionAnswer, SatisfactionStore
from tests.fixtures.redis_server import RedisServer

DAY = 86400.0


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis[bytes]]:
    client: Redis[bytes] = Redis.from_url(redis_server.url.removesuffix("/0") + "/9")
    await client.flushdb()  # database 9 of the session's throwaway server is these tests' alone
    yield client
    await client.close()


class World:
    """Cases as the handoff service leaves them in Redis, and its console messages as every gateway hears them."""

    def __init__(self, redis: Redis[bytes]) -> None:
        self.redis = redis
        self.queues = CaseQueues(redis)
        self.journal = CaseJournal(redis)
        self.store = ChatStore(redis)
        self.answers = SatisfactionStore(redis, 180)

    async def case(self, queue: str, created: float, conversation: str) -> HandoffCase:
        request = {"queue": queue, "reason": "customer_request", "summary": "Wants a person."}
        case = case_from_request(
            conversation, HandoffRequest.model_validate(request), [Turn(speaker="customer", text="a person please")]
        )
        case = case.model_copy(update={"created_at": datetime.fromtimestamp(created, UTC)})
        await self.queues.enqueue(case)
        return case

    async def hear(self, case: HandoffCase, event: str, at: float, was: str = "", **extra: object) -> None:
        """One console message, heard by two gateways (it must count once)."""
        about = {"case_id": case.case_id, **({"was": was} if was else {})}
        raw = json.dumps({"v": 1, "at": at, "type": "case", "event": event, "case": about, **extra})
        await self.journal.hear(raw)
        await self.journal.hear(raw)

    async def accept(self, case: HandoffCase, agent: str, at: float, queue: str) -> None:
        await self.queues.set_fields(case.case_id, status="accepted", agent=agent, accepted_at=str(int(at * 1000)))
        await self.hear(case, "accepted", at + 0.01, agent=agent, queue=queue)

    async def agent_says(self, case: HandoffCase, at: float) -> None:
        entry = {
            "kind": "message",
            "from": "agent",
            "ts": int(at * 1000),
            "body": {"text": "Hello"},
            "agent_name": "Dana",
        }
        await self.redis.rpush(HISTORY.format(id=case.conversation_id), json.dumps(entry))

    async def rate(self, case: HandoffCase, score: int, at: float, agent: str, queue: str) -> None:
        answer = SatisfactionAnswer(
            conversation_id=case.conversation_id, survey_id=f"s-{case.case_id}", score=score, at=at,
            handled_by="agent", agent=agent, queue=queue, case_id=case.case_id,
        )  # fmt: skip
        await self.answers.record(answer)


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([10, 20, 30, 40], 0.5) == 20
    assert percentile([10, 20, 30, 40], 0.9) == 40
    assert percentile([40, 10, 30, 20, 50], 0.5) == 30
    assert percentile([7], 0.9) == 7
    assert percentile([], 0.5) is None


async def test_figures_of_a_day_per_queue_and_per_agent(redis: Redis[bytes]) -> None:
    world = World(redis)
    t0 = float(int(time.time()) - 3 * 3600)
    # Five billing chats Dana answered: waits 10..50 s, first replies 5..45 s, handled 100..500 s, then ended.
    for i in range(5):
        case = await world.case("billing", t0 + i * 600, f"conv-b{i}")
        accepted = t0 + i * 600 + 10 * (i + 1)
        await world.accept(case, "dana", accepted, "billing")
        await world.agent_says(case, accepted - 3)  # before the accept (the bot's turn): not a reply
        await world.agent_says(case, accepted + 5 + 10 * i)
        await world.agent_says(case, accepted + 60 + 10 * i)
        await world.hear(case, "closed", accepted + 100 * (i + 1), agent="dana", queue="billing")
        await world.rate(case, [5, 4, 2, 5, 1][i], accepted + 100 * (i + 1) + 30, "dana", "billing")
    # One customer withdrew from the general queue after 2 minutes; one chose a callback (not abandoned).
    gone = await world.case("general", t0 + 60, "conv-g1")
    await world.hear(gone, "withdrawn", t0 + 180, queue="general", was="waiting")
    parked = await world.case("general", t0 + 70, "conv-g2")
    await world.hear(parked, "callback_requested", t0 + 90, queue="general")
    # Lena took a billing chat after 60 s and transferred it to technical: offered there too, waiting since.
    moved = await world.case("billing", t0 + 4000, "conv-t1")
    await world.accept(moved, "lena", t0 + 4060, "billing")
    await world.queues.set_fields(moved.case_id, status="waiting", agent="", queue="technical")
    await world.hear(moved, "transferred_out", t0 + 4160, agent="lena", queue="billing")
    # Ria took a general chat after 30 s, vanished for 5 min, and Dana took it after it waited again: one offer,
    # answered once (by Ria), two holds.
    lost = await world.case("general", t0 + 5000, "conv-r1")
    await world.accept(lost, "ria", t0 + 5030, "general")
    await world.queues.set_fields(lost.case_id, status="waiting", agent="")
    await world.hear(lost, "requeued_from", t0 + 5330, agent="ria", queue="general")
    await world.accept(lost, "dana", t0 + 5400, "general")
    # Ten days ago: outside today's figures.
    old = await world.case("billing", t0 - 10 * DAY, "conv-old")
    await world.accept(old, "dana", t0 - 10 * DAY + 5, "billing")

    result = await period_figures(world.journal, world.store, world.answers, t0 - 60, time.time())

    assert result["empty"] is False
    queues = {q["queue"]: q for q in result["queues"]}
    billing = queues["billing"]
    assert (billing["offered"], billing["answered"], billing["abandoned"]) == (6, 6, 0)
    assert billing["wait"] == {"n": 6, "p50": 30.0, "p90": 60.0}
    assert billing["handle"] == {"n": 6, "p50": 200.0, "p90": 500.0}  # Lena's 100 s too
    assert billing["first_reply"] == {"n": 5, "p50": 25.0, "p90": 45.0}  # Lena never wrote
    assert billing["satisfaction"] == {"count": 5, "mean": 3.4, "share_4_5": 0.6}
    general = queues["general"]
    assert (general["offered"], general["answered"], general["abandoned"]) == (3, 1, 1)
    assert general["wait"] == {"n": 1, "p50": 30.0, "p90": 30.0}
    assert general["handle"] == {"n": 1, "p50": 300.0, "p90": 300.0}  # Dana's hold is still open
    assert (queues["technical"]["offered"], queues["technical"]["answered"]) == (1, 0)
    agents = {a["agent"]: a for a in result["agents"]}
    assert agents["dana"]["answered"] == 5 and agents["dana"]["wait"] == {"n": 5, "p50": 30.0, "p90": 50.0}
    assert agents["dana"]["handle"] == {"n": 5, "p50": 300.0, "p90": 500.0}
    assert agents["lena"]["handle"] == {"n": 1, "p50": 100.0, "p90": 100.0}
    assert agents["ria"]["answered"] == 1 and agents["ria"]["handle"]["n"] == 1
    assert result["total"]["offered"] == 10 and result["total"]["answered"] == 7 and result["total"]["abandoned"] == 1
    assert set(result["explained"]) == {"offered", "answered", "abandoned", "wait", "first_reply", "handle",
                                        "satisfaction"}  # fmt: skip


async def test_a_reassigned_chat_ends_one_hold_and_starts_another_without_a_second_answer(redis: Redis[bytes]) -> None:
    world = World(redis)
    t0 = float(int(time.time()) - 3600)
    case = await world.case("technical", t0, "conv-r1")
    await world.accept(case, "dana", t0 + 20, "technical")
    await world.queues.set_fields(case.case_id, agent="lena", accepted_at=str(int((t0 + 320) * 1000)))
    await world.hear(case, "accepted", t0 + 320, agent="lena", queue="technical", reassigned_from="dana", by="sam")
    await world.agent_says(case, t0 + 335)
    await world.hear(case, "handed_back", t0 + 920, agent="lena", queue="technical")

    result = await period_figures(world.journal, world.store, world.answers, t0 - 1, time.time())

    technical = result["queues"][0]
    assert (technical["queue"], technical["offered"], technical["answered"]) == ("technical", 1, 1)
    assert technical["handle"] == {"n": 2, "p50": 300.0, "p90": 600.0}
    agents = {a["agent"]: a for a in result["agents"]}
    assert agents["dana"]["answered"] == 1 and agents["dana"]["handle"]["p50"] == 300.0
    assert agents["lena"]["answered"] == 0 and agents["lena"]["first_reply"] == {"n": 1, "p50": 15.0, "p90": 15.0}


async def test_an_empty_period_says_so(redis: Redis[bytes]) -> None:
    world = World(redis)
    result = await period_figures(world.journal, world.store, world.answers, time.time() - DAY, time.time())
    assert result["empty"] is True and result["queues"] == [] and result["agents"] == []
    assert result["total"]["wait"] == {"n": 0, "p50": None, "p90": None}
