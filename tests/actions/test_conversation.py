"""Unclear turns and complaints: the customer is always offered a way forward, and repeats reach a person."""

from __future__ import annotations

from actions.conversation import ActionHandleComplaint, ActionHandleUnclear
from actions.escalation import ActionEscalate
from tests.actions.conversation_state import handoff, responses, run, tracker, variables


async def test_first_fallback_says_what_the_bot_can_do_with_buttons() -> None:
    events, dispatcher = await run(ActionHandleUnclear(), tracker(intents=["greet", "nlu_fallback"]))
    assert events == []
    assert responses(dispatcher) == ["utter_put_it_another_way"]
    buttons = dispatcher.messages[0]["buttons"]
    assert {"title": "Talk to a person", "payload": "/request_human"} in buttons
    assert handoff(dispatcher) is None


async def test_out_of_scope_is_answered_with_what_the_bot_covers() -> None:
    _, dispatcher = await run(ActionHandleUnclear(), tracker(intents=["out_of_scope"]))
    assert responses(dispatcher) == ["utter_out_of_scope"]
    assert handoff(dispatcher) is None


async def test_second_unclear_turn_in_a_row_offers_a_person_without_imposing_one() -> None:
    events, dispatcher = await run(ActionHandleUnclear(), tracker(intents=["nlu_fallback", "out_of_scope"]))
    assert handoff(dispatcher) is None and events == []
    assert responses(dispatcher) == ["utter_offer_person_unclear"]
    assert dispatcher.messages[0]["buttons"][0] == {"title": "Talk to a person", "payload": "/request_human"}


async def test_an_understood_turn_in_between_resets_the_count() -> None:
    _, dispatcher = await run(ActionHandleUnclear(), tracker(intents=["nlu_fallback", "greet", "nlu_fallback"]))
    assert handoff(dispatcher) is None


async def test_a_complaint_is_acknowledged_then_a_repeat_escalates_with_high_priority() -> None:
    _, first = await run(ActionHandleComplaint(), tracker(intents=["complain"]))
    assert responses(first) == ["utter_sorry_tell_me"] and handoff(first) is None
    _, second = await run(ActionHandleComplaint(), tracker(intents=["complain", "deny", "complain"]))
    case = handoff(second)
    assert case is not None and responses(second)[0] == "utter_complaint_needs_a_person"
    assert (case["reason"], case["priority"]) == ("repeated_complaint", "high")


async def test_asking_for_a_person_escalates_at_once_to_the_team_of_the_problem() -> None:
    state = tracker(slots={"problem": "bill_too_high"}, intents=["bill_too_high", "request_human"])
    _, dispatcher = await run(ActionEscalate(), state)
    case = handoff(dispatcher)
    assert case is not None
    assert (case["reason"], case["queue"]) == ("customer_request", "billing")
    assert variables(dispatcher, "utter_passing_to_person") == {"team": "billing"}
    assert "do not ask again" in case["suggested_next_action"]  # nothing found yet: start from the transcript


async def test_asking_for_a_person_mid_diagnosis_tells_the_agent_to_continue_from_the_findings() -> None:
    state = tracker(slots={"problem": "report_internet_down", "findings": {"line_test": "fault in the home"}},
                    intents=["report_internet_down", "request_human"])  # fmt: skip
    _, dispatcher = await run(ActionEscalate(), state)
    case = handoff(dispatcher)
    assert case is not None and case["findings"] == {"line_test": "fault in the home"}
    assert "Continue from what the bot found" in case["suggested_next_action"]


def fallback_state(ranking: list[tuple[str, float]], **slots: object) -> object:
    state = tracker(slots=dict(slots), intents=["nlu_fallback"])
    state.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    return state


async def test_a_low_confidence_problem_gets_did_you_mean_buttons() -> None:
    state = fallback_state([("nlu_fallback", 0.7), ("report_internet_down", 0.6), ("check_outage", 0.31)])
    _, dispatcher = await run(ActionHandleUnclear(), state)  # type: ignore[arg-type]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ["/report_internet_down", "/check_outage", "/request_human"]
    assert responses(dispatcher) == ["utter_did_you_mean"]


async def test_an_unclear_answer_to_a_yes_no_question_is_asked_again() -> None:
    state = fallback_state([("nlu_fallback", 0.7), ("thank", 0.58)], awaiting="home_fix")
    events, dispatcher = await run(ActionHandleUnclear(), state)  # type: ignore[arg-type]
    assert responses(dispatcher) == ["utter_yes_or_no"] and events == []
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]
