"""Answers off the expected path: a change of topic, "not sure yet", "cancel that", an offer taken up, a sales
question, a sarcastic complaint about a fault, and the same answer asked for twice."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.conversation import ActionHandleComplaint, ActionHandleNotSure, ActionHandleWithdrawal, ActionReaskDeferred
from actions.diagnosis import ActionDiagnose
from actions.escalation import ActionEscalate
from actions.identity import ActionStartProblem
from actions.offers import ActionDeclineOffer, ActionHandleNo, ActionHandleSales, ActionTakeOffer
from simulator.scenarios import BY_KEY
from tests.actions.conversation_state import handoff, responses, run, said, slot_values, tracker, variables
from tests.actions.diagnose import diagnose, verified_slots
from tests.fixtures.simulator import RunningSimulator


def with_ranking(state: Tracker, ranking: list[tuple[str, float]], text: str = "") -> Tracker:
    state.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    state.latest_message["text"] = text
    return state


async def test_a_new_problem_in_the_middle_of_another_is_followed_and_recorded() -> None:
    state = tracker(slots={"problem": "report_internet_down", "findings": {"line_test": "pass"}},
                    intents=["report_internet_down", "bill_too_high"], active_loop="identify_form")  # fmt: skip
    events, dispatcher = await run(ActionStartProblem(), state)
    slots = slot_values(events)
    assert slots["problem"] == "bill_too_high"
    assert slots["findings"] == {"line_test": "pass", "left_flow": "report_internet_down"}  # what was found stays
    assert responses(dispatcher) == ["utter_switch_problem"]
    assert variables(dispatcher, "utter_switch_problem") == {"topic": "your bill"}


async def test_the_first_problem_is_not_a_change_of_topic() -> None:
    events, dispatcher = await run(ActionStartProblem(), tracker(intents=["bill_too_high"]))
    assert slot_values(events) == {"problem": "bill_too_high", "awaiting": None}
    assert dispatcher.messages == []


async def test_not_sure_keeps_the_question_open_and_says_how_to_come_back() -> None:
    state = tracker(slots={"awaiting": "home_fix", "problem": "report_slow_internet"},
                    intents=["report_slow_internet", "not_sure"])  # fmt: skip
    events, dispatcher = await run(ActionHandleNotSure(), state)
    assert "awaiting" not in slot_values(events)  # still waiting for the answer
    assert slot_values(events)["findings"]["deferred"] == "home_fix"
    assert responses(dispatcher) == ["utter_not_sure_home_fix"] and handoff(dispatcher) is None


async def test_coming_back_after_deferring_is_asked_the_question_again() -> None:
    slots = {**verified_slots(BY_KEY["router_fault"], "report_slow_internet"), "awaiting": "home_fix",
             "findings": {"line_test": "cpe", "deferred": "home_fix"}}  # fmt: skip
    events, dispatcher = await run(ActionReaskDeferred(), tracker(slots=slots, intents=["not_sure", "greet"]))
    assert events == []  # the question stays open
    assert responses(dispatcher) == ["utter_reask_home_fix"]
    assert variables(dispatcher, "utter_reask_home_fix") == {"topic": "your broadband speed"}
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]


async def test_withdrawing_from_the_queue_clears_the_request_and_keeps_what_was_known() -> None:
    slots = {**verified_slots(BY_KEY["router_fault"], "report_internet_down"), "escalation": {"reason": "x"}}
    state = tracker(slots=slots, intents=["withdraw_request"])
    state.latest_message["metadata"] = {"withdrawn_case": "CASE-7"}  # the gateway took the case out of the queue
    events, dispatcher = await run(ActionHandleWithdrawal(), state)
    assert slot_values(events)["escalation"] is None
    assert slot_values(events)["findings"]["withdrawn_from_queue"] == "CASE-7"
    assert responses(dispatcher) == ["utter_withdrawn_from_queue", "utter_still_have_details"]
    assert variables(dispatcher, "utter_still_have_details") == {"topic": "your broadband"}


async def test_cancel_that_with_nobody_waiting_drops_only_the_request() -> None:
    slots = {**verified_slots(BY_KEY["router_fault"], "report_internet_down"), "escalation": {"reason": "x"}}
    events, dispatcher = await run(ActionHandleWithdrawal(), tracker(slots=slots, intents=["withdraw_request"]))
    assert "escalation" not in slot_values(events)  # an earlier, answered case is not "withdrawn"
    assert responses(dispatcher) == ["utter_request_withdrawn", "utter_still_have_details"]


async def test_a_bill_explained_ends_with_an_offer_that_is_kept(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("bill_roaming", "bill_too_high")
    assert slots["awaiting"] == "billing_dispute"
    assert responses(dispatcher)[-1] == "utter_bill_offer_dispute"
    state = tracker(slots={**verified_slots(BY_KEY["bill_roaming"], "bill_too_high"), **slots},
                    intents=["bill_too_high", "complain"], text="that engineer charge is wrong")  # fmt: skip
    events, taken = await run(ActionTakeOffer(), state)
    case = handoff(taken)
    assert case is not None and (case["reason"], case["queue"]) == ("billing_dispute", "billing")
    assert "that engineer charge is wrong" in case["summary"]
    assert slot_values(events)["awaiting"] is None


async def test_a_bill_that_is_right_ends_without_a_person() -> None:
    events, dispatcher = await run(ActionDeclineOffer(), tracker(slots={"awaiting": "billing_dispute"}))
    assert handoff(dispatcher) is None and slot_values(events)["awaiting"] is None
    assert responses(dispatcher) == ["utter_glad_explained"]


async def test_a_sales_question_is_offered_the_sales_team_not_the_complaint_flow() -> None:
    events, dispatcher = await run(ActionHandleSales(), tracker(intents=["ask_sales"]))
    assert slot_values(events)["awaiting"] == "sales_offer" and responses(dispatcher) == ["utter_offer_sales"]
    state = tracker(slots={"awaiting": "sales_offer"}, intents=["ask_sales", "affirm"], text="yes please")
    _, taken = await run(ActionTakeOffer(), state)
    case = handoff(taken)
    assert case is not None and (case["reason"], case["queue"]) == ("sales_enquiry", "sales")


async def test_a_sarcastic_complaint_about_a_fault_checks_that_fault() -> None:
    state = with_ranking(tracker(intents=["complain"]), [("complain", 0.99), ("thank", 0.004)],
                         "oh brilliant, internet down AGAIN")  # fmt: skip
    events, dispatcher = await run(ActionHandleComplaint(), state)
    assert slot_values(events)["problem"] == "report_internet_down"
    assert {"event": "followup", "name": "identify_form", "timestamp": None} in events
    assert responses(dispatcher) == ["utter_sorry_checking"]
    assert variables(dispatcher, "utter_sorry_checking") == {"topic": "your broadband"}


async def test_a_complaint_about_outages_checks_for_one() -> None:
    state = with_ranking(tracker(intents=["complain"]), [("complain", 0.99)], "great job guys, third outage this week")
    events, dispatcher = await run(ActionHandleComplaint(), state)
    assert slot_values(events)["problem"] == "check_outage"
    assert variables(dispatcher, "utter_sorry_checking") == {"topic": "outages in your area"}
    assert {"event": "followup", "name": "area_form", "timestamp": None} in events


async def test_a_complaint_about_nothing_in_particular_asks_what_went_wrong() -> None:
    state = with_ranking(tracker(intents=["complain"]), [("complain", 0.95), ("bill_too_high", 0.02)],
                         "your customer service is appalling")  # fmt: skip
    events, dispatcher = await run(ActionHandleComplaint(), state)
    assert events == [] and responses(dispatcher) == ["utter_sorry_tell_me"]


async def test_the_same_answer_is_not_sent_twice_in_a_row(oss: RunningSimulator) -> None:
    _, first = await diagnose("ticket_within_sla", "ticket_status")
    answer = said(first.messages[0])  # as Rasa filled in the response and keeps it in the tracker
    state = tracker(slots=verified_slots(BY_KEY["ticket_within_sla"], "ticket_status"),
                    intents=["ticket_status", "ticket_status"])  # fmt: skip
    state.events.insert(-1, {"event": "bot", "text": answer, "metadata": {"utter_action": "utter_ticket_open_due"}})
    _, second = await run(ActionDiagnose(), state)
    assert responses(second) == ["utter_already_said"]
    assert any(b["payload"] == "/request_human" for m in second.messages for b in m.get("buttons") or [])


async def test_no_that_is_wrong_after_a_bill_was_explained_reaches_billing_even_after_yes() -> None:
    slots = {**verified_slots(BY_KEY["bill_one_off"], "bill_too_high"),
             "findings": {"bill_reasons": ["oneOffCharge", "usage"]}}  # fmt: skip
    state = tracker(slots=slots, intents=["bill_too_high", "affirm", "deny"],
                    text="hmm actually no, i never had an engineer round, thats wrong")  # fmt: skip
    state.events.insert(-1, {"event": "user", "text": "yes thats right", "parse_data": {}})
    _, dispatcher = await run(ActionHandleNo(), state)
    case = handoff(dispatcher)
    assert case is not None and (case["reason"], case["queue"]) == ("billing_dispute", "billing")
    assert "never had an engineer round" in case["summary"] and "a one-off charge" in case["summary"]
    assert "oneOffCharge" not in case["summary"]  # the agent reads words, not codes


async def test_a_plain_no_to_anything_else_says_goodbye_and_a_longer_one_asks_what_is_wrong() -> None:
    _, bye = await run(ActionHandleNo(), tracker(intents=["thank", "deny"], text="no thanks"))
    assert responses(bye) == ["utter_goodbye"]
    _, ask = await run(ActionHandleNo(), tracker(intents=["thank", "deny"], text="no that is not what i asked for"))
    assert responses(ask) == ["utter_what_is_not_right"]


async def test_asking_for_someone_about_the_bill_goes_to_billing_whatever_was_checked_before() -> None:
    state = tracker(slots={"problem": "report_internet_down"}, intents=["report_internet_down", "request_human"],
                    text="i want to speak to someone about my bill pls")  # fmt: skip
    _, dispatcher = await run(ActionEscalate(), state)
    case = handoff(dispatcher)
    assert case is not None and case["queue"] == "billing"
    assert variables(dispatcher, "utter_passing_to_person") == {"team": "billing"}
