"""Delivery of customer messages to Rasa, and of Rasa's handoff requests to the handoff service (its port):
a real Redis, a Rasa stand-in on loopback, the real handoff service; no web server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.chat.delivery import ASSISTANT_DOWN, OFFER_PERSON, TO_PERSON
from bot.conversations import Holder
from core.contracts.queues import Queue
from tests.bot.gateway_parts import GatewayParts, gateway_parts
from tests.fixtures.redis_server import RedisServer


@pytest.fixture
async def parts(redis_server: RedisServer) -> AsyncIterator[GatewayParts]:
    async with gateway_parts(redis_server) as built:
        yield built


def asks_for_a_person(handoff: object) -> Any:
    """A bot whose every answer is a hand-over carrying ``handoff`` as its request."""

    def reply(text: str) -> list[dict[str, Any]]:
        return [{"text": "I'm passing you to a person now."}, {"custom": {"handoff": handoff}}]

    return reply


async def test_messages_reach_rasa_once_each_in_the_order_sent(parts: GatewayParts) -> None:
    conversation = await parts.new_conversation()
    await parts.customer_says(conversation, "my internet is down", "since this morning", "the light is red")
    await parts.delivery.drain(conversation)
    await parts.delivery.drain(conversation)  # a second drain finds nothing left to send
    assert parts.rasa.texts(conversation) == ["my internet is down", "since this morning", "the light is red"]
    # All three were kept (and acknowledged) before Rasa answered the first; the answers follow in their order.
    assert await parts.bodies(conversation) == [
        {"customer": "my internet is down"},
        {"customer": "since this morning"},
        {"customer": "the light is red"},
        {"bot": {"text": "You said: my internet is down"}},
        {"bot": {"text": "You said: since this morning"}},
        {"bot": {"text": "You said: the light is red"}},
    ]


async def test_a_message_sent_twice_is_kept_and_answered_once(parts: GatewayParts) -> None:
    conversation = await parts.new_conversation()
    entry = {"kind": "customer", "ts": 1, "client_id": "resent-0001", "text": "hello"}
    first = await parts.store.accept_customer(conversation, entry, for_rasa=True, rate_limit=10, rate_window_s=60)
    again = await parts.store.accept_customer(conversation, entry, for_rasa=True, rate_limit=10, rate_window_s=60)
    await parts.delivery.drain(conversation)
    assert (again.seq, again.duplicate) == (first.seq, True)
    assert parts.rasa.texts(conversation) == ["hello"]


async def test_while_rasa_is_down_the_message_waits_and_the_customer_is_told_once(parts: GatewayParts) -> None:
    conversation = await parts.new_conversation()
    parts.rasa.down = True
    await parts.customer_says(conversation, "is there an outage?")
    await parts.delivery.drain(conversation)
    await parts.customer_says(conversation, "hello?")
    await parts.delivery.drain(conversation)
    told = [b for b in await parts.bodies(conversation) if "system" in b]
    assert [b["system"]["text"] for b in told] == [ASSISTANT_DOWN]  # once per outage, with the ways out
    assert parts.rasa.texts(conversation) == []
    parts.rasa.down = False
    await parts.delivery.drain(conversation)
    assert parts.rasa.texts(conversation) == ["is there an outage?", "hello?"]  # nothing lost, order kept


async def test_the_bots_handoff_request_puts_the_customer_in_the_queue_with_its_findings(
    parts: GatewayParts,
) -> None:
    conversation = await parts.new_conversation()
    parts.rasa.reply = asks_for_a_person({
        "v": 1, "reason": "duplicate_charge", "queue": "billing", "priority": "high",
        "priority_reasons": ["duplicate_charge"], "summary": "Charged twice for November.",
        "findings": {"bill_difference": "19.99"}, "requested_at": "2026-12-06T08:00:00+00:00",
    })  # fmt: skip
    await parts.customer_says(conversation, "I was charged twice")
    await parts.delivery.drain(conversation)
    [card] = await parts.handoff.queues.cards(Queue.billing)
    case = await parts.handoff.queues.get(card.case_id)
    assert case is not None and case.findings == {"bill_difference": "19.99"}
    assert case.reason == "duplicate_charge" and case.summary == "Charged twice for November."
    assert await parts.conversations.holder(conversation) is Holder.waiting
    assert [t.text for t in case.transcript if t.speaker == "customer"] == ["I was charged twice"]


async def test_a_malformed_handoff_request_still_gets_the_customer_a_person(parts: GatewayParts) -> None:
    conversation = await parts.new_conversation()
    parts.rasa.reply = asks_for_a_person({"queue": "nowhere", "identity": "not an identity", "summary": 42})
    await parts.customer_says(conversation, "get me a human")
    await parts.delivery.drain(conversation)
    [card] = await parts.handoff.queues.cards(Queue.general)
    case = await parts.handoff.queues.get(card.case_id)
    assert case is not None and case.reason == "customer_request"
    assert sorted(case.findings["unreadable_fields"]) == ["identity", "queue", "summary"]
    assert "not an identity" in case.findings["unreadable_request"]  # the agent can still read what was sent
    assert await parts.conversations.holder(conversation) is Holder.waiting


async def test_a_message_sent_while_the_bot_hands_over_goes_to_the_person_not_the_bot(parts: GatewayParts) -> None:
    conversation = await parts.new_conversation()
    parts.rasa.reply = asks_for_a_person({"reason": "customer_request", "queue": "technical", "summary": "s"})
    await parts.customer_says(conversation, "a person please", "my account is AC10000003")
    await parts.delivery.drain(conversation)
    assert parts.rasa.texts(conversation) == ["a person please"]
    [card] = await parts.handoff.queues.cards(Queue.technical)
    recorded = parts.handoff.recorder
    await recorded.flush(conversation)
    assert [e["text"] for e in parts.rasa.recorded[conversation]] == ["my account is AC10000003"]
    assert card.conversation_id == conversation


async def test_taking_the_offer_of_a_person_while_rasa_is_down_queues_the_unanswered_messages(
    parts: GatewayParts,
) -> None:
    conversation = await parts.new_conversation()
    parts.rasa.down = True
    await parts.customer_says(conversation, "my bill is wrong")
    await parts.delivery.drain(conversation)
    assert await parts.delivery.is_offer(conversation, OFFER_PERSON)
    await parts.delivery.take_offer(conversation, OFFER_PERSON)
    [card] = await parts.handoff.queues.cards(Queue.general)
    case = await parts.handoff.queues.get(card.case_id)
    assert case is not None and case.reason == "assistant_unavailable"
    assert "my bill is wrong" in case.summary
    assert {"system": {"text": TO_PERSON}} in await parts.bodies(conversation)
    assert parts.rasa.texts(conversation) == []  # the bot never answers what the person now has
