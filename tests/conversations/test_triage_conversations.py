"""Whole conversations through gateway, Rasa (the trained model), actions and the OSS/BSS simulator.

Grouped by phenomenon: happy paths, corrections, digressions, fallback, handoff, faults and odd input.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from simulator.scenarios import BY_KEY
from tests.conversations.chat import Chat
from tests.fixtures.product import Product

pytestmark = pytest.mark.e2e


NO_RULE_REPLY = "can't take that step here"


@pytest.fixture
def chat(product: Product) -> Iterator[Chat]:
    httpx.post(f"{product.simulator_url}/admin/reset", timeout=10).raise_for_status()
    conversation = Chat(product)
    yield conversation
    # The core fallback means the dialogue had no rule for a turn: never acceptable in a designed flow.
    assert NO_RULE_REPLY not in str(conversation), conversation


# ---------------------------------------------------------------- happy paths


def test_internet_down_router_fault_fixed_by_a_restart(chat: Chat) -> None:
    router = BY_KEY["router_fault"]
    assert "account number" in chat.say("hi my internet isn't working")
    assert "postcode" in chat.say(f"it's {router.account_id}")
    reply = chat.say(router.postcode.lower())
    assert f"Thanks {router.name.split()[0]}" in reply and "restart" in reply, chat
    reply = chat.say("yes, it's working again")
    assert "glad that sorted it" in reply, chat
    assert chat.handoffs == []


def test_bill_spike_explained_with_identifiers_given_up_front(chat: Chat) -> None:
    roaming = BY_KEY["bill_roaming"]
    chat.say("why is my bill so much higher this month??")
    reply = chat.say(f"account {roaming.account_id} postcode {roaming.postcode}")
    assert "Roaming charges" in reply and "more than the one before" in reply, chat


def test_outage_check_by_postcode_without_an_account(chat: Chat) -> None:
    outage = BY_KEY["outage_area"]
    reply = chat.say(f"is there an outage in {outage.postcode}?")
    assert "known fault" in reply and "expect it to be fixed" in reply, chat
    assert "text when it's back" in reply
    reply = chat.say("yes please")  # nobody was identified: the bot asks where to send it, never "your account's"
    assert "Which mobile number" in reply and "on your account" not in reply, chat


def test_order_held_at_number_port_goes_to_orders_with_the_step(chat: Chat) -> None:
    order = BY_KEY["order_held_number_port"]
    chat.say("where is my order? it's been ages")
    chat.say(order.mobile)
    reply = chat.say(order.postcode)
    assert "moving your number" in reply, chat
    assert chat.handoffs and chat.handoffs[-1]["queue"] == "orders"
    assert chat.handoffs[-1]["findings"]["order_fallout_step"] == "numberPort"


def test_an_unsure_guess_is_offered_as_buttons_and_a_click_continues(chat: Chat) -> None:
    reply = chat.say("broadband is down")
    if "Did you mean" in reply:  # the model was unsure: its best guesses come back as buttons
        assert "/report_internet_down" in chat.last_buttons, chat
        reply = chat.say("/report_internet_down")
    assert "account number" in reply, chat


# ---------------------------------------------------------------- corrections and digressions


def test_a_wrong_postcode_is_corrected_and_three_failures_reach_a_person(chat: Chat) -> None:
    ticket = BY_KEY["ticket_within_sla"]
    chat.say("any update on my fault ticket?")
    chat.say(ticket.account_id)
    assert "don't match" in chat.say("ZZ1 1ZZ"), chat
    chat.say(ticket.account_id)
    assert "don't match" in chat.say("ZZ2 2ZZ"), chat
    chat.say(ticket.account_id)
    reply = chat.say("ZZ3 3ZZ")
    assert "passing you to a person" in reply, chat
    assert chat.handoffs[-1]["reason"] == "verification_failed"
    assert ticket.ticket_id not in str(chat)  # nothing of the account was shown


def test_asking_for_a_person_in_the_middle_of_identification(chat: Chat) -> None:
    chat.say("my mobile has no signal at all")
    reply = chat.say("I just want to talk to a real person")
    assert "passing you to a person" in reply, chat
    assert chat.handoffs[-1]["reason"] == "customer_request"


# ---------------------------------------------------------------- fallback, handoff and faults


def test_request_human_escalates_at_once(chat: Chat) -> None:
    reply = chat.say("can I speak to an agent please")
    assert "passing you to a person" in reply, chat
    assert "are you sure" not in reply.lower()


def test_two_unclear_messages_in_a_row_offer_a_person_with_a_button(chat: Chat) -> None:
    first = chat.say("what's the best recipe for banana bread")
    assert "not something I can help with" in first or "put it another way" in first, chat
    reply = chat.say("who won the world cup in 1966")
    assert "Would you like a person" in reply and "/request_human" in chat.last_buttons, chat
    assert chat.handoffs == []  # offered, not imposed
    assert "passing you to a person" in chat.say("/request_human")
    assert chat.handoffs[-1]["reason"] == "customer_request"


def test_an_unreachable_oss_is_told_honestly_and_escalated(chat: Chat, product: Product) -> None:
    router = BY_KEY["router_fault"]
    fault = {"mode": "error", "status": 503}
    httpx.put(f"{product.simulator_url}/admin/faults/serviceInventory", json=fault, timeout=10).raise_for_status()
    chat.say("my broadband is not working")
    reply = chat.say(f"{router.account_id} {router.postcode}")
    assert "can't reach our service records" in reply, chat
    assert chat.handoffs[-1]["reason"] == "oss_unavailable"


# ---------------------------------------------------------------- odd input


@pytest.mark.parametrize(
    "text",
    ["😡😡😡", "mi internet no funciona desde ayer", "<img src=x onerror=alert(1)>", "a" * 1999, "\u202e\u200bhello"],
)
def test_odd_input_gets_an_answer_not_an_error(chat: Chat, text: str) -> None:
    assert chat.say(text), chat
