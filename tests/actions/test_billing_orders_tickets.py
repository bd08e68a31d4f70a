"""Bills, payments, orders and tickets: explained from live data, escalated when a person must act."""

from __future__ import annotations

import pytest

from actions.account_changes import ActionSubmitChangeRequest
from simulator.scenarios import BY_KEY
from tests.actions.conversation_state import handoff, responses, run, tracker, variables
from tests.actions.diagnose import diagnose, verified_slots
from tests.fixtures.simulator import RunningSimulator


@pytest.mark.parametrize(
    ("key", "words"),
    [("bill_roaming", "• Roaming charges: £"), ("bill_one_off", "• A one-off charge: £"),
     ("bill_price_rise", "• A price change: £"), ("bill_prorated", "• A plan change part-way")],
)  # fmt: skip
async def test_a_higher_bill_is_explained_line_by_line(oss: RunningSimulator, key: str, words: str) -> None:
    slots, dispatcher = await diagnose(key, "bill_too_high")
    assert responses(dispatcher) == ["utter_bill_higher", "utter_bill_offer_dispute"]
    explained = variables(dispatcher, "utter_bill_higher")
    assert explained["difference"].startswith("£") and words in explained["changes"]
    assert float(slots["findings"]["bill_difference"]) > 0
    assert handoff(dispatcher) is None


async def test_a_duplicate_charge_opens_a_dispute_and_goes_to_billing(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("bill_duplicate", "bill_too_high")
    ticket = slots["findings"]["ticket"]
    assert variables(dispatcher, "utter_duplicate_charge_disputed")["ticket"] == ticket
    case = handoff(dispatcher)
    assert case is not None and (case["reason"], case["queue"]) == ("duplicate_charge", "billing")
    assert ticket in case["suggested_next_action"]


async def test_failed_direct_debit_gives_the_reason_and_what_to_do(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("failed_direct_debit", "payment_problem")
    assert responses(dispatcher) == ["utter_payment_failed_on"]
    assert variables(dispatcher, "utter_payment_failed_on")["reason"] == "there weren't enough funds in the account"
    assert slots["findings"]["failed_reason"] == "insufficientFunds"


async def test_ask_bill_gives_amount_due_date_and_balance(oss: RunningSimulator) -> None:
    _, dispatcher = await diagnose("multi_service", "ask_bill")
    assert responses(dispatcher)[:2] == ["utter_latest_bill_due", "utter_balance"]
    bill = variables(dispatcher, "utter_latest_bill_due")
    assert bill["amount"].startswith("£") and bill["due"]


@pytest.mark.parametrize(
    ("key", "step"),
    [("order_held_credit_check", "creditCheck"), ("order_held_number_port", "numberPort"),
     ("order_held_provisioning", "provisioning"), ("order_held_appointment", "appointment"),
     ("order_held_shipping", "shipping"), ("order_failed", "creditCheck")],
)  # fmt: skip
async def test_order_fallout_is_explained_and_goes_to_orders_with_the_step(
    oss: RunningSimulator, key: str, step: str
) -> None:
    _slots, dispatcher = await diagnose(key, "order_status")
    told = responses(dispatcher)[0]
    assert told == ("utter_order_failed" if key == "order_failed" else "utter_order_on_hold")
    assert variables(dispatcher, told)["order"] == BY_KEY[key].order_id
    case = handoff(dispatcher)
    assert case is not None and (case["reason"], case["queue"]) == ("order_fallout", "orders")
    assert case["findings"]["order_fallout_step"] == step


async def test_activation_stuck_past_its_date_escalates_with_priority(oss: RunningSimulator) -> None:
    _, dispatcher = await diagnose("activation_stuck", "activation_problem")
    case = handoff(dispatcher)
    assert case is not None and case["reason"] == "activation_stuck" and case["priority"] == "high"


async def test_an_order_reference_of_someone_else_is_not_shown(oss: RunningSimulator) -> None:
    other = BY_KEY["order_held_shipping"].order_id
    _, dispatcher = await diagnose("order_held_credit_check", "order_status", order_id=other)
    assert responses(dispatcher) == ["utter_order_not_found"] and handoff(dispatcher) is None


async def test_ticket_within_sla_gives_status_and_date(oss: RunningSimulator) -> None:
    _, dispatcher = await diagnose("ticket_within_sla", "ticket_status")
    assert responses(dispatcher) == ["utter_ticket_open_due"] and handoff(dispatcher) is None
    assert variables(dispatcher, "utter_ticket_open_due")["ticket"] == BY_KEY["ticket_within_sla"].ticket_id


async def test_ticket_past_sla_escalates_with_raised_priority(oss: RunningSimulator) -> None:
    _, dispatcher = await diagnose("ticket_past_sla", "ticket_status", ticket_id="tt" + BY_KEY[
        "ticket_past_sla"].ticket_id[3:])  # fmt: skip
    case = handoff(dispatcher)
    assert case is not None and case["priority"] == "high" and "SLA breach" in case["priority_reasons"]


async def test_a_ticket_of_another_customer_is_not_shown(oss: RunningSimulator) -> None:
    other = BY_KEY["ticket_past_sla"].ticket_id
    _, dispatcher = await diagnose("ticket_within_sla", "ticket_status", ticket_id=other)
    assert responses(dispatcher) == ["utter_ticket_not_found"]


@pytest.mark.parametrize(("problem", "queue"), [("change_plan", "sales"), ("cancel_service", "retention"),
                                                ("move_home", "moves")])  # fmt: skip
async def test_account_changes_are_collected_and_handed_to_the_right_team(problem: str, queue: str) -> None:
    slots = verified_slots(BY_KEY["multi_service"], problem, change_details="broadband to 500Mb",
                           change_when="next month")  # fmt: skip
    _, dispatcher = await run(ActionSubmitChangeRequest(), tracker(slots=slots, intents=[problem, "inform"]))
    assert responses(dispatcher)[0] == "utter_team_has_what_it_needs"
    case = handoff(dispatcher)
    assert case is not None and (case["reason"], case["queue"]) == ("account_change", queue)
    assert "broadband to 500Mb" in case["summary"] and case["identity"]["customer_id"]
