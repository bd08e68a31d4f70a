"""Waiting cases in a real Redis: served by priority then age, accepted by exactly one agent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.handoff.case import CaseStatus, HandoffCase, Priority, Queue, Turn, case_from_request
from bot.handoff.queues import CaseQueues
from tests.fixtures.redis_server import RedisServer


@pytest.fixture
async def queues(redis_server: RedisServer) -> AsyncIterator[CaseQueues]:
    redis = Redis.from_url(redis_server.url.removesuffix("/0") + "/3")
    await redis.flushdb()  # database 3 of the session's throwaway server is these tests' alone
    yield CaseQueues(redis, average_handle_s=120)
    await redis.close()


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
    return case_from_request("conv-1", request, transcript)


async def test_a_case_carries_what_the_bot_found(queues: CaseQueues) -> None:
    made = case()
    await queues.enqueue(made)
    stored = await queues.get(made.case_id)
    assert stored is not None
    assert stored.identity is not None and stored.identity.method == "account number + postcode"
    assert stored.evidence[0].summary == "customer CUST-000013 (Emily Roberts)"
    assert stored.understanding.top_intent == "request_human" and stored.sentiment_trend == -0.4
    assert "properties" in HandoffCase.schema()  # the documented, versioned schema


async def test_positions_follow_priority_then_age(queues: CaseQueues) -> None:
    first, second, urgent = case(), case(), case(priority="high")
    assert (await queues.enqueue(first)).position == 1
    assert (await queues.enqueue(second)).position == 2
    place = await queues.enqueue(urgent)
    assert place.position == 1 and place.estimated_wait_s == 120
    assert [c.case_id for c in await queues.waiting(Queue.billing)] == [urgent.case_id, first.case_id,
                                                                         second.case_id]  # fmt: skip
    second_place = await queues.place(second.case_id, Queue.billing, agents_online=2)
    assert second_place is not None and second_place.position == 3 and second_place.estimated_wait_s == 180


async def test_two_agents_clicking_at_once_one_wins(queues: CaseQueues) -> None:
    made = case(queue="technical")
    await queues.enqueue(made)
    results = await asyncio.gather(*(queues.accept(made.case_id, Queue.technical, f"agent{i}") for i in range(8)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    stored = await queues.get(made.case_id)
    assert stored is not None and stored.status is CaseStatus.accepted and stored.agent == winners[0].agent
    assert await queues.place(made.case_id, Queue.technical) is None


async def test_a_case_nobody_takes_in_time_is_found_for_reannouncement(queues: CaseQueues) -> None:
    made = case(queue="orders")
    await queues.enqueue(made)
    assert await queues.waiting_longer_than(Queue.orders, 3600) == []
    overdue = await queues.waiting_longer_than(Queue.orders, -1)
    assert [c.case_id for c in overdue] == [made.case_id]


async def test_a_callback_request_leaves_the_queue_but_keeps_the_case(queues: CaseQueues) -> None:
    made = case(priority="urgent")
    await queues.enqueue(made)
    await queues.set_status(made, CaseStatus.callback_requested)
    assert await queues.place(made.case_id, Queue.billing) is None
    stored = await queues.get(made.case_id)
    assert stored is not None and stored.status is CaseStatus.callback_requested
    assert stored.priority is Priority.urgent
