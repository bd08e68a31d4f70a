"""Bills, payments, orders and tickets: explained from live data, escalated when a person must act."""

from __future__ import annotations

import pytest

from actions.account_changes import ActionSubmitChangeRequest
from simulator.scenarios import BY_KEY
from tests.actions.conversation_state import handoff, run, texts, tracker
from tests.actions.diagnose import diagnose, verified_slots
from tests.fixtures.simulator import RunningSimulator


@pytest.mark.parametrize(
    ("key", "words"),
    [("bill_roaming", "Roaming charges: £"), ("bill_one_off", "A one-off charge: £"),
     ("bill_price_rise", "A price change: £"), ("bill_prorated", "plan change part-way")],
)  # fmt: skip
async def test_a_higher_bill_is_explained_line_by_line(oss: RunningSimulator, key: str, words: str) -> None:
    slots, dispatcher = await diagnose(key, "bill_too_high")
    said = texts(dispatcher)
    assert "more than the one before" in said and words in said
    assert float(slots["findings"]["bill_difference"]) > 0
    assert handoff(dispatcher) is None


async def test_a_duplicate_charge_opens_a_dispute_and_goes_to_billing(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("bill_duplicate", "bill_too_high")
    ticket = slots["findings"]["ticket"]
    assert f"billing dispute {ticket}" in texts(dispatcher)
    case = handoff(dispatcher)
    assert case is not None and (case["reason"], case["queue"]) == ("duplicate_charge", "billing")
    assert ticket in case["suggested_next_action"]


async def test_failed_direct_debit_gives_the_reason_and_what_to_do(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("failed_direct_debit", "payment_problem")
    assert "failed because there weren't enough funds" in texts(dispatcher)
    assert slots["findings"]["failed_reason"] == "insufficientFunds"


async def test_ask_bill_gives_amount_due_date_and_balance(oss: RunningSimulator) -> None:
    _, dispatcher = await diagnose("multi_service", "ask_bill")
    said = texts(dispatcher)
    assert "Your latest bill is £" in said and ", due " in said and "balance" in said


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
    assert BY_KEY[key].order_id in texts(dispatcher)
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
    assert "can't find order" in texts(dispatcher) and "shipping" not in texts(dispatcher)


async def test_ticket_within_sla_gives_status_and_date(oss: RunningSimulator) -> None:
    _, dispatcher = await diagnose("ticket_within_sla", "ticket_status")
    assert BY_KEY["ticket_within_sla"].ticket_id in texts(dispatcher)
    assert "expect it to be fixed by" in texts(dispatcher) and handoff(dispatcher) is None


async def test_ticket_past_sla_escalates_with_raised_priority(oss: RunningSimulator) -> None:
    _, dispatcher = await diagnose("ticket_past_sla", "ticket_status", ticket_id="tt" + BY_KEY[
        "ticket_past_sla"].ticket_id[3:])  # fmt: skip
    case = handoff(dispatcher)
    assert case is not None and case["priority"] == "high" and "SLA breach" in case["priority_reasons"]


async def test_a_ticket_of_another_customer_is_not_shown(oss: RunningSimulator) -> None:
    other = BY_KEY["ticket_past_sla"].ticket_id
    _, dispatcher = await diagnose("ticket_within_sla", "ticket_status", ticket_id=other)
    assert "can't find that ticket" in texts(dispatcher)


@pytest.mark.parametrize(("problem", "queue"), [("change_plan", "sales"), ("cancel_service", "retention"),
                                                ("move_home", "moves")])  # fmt: skip
async def test_account_changes_are_collected_and_handed_to_the_right_team(problem: str, queue: str) -> None:
    slots = verified_slots(BY_KEY["multi_service"], problem, change_details="broadband to 500Mb",
                           change_when="next month")  # fmt: skip
    _, dispatcher = await run(ActionSubmitChangeRequest(), tracker(slots=slots, intents=[problem, "inform"]))
    case = handoff(dispatcher)
    assert case is not None and (case["reason"], case["queue"]) == ("account_change", queue)
    assert "broadband to 500Mb" in case["summary"] and case["identity"]["customer_id"]
