"""Waiting cases in a real Redis: served by priority then age, accepted by exactly one agent."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.handoff import keys
from bot.handoff.case import CaseStatus, HandoffCase, Priority, Queue, Turn, case_from_request
from bot.handoff.queues import CaseQueues, Place
from bot.handoff.streams import QueueStreams
from core.contracts.handoff import HandoffRequest
from tests.fixtures.redis_server import RedisServer


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url.removesuffix("/0") + "/3")
    await client.flushdb()  # database 3 of the session's throwaway server is these tests' alone
    yield client
    await client.aclose()


@pytest.fixture
def queues(redis: Redis) -> CaseQueues:
    return CaseQueues(redis, average_handle_s=120)


@pytest.fixture
def streams(redis: Redis) -> QueueStreams:
    return QueueStreams(redis)


def case(queue: str = "billing", priority: str = "normal", reason: str = "customer_request") -> HandoffCase:
    request = {
        "queue": queue, "priority": priority, "reason": reason, "summary": "Customer asked for a person.",
        "identity": {"customer_id": "CUST-000013", "name": "Emily Roberts", "account_ids": ["AC10000013"],
                     "method": "account number + postcode"},
        "evidence": [{"api": "customerManagement", "operation": "find_customer", "target": "AC10000013",
                      "started_at": "2026-11-22T00:00:00Z", "latency_ms": 12.5, "outcome": "ok", "status": 200,
                      "summary": "customer CUST-000013 (Emily Roberts)"}],
        "findings": {"bill_difference": "19.99"},
        "last_intent": {"name": "request_human", "confidence": 0.98},
    }  # fmt: skip
    transcript = [Turn(speaker="customer", text="I want a person", sentiment=-0.4)]
    return case_from_request("conv-1", HandoffRequest.model_validate(request), transcript)


async def test_a_handoff_request_becomes_one_case_only(queues: CaseQueues) -> None:
    first, again = case(), case()
    stored, created = await queues.enqueue(first, "triage:handoff:request:conv-1:7")
    repeated, created_again = await queues.enqueue(again, "triage:handoff:request:conv-1:7")
    assert created and not created_again and repeated.case_id == stored.case_id
    assert await queues.count(Queue.billing) == 1


async def test_a_case_carries_what_the_bot_found(queues: CaseQueues) -> None:
    made = case()
    await queues.enqueue(made)
    stored = await queues.get(made.case_id)
    assert stored is not None
    assert stored.identity is not None and stored.identity.method == "account number + postcode"
    assert stored.evidence[0].summary == "customer CUST-000013 (Emily Roberts)"
    assert stored.understanding.top_intent == "request_human" and stored.sentiment_trend == -0.4
    assert "properties" in HandoffCase.model_json_schema()  # the documented, versioned schema


async def test_positions_follow_priority_then_age(queues: CaseQueues) -> None:
    first = case()
    await asyncio.sleep(0.002)  # a later case, by the clock
    second, urgent = case(), case(priority="high")
    for made in (first, second, urgent):
        await queues.enqueue(made)
    assert (await queues.place(second.case_id, Queue.billing)) == Place(3, 360)
    place = await queues.place(urgent.case_id, Queue.billing)
    assert place is not None and place.position == 1 and place.estimated_wait_s == 120
    assert [c.case_id for c in await queues.waiting(Queue.billing)] == [urgent.case_id, first.case_id,
                                                                         second.case_id]  # fmt: skip
    second_place = await queues.place(second.case_id, Queue.billing, agents_online=2)
    assert second_place is not None and second_place.position == 3 and second_place.estimated_wait_s == 180


async def test_two_agents_clicking_at_once_one_wins(queues: CaseQueues) -> None:
    made = case(queue="technical")
    await queues.enqueue(made)
    results = await asyncio.gather(*(queues.accept(made.case_id, Queue.technical, f"agent{i}") for i in range(8)))
    winners = [r.case for r in results if r.case is not None]
    assert len(winners) == 1
    losers = [r for r in results if r.case is None]
    assert {r.problem for r in losers} == {"taken"} and {r.holder for r in losers} == {winners[0].agent}
    stored = await queues.get(made.case_id)
    assert stored is not None and stored.status is CaseStatus.accepted and stored.agent == winners[0].agent
    assert await queues.place(made.case_id, Queue.technical) is None


async def test_an_agent_at_capacity_cannot_take_another(queues: CaseQueues) -> None:
    first, second = case(), case()
    await queues.enqueue(first)
    await queues.enqueue(second)
    assert (await queues.accept(first.case_id, Queue.billing, "dana", capacity=1)).case is not None
    refused = await queues.accept(second.case_id, Queue.billing, "dana", capacity=1)
    assert refused.case is None and refused.problem == "at_capacity"
    assert (await queues.place(second.case_id, Queue.billing)) is not None  # still waiting for someone else


async def test_each_queue_is_a_stream_read_by_a_consumer_group(queues: CaseQueues, streams: QueueStreams) -> None:
    await streams.ensure_groups()
    made = case(queue="orders")
    await queues.enqueue(made)
    [announced] = await streams.read_new("gateway-a", block_ms=100)
    assert (announced.queue, announced.case_id, announced.event) == (Queue.orders, made.case_id, "queued")
    assert await streams.read_new("gateway-b", block_ms=10) == []  # one gateway announces each entry
    # A gateway restarted under the same name first reads what it left unfinished.
    assert [a.case_id for a in await streams.read_own_pending("gateway-a")] == [made.case_id]
    # Nobody accepted it in time: any gateway claims the entry to announce it again.
    [overdue] = await streams.claim_overdue("gateway-b", min_idle_s=0)
    assert overdue.case_id == made.case_id
    await queues.accept(made.case_id, Queue.orders, "dana")
    assert await streams.claim_overdue("gateway-b", min_idle_s=0) == []  # accepting acknowledged the entry


async def test_a_transfer_moves_the_case_to_the_other_queue_stream(queues: CaseQueues, streams: QueueStreams) -> None:
    await streams.ensure_groups()
    made = case(queue="technical")
    await queues.enqueue(made)
    await streams.read_new("gateway-a", block_ms=100)
    await queues.accept(made.case_id, Queue.technical, "dana")
    assert await queues.requeue(made.case_id, to_queue=Queue.billing, from_agent="dana", event="transferred")
    moved = await queues.get(made.case_id)
    assert moved is not None and moved.queue is Queue.billing and moved.status is CaseStatus.waiting
    assert moved.transfers == ["technical"] and await queues.agent_case_ids("dana") == []
    [announced] = await streams.read_new("gateway-a", block_ms=100)
    assert (announced.queue, announced.event) == (Queue.billing, "transferred")


async def test_an_agent_gone_too_long_returns_the_case_to_its_place(queues: CaseQueues) -> None:
    older = case()
    await asyncio.sleep(0.002)
    newer = case()
    await queues.enqueue(older)
    await queues.enqueue(newer)
    await queues.accept(older.case_id, Queue.billing, "dana")
    assert not await queues.requeue(older.case_id, from_agent="sam")  # only the holder's cases
    assert await queues.requeue(older.case_id, from_agent="dana")
    place = await queues.place(older.case_id, Queue.billing)
    assert place is not None and place.position == 1  # ahead of the newer case, as before


async def test_a_callback_request_leaves_the_queue_but_keeps_the_case(queues: CaseQueues) -> None:
    made = case(priority="urgent")
    await queues.enqueue(made)
    done, before = await queues.leave(made.case_id, CaseStatus.callback_requested, (CaseStatus.waiting,))
    assert done and before == "waiting"
    assert await queues.place(made.case_id, Queue.billing) is None
    stored = await queues.get(made.case_id)
    assert stored is not None and stored.status is CaseStatus.callback_requested
    assert stored.priority is Priority.urgent


async def test_a_parked_case_is_listed_and_picked_up_by_exactly_one_agent(queues: CaseQueues) -> None:
    made = case(queue="technical")
    await queues.enqueue(made)
    assert await queues.park(made.case_id, CaseStatus.callback_requested)
    assert not await queues.park(made.case_id, CaseStatus.ticket_requested)  # parked once
    [listed] = await queues.parked(Queue.technical, time.time())
    assert (listed["case_id"], listed["status"], listed["customer"]) == (made.case_id, "callback_requested",
                                                                         "Emily Roberts")  # fmt: skip
    assert await queues.parked(Queue.billing, time.time()) == []
    picks = [queues.pick_up(made.case_id, Queue.technical, f"agent{i}", capacity=3) for i in range(8)]
    results = await asyncio.gather(*picks)
    [winner] = [r.case for r in results if r.case is not None]
    assert {(r.problem, r.holder) for r in results if r.case is None} == {("taken", winner.agent)}
    assert winner.status is CaseStatus.accepted and winner.ended_at is None
    assert await queues.agent_case_ids(winner.agent or "") == [made.case_id]
    assert await queues.parked(Queue.technical, time.time()) == []
    assert await queues._redis.zscore(keys.CALLBACKS, made.case_id) is None
    assert (await queues.pick_up(made.case_id, Queue.technical, "late")).problem == "taken"


async def test_picking_up_respects_capacity_queue_and_a_newer_case_of_the_chat(queues: CaseQueues) -> None:
    older = case()
    await queues.enqueue(older)
    assert await queues.park(older.case_id, CaseStatus.ticket_requested)
    assert (await queues.pick_up(older.case_id, Queue.technical, "dana")).problem == "moved"
    assert (await queues.pick_up(older.case_id, Queue.billing, "dana", capacity=0)).problem == "at_capacity"
    newer = case()  # the same conversation escalated again: its new case is the one to take
    await queues.enqueue(newer)
    refused = await queues.pick_up(older.case_id, Queue.billing, "dana")
    assert (refused.problem, refused.holder) == ("superseded", newer.case_id)
    assert [c["case_id"] for c in await queues.parked(Queue.billing, time.time())] == [older.case_id]


async def test_a_withdrawn_case_leaves_the_queue_and_those_behind_move_up(
    queues: CaseQueues, streams: QueueStreams
) -> None:
    await streams.ensure_groups()
    made_in_order = []
    for _ in range(3):  # a millisecond apart: the queue's order is by age
        made_in_order.append(case())
        await queues.enqueue(made_in_order[-1])
        await asyncio.sleep(0.002)
    first, second, third = made_in_order
    await streams.read_new("gateway-a", block_ms=100)
    assert await queues.withdraw(first.case_id) == (True, "waiting")
    assert await queues.waiting_ids(Queue.billing) == [second.case_id, third.case_id]
    assert (await queues.place(second.case_id, Queue.billing)) == Place(1, 120)
    assert (await queues.place(third.case_id, Queue.billing)) == Place(2, 240)
    stored = await queues.get(first.case_id)
    assert stored is not None and stored.status is CaseStatus.withdrawn and stored.ended_at is not None
    # Its announcement is done: never re-announced, never accepted.
    assert [a.case_id for a in await streams.claim_overdue("gateway-b", min_idle_s=0)] == [
        second.case_id,
        third.case_id,
    ]
    assert (await queues.accept(first.case_id, Queue.billing, "dana")).problem == "gone"
    assert await queues.withdraw(first.case_id) == (False, "withdrawn")  # once


async def test_a_parked_case_may_be_withdrawn_an_accepted_one_may_not(queues: CaseQueues) -> None:
    parked, accepted = case(queue="technical"), case(queue="technical")
    await queues.enqueue(parked)
    await queues.enqueue(accepted)
    assert await queues.park(parked.case_id, CaseStatus.callback_requested)
    assert await queues.withdraw(parked.case_id) == (True, "callback_requested")
    assert await queues.parked(Queue.technical, time.time()) == []
    assert await queues._redis.zscore(keys.CALLBACKS, parked.case_id) is None
    assert (await queues.pick_up(parked.case_id, Queue.technical, "dana")).problem == "gone"

    assert (await queues.accept(accepted.case_id, Queue.technical, "dana")).case is not None
    assert await queues.withdraw(accepted.case_id) == (False, "accepted")  # the agent was first: the chat is theirs
    assert await queues.agent_case_ids("dana") == [accepted.case_id]
    assert await queues.withdraw("CASE-000000000000") == (False, "gone")
