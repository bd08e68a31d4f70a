"""Customers who leave the expected path, in their own words, over the web chat's socket.io channel: a change
of topic, answers that are neither yes nor no, an offer taken up, identifiers typed every which way, sales
questions and sarcasm. Each journey is one that broke for new users (issue 16)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from simulator.scenarios import BY_KEY
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat, texts

pytestmark = pytest.mark.e2e

NOT_AN_ANSWER = ("doesn't look like", "couldn't find an account number", "can't take that step here")


class Customer:
    """One web chat customer: says a line, keeps what the bot said back and every handoff request."""

    def __init__(self, chat: SocketChat) -> None:
        self.chat = chat
        self.said: list[tuple[str, str]] = []

    async def say(self, line: str) -> str:
        reply = texts(await self.chat.say(line))
        self.said.append((line, reply))
        return reply

    @property
    def handoffs(self) -> list[dict[str, object]]:
        return [u["custom"]["handoff"] for u in self.chat.uttered() if "handoff" in (u.get("custom") or {})]

    def buttons(self) -> list[str]:
        last = [u for u in self.chat.uttered() if u.get("quick_replies") or u.get("buttons")]
        return [b["payload"] for b in (last[-1].get("quick_replies") or last[-1].get("buttons") or [])] if last else []

    def __repr__(self) -> str:
        return "\n".join(f"> {line}\n{reply}" for line, reply in self.said)


@pytest.fixture
async def customer(product: Product) -> AsyncIterator[Customer]:
    async with httpx.AsyncClient() as http:
        (await http.post(f"{product.simulator_url}/admin/reset", timeout=10)).raise_for_status()
    async with SocketChat(product.gateway_url) as chat:
        await chat.session()
        someone = Customer(chat)
        yield someone
    for bad in NOT_AN_ANSWER:
        assert bad not in repr(someone), someone


# ---------------------------------------------------------------- 1. a change of topic


async def test_changing_from_broadband_to_the_bill_while_being_identified(customer: Customer) -> None:
    roaming = BY_KEY["bill_roaming"]
    assert "account number" in await customer.say("my broadband isnt working")
    reply = await customer.say("actually it's the bill I'm worried about")
    assert "your bill instead" in reply, customer
    reply = await customer.say(f"{roaming.account_id} {roaming.postcode}")
    assert "more than the one before" in reply and "Roaming charges" in reply, customer
    assert "line test" not in reply.lower() and "restart" not in reply


async def test_asking_when_the_engineer_comes_answers_from_the_fault_ticket(customer: Customer) -> None:
    ticket = BY_KEY["ticket_within_sla"]
    await customer.say("when will the enginer come?")
    await customer.say(ticket.account_id)
    reply = await customer.say(ticket.postcode)
    assert ticket.ticket_id in reply, customer  # the repair visit, not only "your order is complete"


# ---------------------------------------------------------------- 2. neither yes nor no, and no unwanted person


async def test_not_sure_yet_keeps_the_question_open_without_a_person(customer: Customer) -> None:
    healthy = BY_KEY["healthy_line"]
    await customer.say("wifi keeps dropping")
    reply = await customer.say(f"{healthy.account_id} {healthy.postcode}")
    assert "Did that fix it?" in reply, customer
    reply = await customer.say("can't tell till tonight")
    assert "chat stays open" in reply, customer
    reply = await customer.say("neither, I'll try later")
    assert "chat stays open" in reply or "take your time" in reply.lower(), customer
    assert customer.handoffs == [], customer
    reply = await customer.say("ok tried it now, yes its working")
    assert "glad that sorted it" in reply, customer


# ---------------------------------------------------------------- 3. an offer of the billing team is kept


@pytest.mark.parametrize("objection", ["that engineer charge is wrong", "its NOT right!!!", "no"])
async def test_saying_the_bill_is_wrong_reaches_the_billing_team(customer: Customer, objection: str) -> None:
    one_off = BY_KEY["bill_one_off"]
    await customer.say("can you explain my bill")
    await customer.say(one_off.account_id)
    explained = await customer.say(one_off.postcode)
    if "say so and I'll pass it to our billing team" not in explained:  # "explain my bill" read as the balance
        explained = await customer.say("why is it so high this month")
    assert "say so and I'll pass it to our billing team" in explained, customer
    reply = await customer.say(objection)
    assert "billing team" in reply and explained not in reply, customer
    assert customer.handoffs and customer.handoffs[-1]["reason"] == "billing_dispute", customer
    assert customer.handoffs[-1]["queue"] == "billing"


# ---------------------------------------------------------------- 5. identity, as people type it


async def test_an_account_number_with_spaces_is_accepted(customer: Customer) -> None:
    router = BY_KEY["router_fault"]
    await customer.say("internet is down")
    reply = await customer.say("AC 1000 0003")
    assert "postcode" in reply, customer
    assert "restart" in await customer.say(router.postcode), customer


async def test_a_phone_number_with_country_code_and_brackets_is_accepted(customer: Customer) -> None:
    router = BY_KEY["router_fault"]
    await customer.say("my broadband is down")
    reply = await customer.say("+44 (0)" + router.mobile.removeprefix("0"))
    assert "postcode" in reply, customer
    assert "restart" in await customer.say(router.postcode), customer


async def test_an_account_number_in_an_angry_first_message_is_used(customer: Customer) -> None:
    router = BY_KEY["router_fault"]
    reply = await customer.say(f"this is ridiculous my broadband has been down all day!!! acc {router.account_id}")
    assert "postcode" in reply and "account number" not in reply, customer
    assert "restart" in await customer.say(router.postcode), customer


async def test_a_wrong_postcode_re_asks_only_the_postcode(customer: Customer) -> None:
    router = BY_KEY["router_fault"]
    await customer.say("my internet is down")
    await customer.say(router.account_id)
    reply = await customer.say("ZZ9 9ZZ")
    assert "don't match" in reply and "2 more tries left" in reply and "account number (" not in reply, customer
    assert "restart" in await customer.say(router.postcode), customer


# ---------------------------------------------------------------- 6. sales and sarcasm


async def test_a_sales_question_goes_to_sales_not_the_complaint_flow(customer: Customer) -> None:
    reply = await customer.say("do you lot sell iphones")
    assert "sales team" in reply and "bad experience" not in reply, customer
    reply = await customer.say("yeah go on then")
    assert customer.handoffs and customer.handoffs[-1]["queue"] == "sales", customer


async def test_sarcasm_about_a_fault_is_a_complaint_about_that_fault(customer: Customer) -> None:
    reply = await customer.say("oh brilliant, internet down AGAIN")
    assert "broadband" in reply and "account number" in reply, customer
    assert "Tell me what went wrong" not in reply


# ---------------------------------------------------------------- promised checks are made


async def test_saying_payment_problem_explains_the_failed_payment(customer: Customer) -> None:
    failed = BY_KEY["failed_direct_debit"]
    await customer.say("whats my balance")
    await customer.say(failed.account_id)
    told = await customer.say(failed.postcode)
    assert 'say "payment problem" and I\'ll explain why' in told, customer
    reply = await customer.say("payment problem")
    assert "failed because there weren't enough funds" in reply, customer


async def test_told_what_is_happening_after_no_outage_the_bot_tests_the_line(customer: Customer) -> None:
    router = BY_KEY["router_fault"]
    told = await customer.say(f"is there an outage in {router.postcode}")
    assert "tell me what's happening and I'll test it" in told, customer
    await customer.say("my internet isn't working at all")
    reply = await customer.say(f"{router.account_id} {router.postcode}")
    assert "restart" in reply, customer  # the line test ran and found the router


async def test_hello_after_i_will_try_later_asks_the_question_again(customer: Customer) -> None:
    healthy = BY_KEY["healthy_line"]
    await customer.say("my wifi keeps dropping out")
    await customer.say(f"{healthy.account_id} {healthy.postcode}")
    assert "chat stays open" in await customer.say("not sure yet, I'll try later"), customer
    reply = await customer.say("hiya")
    assert "Welcome back" in reply and "Did that fix it?" in reply, customer
    await customer.say("no still the same")
    assert customer.handoffs and customer.handoffs[-1]["reason"] == "home_fix_failed", customer


async def test_saying_the_bill_is_wrong_after_first_agreeing_still_reaches_billing(customer: Customer) -> None:
    one_off = BY_KEY["bill_one_off"]
    await customer.say("why is my bill so high")
    await customer.say(f"{one_off.account_id} {one_off.postcode}")
    assert "anything else" in (await customer.say("/affirm")).lower(), customer
    reply = await customer.say("hmm actually no, i never had an engineer round, thats wrong")
    assert "Goodbye" not in reply and "billing team" in reply, customer
    assert customer.handoffs and customer.handoffs[-1]["reason"] == "billing_dispute", customer
    assert "never had an engineer round" in str(customer.handoffs[-1]["summary"])


async def test_still_broken_after_trying_the_steps_is_retested_not_told_them_again(customer: Customer) -> None:
    router = BY_KEY["router_fault"]
    await customer.say("internet not working")
    steps = await customer.say(f"{router.account_id} {router.postcode}")
    assert "Did that fix it?" in steps, customer
    reply = await customer.say("ok tried it, still no internet")
    assert steps not in reply and "technicians" in reply, customer
    assert customer.handoffs and customer.handoffs[-1]["reason"] == "home_fix_failed"


async def test_a_no_that_is_not_a_goodbye_is_asked_what_is_wrong_and_then_checked(customer: Customer) -> None:
    await customer.say("thanks")
    reply = await customer.say("no thats not what i meant at all")
    assert "what isn't right" in reply and "Goodbye" not in reply, customer
    assert "account number" in await customer.say("my internet has been down since monday"), customer
