""" "What the bot understood" names the problem the customer came with, not their last answer ("deny")."""

from __future__ import annotations

from typing import Any

from bot.handoff.building import starting_intent, understanding, understanding_at_handoff
from bot.handoff.case import case_from_request
from core.contracts.handoff import HandoffRequest, IntentScore


def said(name: str | None, confidence: float = 0.9) -> dict[str, Any]:
    intent = {"name": name, "confidence": confidence} if name else {}
    return {"event": "user", "text": name or "(held)", "parse_data": {"intent": intent, "entities": []}}


def test_the_flow_starts_with_the_problem_not_with_the_answers_after_it() -> None:
    events = [
        said("greet"), {"event": "action", "name": "utter_greet"}, said("report_internet_down", 0.97),
        said("inform"), said("affirm"), said("deny", 1.0),
    ]  # fmt: skip
    assert starting_intent(events) == {"name": "report_internet_down", "confidence": 0.97}


def test_asking_for_a_person_after_naming_a_problem_keeps_the_problem() -> None:
    events = [said("bill_too_high", 0.88), said("inform"), said("request_human", 0.99)]
    assert starting_intent(events) == {"name": "bill_too_high", "confidence": 0.88}


def test_asking_for_a_person_straight_away_is_what_they_came_with() -> None:
    started = starting_intent([said("greet"), said("request_human", 0.95)])
    assert started == {"name": "request_human", "confidence": 0.95}


def test_a_new_session_or_restart_forgets_the_earlier_problem() -> None:
    earlier = [said("report_internet_down"), {"event": "session_started"}, said("bill_too_high", 0.8), said("deny")]
    assert starting_intent(earlier) == {"name": "bill_too_high", "confidence": 0.8}
    assert starting_intent([said("order_status"), {"event": "restart"}, said("thank")]) is None


def test_messages_relayed_while_a_person_held_the_chat_are_not_parsed_and_do_not_count() -> None:
    assert starting_intent([said("ask_bill", 0.7), said(None), said(None)]) == {"name": "ask_bill", "confidence": 0.7}


def test_the_case_shows_both_the_starting_intent_and_the_last_message() -> None:
    latest = {"intent": {"name": "deny", "confidence": 1.0}, "intent_ranking": [], "entities": []}
    events = [said("report_slow_internet", 0.93), said("deny", 1.0)]
    tracker: dict[str, Any] = {"latest_message": latest, "events": events}
    understood = understanding_at_handoff(HandoffRequest(reason="customer_request"), tracker)
    assert (understood.started_with, understood.started_confidence) == ("report_slow_internet", 0.93)
    assert (understood.top_intent, understood.confidence) == ("deny", 1.0)
    denied = IntentScore(name="deny", confidence=1.0)
    case = case_from_request("c1", HandoffRequest(reason="customer_request", summary="s", last_intent=denied), [],
                             understanding({}, tracker["events"]))  # fmt: skip
    assert case.understanding.started_with == "report_slow_internet"
    assert case.understanding.top_intent == "deny"  # from the request when the tracker had no latest message
