"""The handoff service on its own: a typed request becomes a queued case; agents accept, hand back and transfer
it; refusals are domain errors. A real Redis and a Rasa stand-in on loopback; no web server, no console."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.conversations import Holder
from bot.handoff.case import CaseStatus, HandoffCase
from core.contracts.handoff import HandoffRequest, Identity
from core.contracts.queues import Priority, Queue
from core.errors import Conflict, NotFound, Unprocessable
from tests.bot.gateway_parts import GatewayParts, gateway_parts
from tests.bot.rasa_standin import HAND_BACK_TEXT
from tests.fixtures.redis_server import RedisServer

EMILY = Identity(customer_id="CUST-000013", name="Emily Roberts", method="account number + postcode")


@pytest.fixture
async def parts(redis_server: RedisServer) -> AsyncIterator[GatewayParts]:
    async with gateway_parts(redis_server) as built:
        yield built


async def escalated(parts: GatewayParts, queue: Queue = Queue.technical, **fields: object) -> HandoffCase:
    conversation = await parts.new_conversation()
    [seq] = await parts.customer_says(conversation, "my broadband keeps dropping")
    request = HandoffRequest(reason="home_fix_failed", queue=queue, summary="Drops every hour.", **fields)  # type: ignore[arg-type]
    case = await parts.handoff.escalate(conversation, request, seq)
    assert case is not None
    return case


async def test_a_request_becomes_a_case_in_its_queue_with_what_the_bot_found(parts: GatewayParts) -> None:
    case = await escalated(parts, identity=EMILY, findings={"line_test": "fail"}, priority=Priority.high)
    [card] = await parts.handoff.queues.cards(Queue.technical)
    stored = await parts.handoff.queues.get(card.case_id)
    assert stored is not None and stored.case_id == case.case_id
    assert stored.identity == EMILY and stored.findings == {"line_test": "fail"}
    assert stored.priority is Priority.high and stored.status is CaseStatus.waiting
    # Nobody is online: the customer is told so, with the callback and ticket offers, and keeps their place.
    steps = [b["handoff"] for b in await parts.bodies(case.conversation_id) if "handoff" in b]
    assert steps == ["no_agent"]


async def test_the_same_request_seen_twice_makes_one_case(parts: GatewayParts) -> None:
    case = await escalated(parts)
    again = await parts.handoff.escalate(case.conversation_id, HandoffRequest(reason="home_fix_failed"), 1)
    assert again is not None and again.case_id == case.case_id
    assert await parts.handoff.queues.count(Queue.technical) == 1


async def test_one_agent_accepts_the_other_is_told_who_was_first(parts: GatewayParts) -> None:
    case = await escalated(parts)
    accepted = await parts.handoff.accept(case.case_id, "dana")
    assert accepted.status is CaseStatus.accepted and accepted.agent == "dana"
    assert await parts.conversations.holder(case.conversation_id) is Holder.agent
    with pytest.raises(Conflict) as refused:
        await parts.handoff.accept(case.case_id, "sam")
    assert refused.value.code == "already_taken" and "Dana" in refused.value.message
    with pytest.raises(NotFound):
        await parts.handoff.accept("CASE-NOSUCHCASE", "sam")


async def test_an_agent_hands_the_customer_back_to_the_bot_which_speaks_again(parts: GatewayParts) -> None:
    case = await escalated(parts)
    await parts.handoff.accept(case.case_id, "dana")
    back = await parts.handoff.hand_back(case.case_id, "dana")
    assert back.status is CaseStatus.handed_back
    assert await parts.conversations.holder(case.conversation_id) is Holder.bot
    shown = await parts.bodies(case.conversation_id)
    assert shown[-2:] == [{"handoff": "handed_back"}, {"bot": {"text": HAND_BACK_TEXT}}]
    with pytest.raises(Conflict) as refused:
        await parts.handoff.hand_back(case.case_id, "dana")  # not theirs any more
    assert refused.value.code == "not_your_chat"


async def test_a_transfer_moves_the_case_and_tells_the_customer_the_new_team(parts: GatewayParts) -> None:
    case = await escalated(parts)
    await parts.handoff.accept(case.case_id, "dana")
    with pytest.raises(Unprocessable):
        await parts.handoff.transfer(case.case_id, "dana", Queue.technical)
    moved = await parts.handoff.transfer(case.case_id, "dana", Queue.billing)
    assert moved.queue is Queue.billing and moved.status is CaseStatus.waiting and moved.transfers == ["technical"]
    assert [c.case_id for c in await parts.handoff.queues.cards(Queue.billing)] == [case.case_id]
    assert await parts.handoff.queues.cards(Queue.technical) == []
    said = [b["system"]["text"] for b in await parts.bodies(case.conversation_id) if "system" in b]
    assert said[-1] == "Dana passed you to our billing team, with everything so far."


async def test_messages_while_waiting_go_to_the_tracker_and_cancel_takes_the_customer_out(
    parts: GatewayParts,
) -> None:
    case = await escalated(parts)
    [seq] = await parts.customer_says(case.conversation_id, "it dropped again")
    entry = {"text": "it dropped again", "seq": seq, "client_id": "client-0002"}
    assert await parts.handoff.customer_message(case.conversation_id, entry) is None
    await parts.handoff.recorder.flush(case.conversation_id)
    assert [e["text"] for e in parts.rasa.recorded[case.conversation_id]] == ["it dropped again"]
    [seq] = await parts.customer_says(case.conversation_id, "cancel that, I'll wait for the fix")
    cancel = {"text": "cancel that, I'll wait for the fix", "seq": seq, "client_id": "client-0003"}
    assert await parts.handoff.customer_message(case.conversation_id, cancel) == case.case_id
    assert await parts.handoff.queues.count(Queue.technical) == 0
    assert await parts.conversations.holder(case.conversation_id) is Holder.bot
