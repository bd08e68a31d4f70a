"""The handoff request as the action server builds it and the gateway reads it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import escalate
from core.contracts.handoff import HandoffRequest
from core.contracts.queues import Priority, Queue


def tracker(**slots: Any) -> Tracker:
    latest = {
        "text": "I was charged twice",
        "intent": {"name": "report_duplicate_charge", "confidence": 0.91, "id": 7},
        "intent_ranking": [
            {"name": "report_duplicate_charge", "confidence": 0.91},
            {"name": "ask_bill", "confidence": 0.05},
        ],
        "entities": [{"entity": "month", "value": "november", "start": 20, "end": 28}],
    }  # fmt: skip
    return Tracker("conv-1", {"problem": "bill_too_high", **slots}, latest, [], False, None, {}, "")


def emitted(dispatcher: CollectingDispatcher) -> object:
    [message] = [m for m in dispatcher.messages if m.get("custom")]
    return message["custom"]["handoff"]


def test_what_the_action_server_sends_the_gateway_reads_in_full() -> None:
    identity = {"customer_id": "CUST-000013", "name": "Emily Roberts", "method": "account number + postcode",
                "services": ["SVC-000013-1 broadband, active, Fibre 500"]}  # fmt: skip
    dispatcher = CollectingDispatcher()
    escalate(dispatcher, tracker(identity=identity, findings={"bill_difference": "19.99"}), "repeated_complaint", "s")
    request, unreadable = HandoffRequest.read(emitted(dispatcher))
    assert unreadable == []
    assert request.reason == "repeated_complaint" and request.priority is Priority.high
    assert request.queue is Queue.billing  # the problem the bot was looking at names the team
    assert request.identity is not None and request.identity.services == identity["services"]
    assert request.findings == {"bill_difference": "19.99"}
    assert request.understanding is not None and [r.name for r in request.understanding.intent_ranking] == [
        "report_duplicate_charge",
        "ask_bill",
    ]


def test_a_slot_in_an_unknown_shape_does_not_stop_the_handoff() -> None:
    dispatcher = CollectingDispatcher()
    escalate(dispatcher, tracker(identity={"name": "no customer id"}), "customer_request", "s")
    request, _ = HandoffRequest.read(emitted(dispatcher))
    assert request.identity is None and request.findings["unreadable_fields"] == ["identity"]


def test_a_newer_writer_s_extra_fields_are_ignored_and_old_requests_still_read() -> None:
    request, unreadable = HandoffRequest.read({"v": 1, "reason": "oss_unavailable", "queue": "orders", "mood": "x"})
    assert unreadable == [] and request.queue is Queue.orders
    assert HandoffRequest.read(request.wire()) == (request, [])  # what travels reads back as it was


def test_anything_unreadable_still_makes_a_request_for_a_person() -> None:
    request, unreadable = HandoffRequest.read(["not", "an", "object"])
    assert request.reason == "customer_request" and request.queue is Queue.general and unreadable
