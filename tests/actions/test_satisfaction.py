"""The bot's concluding messages carry the "How did we do?" survey, once per problem it handled, never after a
greeting only, and not for a problem that went to a person."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.connectivity import ActionHomeFixResult
from actions.offers import ActionDeclineOffer, ActionHandleNo
from tests.actions.conversation_state import responses, run, tracker

MODEL = "20261206-052000-brave-quail"


def with_events(state: Tracker, *events: dict[str, Any]) -> Tracker:
    """``state`` with ``events`` inserted before the latest customer message, stamped with the model as Rasa does."""
    latest = state.events.pop()
    state.events.extend(events)
    state.events.append(latest | {"metadata": {"model_id": MODEL}})
    return state


def diagnosed() -> dict[str, Any]:
    return {"event": "action", "name": "action_diagnose"}


def surveys(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"]["survey"] for m in messages if "survey" in (m.get("custom") or {})]


def bot_offered_survey() -> dict[str, Any]:
    return {"event": "bot", "text": None, "data": {"custom": {"survey": {"v": 1, "id": "bot-0123456789abcdef"}}}}


async def test_the_home_fix_that_worked_ends_with_a_survey_naming_the_model() -> None:
    state = with_events(
        tracker(slots={"awaiting": "home_fix"}, intents=["report_internet_down", "affirm"]), diagnosed()
    )
    _, dispatcher = await run(ActionHomeFixResult(), state)
    assert responses(dispatcher) == ["utter_glad_fixed", "utter_anything_else"]
    [survey] = surveys(dispatcher.messages)
    assert re.fullmatch(r"bot-[0-9a-f]{16}", survey["id"]) and survey["model_id"] == MODEL
    assert dispatcher.messages[-1]["custom"] == {"survey": survey}  # after the bot's words


async def test_no_to_anything_else_after_a_diagnosis_says_goodbye_and_asks() -> None:
    state = with_events(tracker(intents=["order_status", "deny"], text="no thanks"), diagnosed())
    _, dispatcher = await run(ActionHandleNo(), state)
    assert responses(dispatcher) == ["utter_goodbye"]
    assert len(surveys(dispatcher.messages)) == 1


async def test_no_after_a_greeting_only_says_goodbye_without_a_survey() -> None:
    _, dispatcher = await run(ActionHandleNo(), tracker(intents=["greet", "deny"], text="no"))
    assert responses(dispatcher) == ["utter_goodbye"]
    assert surveys(dispatcher.messages) == []


async def test_the_same_end_is_never_asked_about_twice() -> None:
    state = with_events(tracker(intents=["report_internet_down", "affirm", "deny"], text="no"), diagnosed(),
                        {"event": "action", "name": "action_home_fix_result"}, bot_offered_survey())  # fmt: skip
    _, dispatcher = await run(ActionHandleNo(), state)
    assert responses(dispatcher) == ["utter_goodbye"] and surveys(dispatcher.messages) == []


async def test_a_new_problem_after_an_earlier_survey_is_asked_about_again() -> None:
    state = with_events(tracker(intents=["ask_bill", "deny"], text="nope"), diagnosed(), bot_offered_survey(),
                        diagnosed())  # fmt: skip
    _, dispatcher = await run(ActionHandleNo(), state)
    assert len(surveys(dispatcher.messages)) == 1


async def test_a_problem_that_went_to_a_person_is_not_asked_about_by_the_bot() -> None:
    escalated = {"event": "slot", "name": "escalation", "value": {"reason": "customer_request", "queue": "general"}}
    state = with_events(tracker(intents=["report_internet_down", "deny"], text="no"), diagnosed(), escalated)
    _, dispatcher = await run(ActionHandleNo(), state)
    assert surveys(dispatcher.messages) == []


async def test_a_bill_that_was_right_is_resolved_and_asked_about_a_declined_sales_call_is_not() -> None:
    bill = with_events(tracker(slots={"awaiting": "billing_dispute"}, intents=["ask_bill", "affirm"]), diagnosed())
    _, dispatcher = await run(ActionDeclineOffer(), bill)
    assert len(surveys(dispatcher.messages)) == 1
    sales = tracker(slots={"awaiting": "sales_offer"}, intents=["ask_sales", "deny"])
    _, dispatcher = await run(ActionDeclineOffer(), sales)
    assert surveys(dispatcher.messages) == []
