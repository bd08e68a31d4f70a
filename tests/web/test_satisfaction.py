"""'How did we do?' on the customer's page, in Chromium: asked when the bot resolves the problem and when an agent
ends the chat or hands it back, answered by keyboard or pointer, changed, dismissed, never asked twice and never
after a mere hello. What is stored is read back from the learning store: redacted (by the product's learning
consumer, so a comment is waited for), and naming who handled it as the server knows it (the agent console is a
second Chromium, logged in through its own form)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import redis
import redis.asyncio
from playwright.sync_api import Browser, BrowserContext, Locator, expect

from bot.auth.accounts import Accounts
from bot.auth.roles import Role
from core.redis.connect import text
from learning.satisfaction import SatisfactionAnswer, SatisfactionStore
from tests.fixtures.product import Product
from tests.handoff.staff import PASSWORD, make_staff
from tests.web.chat_page import ChatPage
from tests.web.conftest import LAPTOP
from tests.web.test_agent_console import LIVE_MS, ConsolePage, run

pytestmark = pytest.mark.e2e
HOW = "How did we do?"
PHONE = "07700 900123"
IBAN = "GB82 WEST 1234 5698 7654 32"
REDACTED_WITHIN_S = 60  # the learning consumer redacts within a second or two; a loaded CI machine is slower


@pytest.fixture
def agent_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=LAPTOP)
    yield context
    context.close()


def conversation_of(chat: ChatPage) -> str:
    return str(chat.page.evaluate("() => localStorage.getItem('triage.chat.session')")).split(".", 1)[0]


def answers_of(product: Product, conversation_id: str) -> list[SatisfactionAnswer]:
    """What the learning store keeps for this conversation."""
    result: list[SatisfactionAnswer] = []

    async def read() -> None:
        client = redis.asyncio.Redis.from_url(product.redis_url)
        try:
            found = await SatisfactionStore(client, 180).of_conversations([conversation_id])
        finally:
            await client.aclose()
        result.extend(found.get(conversation_id, []))

    run(read())
    return result


def redacted_answers_of(product: Product, conversation_id: str) -> list[SatisfactionAnswer]:
    """The stored answers once the learning consumer has redacted their comments (waits, bounded)."""
    deadline = time.monotonic() + REDACTED_WITHIN_S
    answers = answers_of(product, conversation_id)
    while any(a.comment_status == "pending" for a in answers):
        assert time.monotonic() < deadline, f"comments not redacted within {REDACTED_WITHIN_S}s: {answers}"
        time.sleep(0.2)
        answers = answers_of(product, conversation_id)
    return answers


def queue_of(product: Product, case_id: str) -> str:
    client = redis.Redis.from_url(product.redis_url)
    try:
        return text(client.hget(f"triage:handoff:case:{case_id}:state", "queue") or b"")
    finally:
        client.close()


def survey_card(chat: ChatPage) -> Locator:
    return chat.page.get_by_role("form", name=HOW)


def resolved_by_the_bot(chat: ChatPage) -> None:
    """A healthy line: the bot's home fix works, and the bot says so."""
    chat.say("my wifi keeps dropping", expect_reply="account number")
    chat.say("AC10000004 EH1 1YZ", expect_reply="Did that fix it?")
    answered = chat.log.locator(".msg--bot").count()
    chat.choose("Yes, it works")
    chat.reply_contains("glad that sorted it", after=answered)


def test_a_chat_the_bot_resolved_asks_and_keeps_a_redacted_answer_that_can_be_changed(
    customer: ChatPage, product: Product
) -> None:
    chat = customer.open(product.gateway_url)
    resolved_by_the_bot(chat)
    card = survey_card(chat)
    expect(card).to_be_visible(timeout=LIVE_MS)
    expect(card).to_contain_text("Rate this chat with the assistant")

    # It never blocks typing: the customer carries on chatting with the card open.
    chat.say("thanks", expect_reply="You're welcome")
    expect(card).to_be_visible()

    # By keyboard: the rating is a group of radio buttons (arrow keys move), the comment a labelled box.
    card.get_by_role("radio", name="5 Excellent").focus()
    chat.page.keyboard.press("ArrowLeft")
    expect(card.get_by_role("radio", name="4 Good")).to_be_checked()
    chat.page.keyboard.press("Tab")
    expect(card.get_by_label("Anything to add? (optional)")).to_be_focused()
    chat.page.keyboard.type(f"Sorted quickly. Call me on {PHONE}, refund to {IBAN}. Priya Sharma")
    chat.page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Send feedback")).to_be_focused()
    chat.page.keyboard.press("Enter")
    thanks = chat.page.locator(".survey__thanks-text")
    expect(thanks).to_have_text("Thanks for your feedback: you rated this chat 4 out of 5.", timeout=LIVE_MS)
    expect(card).to_be_hidden()
    change = chat.page.get_by_role("button", name="Change my answer")
    expect(change).to_be_focused()  # the keyboard user stays on the card

    [answer] = redacted_answers_of(product, conversation_of(chat))
    assert (answer.score, answer.handled_by, answer.agent, answer.queue) == (4, "bot", None, None)
    assert answer.survey_id.startswith("bot-") and answer.model_id  # the model that answered, from Rasa's events
    assert answer.comment is not None and answer.comment_status == "redacted"
    assert answer.comment.startswith("Sorted quickly. Call me on <PHONE>, refund to <IBAN>"), answer.comment
    assert not any(said in answer.comment for said in ("900123", "WEST", "7654", "Priya", "Sharma")), answer.comment

    # A change of mind replaces the answer: still one for this end.
    change.click()
    expect(card).to_be_visible()
    card.get_by_text("Poor", exact=True).click()
    card.get_by_label("Anything to add? (optional)").fill("")
    card.get_by_role("button", name="Send feedback").click()
    expect(thanks).to_have_text("Thanks for your feedback: you rated this chat 2 out of 5.", timeout=LIVE_MS)
    [changed] = redacted_answers_of(product, conversation_of(chat))
    assert (changed.survey_id, changed.score, changed.comment) == (answer.survey_id, 2, None)

    # Never asked twice for the same end: a reload shows the conversation without the card.
    chat.page.reload()
    chat.connected()
    expect(chat.log).to_contain_text("glad that sorted it", timeout=LIVE_MS)
    expect(chat.page.locator(".survey")).to_have_count(0)
    assert customer.dialogs == []


def test_no_survey_after_a_mere_hello_and_a_dismissed_one_stores_nothing(customer: ChatPage, product: Product) -> None:
    chat = customer.open(product.gateway_url)
    chat.say("hello", expect_reply="support assistant")
    chat.say("no", expect_reply="Goodbye")
    chat.page.wait_for_timeout(1500)  # the bot's turn is complete: a survey would have come with its goodbye
    expect(chat.page.locator(".survey")).to_have_count(0)

    # The bot explains a bill and the customer agrees it is right: resolved, asked.
    chat.say("why is my bill higher this month", expect_reply="account number")
    chat.say("AC10000012 CB2 1TN", expect_reply="look right")
    answered = chat.log.locator(".msg--bot").count()
    chat.choose("Yes, that's right")
    chat.reply_contains("anything else", after=answered)
    card = survey_card(chat)
    expect(card).to_be_visible(timeout=LIVE_MS)

    # Sending without a rating says what is missing, and sends nothing.
    card.get_by_role("button", name="Send feedback").click()
    expect(card.get_by_role("alert")).to_have_text("Choose a rating from 1 to 5 first.")

    card.get_by_role("button", name="No thanks").click()
    expect(chat.page.locator(".survey")).to_have_count(0)
    expect(chat.page.get_by_label("Your message")).to_be_focused()
    assert answers_of(product, conversation_of(chat)) == []

    # "No" to anything else right after: the same end, so no second survey.
    chat.say("no", expect_reply="Goodbye")
    chat.page.wait_for_timeout(1500)
    chat.page.reload()
    chat.connected()
    expect(chat.log).to_contain_text("Goodbye", timeout=LIVE_MS)
    expect(chat.page.locator(".survey")).to_have_count(0)
    assert answers_of(product, conversation_of(chat)) == []


def test_an_agent_ended_chat_asks_and_the_answer_names_that_agent_and_queue(
    customer: ChatPage, agent_context: BrowserContext, product: Product
) -> None:
    async def nora() -> None:
        await make_staff(product.redis_url, "nkowalczyk", Role.agent, ["general", "technical"])
        client = redis.asyncio.Redis.from_url(product.redis_url)
        try:
            await Accounts(client, 3600).set_display_name("nkowalczyk", "Nora")
        finally:
            await client.aclose()

    run(nora())
    console = ConsolePage(agent_context.new_page()).log_in(product.gateway_url, "nkowalczyk", PASSWORD)
    chat = customer.open(product.gateway_url)
    chat.say("I want to talk to a person", expect_reply="passing you to a person")
    item = console.page.locator(f'#waiting .case-item[data-conversation-id="{conversation_of(chat)}"]')
    expect(item).to_be_visible(timeout=LIVE_MS)
    case_id = item.get_attribute("data-case-id") or ""
    item.get_by_role("button", name="Accept").click()
    expect(chat.state).to_have_text("Talking to Nora", timeout=LIVE_MS)
    expect(chat.page.locator(".survey")).to_have_count(0)  # not while the chat goes on

    ending = console.page.locator("#end-form")
    ending.get_by_label("Resolved", exact=True).check()
    ending.get_by_label("Yes", exact=True).check()
    ending.get_by_role("button", name="End chat").click()
    expect(chat.log).to_contain_text("Nora ended the chat", timeout=LIVE_MS)
    card = survey_card(chat)
    expect(card).to_be_visible(timeout=LIVE_MS)
    expect(card).to_contain_text("Rate this chat with Nora")
    card.get_by_text("Excellent", exact=True).click()
    card.get_by_label("Anything to add? (optional)").fill("<b>Nora</b> was great <script>alert(1)</script>")
    card.get_by_role("button", name="Send feedback").click()
    expect(chat.page.locator(".survey__thanks-text")).to_contain_text("5 out of 5", timeout=LIVE_MS)

    [answer] = redacted_answers_of(product, conversation_of(chat))
    assert (answer.survey_id, answer.case_id, answer.handled_by) == (case_id, case_id, "agent")
    assert (answer.agent, answer.queue, answer.model_id) == ("nkowalczyk", queue_of(product, case_id), None)
    assert answer.queue
    assert answer.comment is not None and "was great" in answer.comment and "<script>" in answer.comment
    assert customer.dialogs == [] and console.errors == [] and console.dialogs == []


def test_an_agent_handing_back_to_the_bot_asks_about_the_agents_part(
    customer: ChatPage, agent_context: BrowserContext, product: Product
) -> None:
    run(make_staff(product.redis_url, "ohara", Role.agent, ["general", "technical"]))
    console = ConsolePage(agent_context.new_page()).log_in(product.gateway_url, "ohara", PASSWORD)
    chat = customer.open(product.gateway_url)
    chat.say("I want to talk to a person", expect_reply="passing you to a person")
    item = console.page.locator(f'#waiting .case-item[data-conversation-id="{conversation_of(chat)}"]')
    expect(item).to_be_visible(timeout=LIVE_MS)
    case_id = item.get_attribute("data-case-id") or ""
    item.get_by_role("button", name="Accept").click()
    expect(chat.state).to_have_text(re.compile("^Talking to "), timeout=LIVE_MS)

    ending = console.page.locator("#end-form")
    ending.get_by_label("Resolved", exact=True).check()
    ending.get_by_label("Yes", exact=True).check()
    ending.get_by_role("button", name="Hand back to the bot").click()
    expect(chat.state).to_have_text("Talking to the assistant", timeout=LIVE_MS)
    card = survey_card(chat)
    expect(card).to_be_visible(timeout=LIVE_MS)
    card.get_by_role("radio", name="3 OK").check()
    card.get_by_role("button", name="Send feedback").click()
    expect(chat.page.locator(".survey__thanks-text")).to_contain_text("3 out of 5", timeout=LIVE_MS)
    [answer] = answers_of(product, conversation_of(chat))
    assert (answer.case_id, answer.agent, answer.handled_by) == (case_id, "ohara", "agent")
    assert answer.queue and answer.queue == queue_of(product, case_id)
    assert console.errors == []


def test_leaving_the_queue_is_not_an_end_to_ask_about(customer: ChatPage, product: Product) -> None:
    chat = customer.open(product.gateway_url)
    chat.say("I want to talk to a person", expect_reply="passing you to a person")
    leave = chat.page.get_by_role("button", name="I don't need a person any more")
    expect(leave).to_be_visible(timeout=LIVE_MS)
    answered = chat.log.locator(".msg--bot").count()
    leave.click()
    chat.reply_contains("out of the queue", after=answered)
    expect(chat.state).to_have_text("Talking to the assistant", timeout=LIVE_MS)
    chat.page.wait_for_timeout(1500)  # the bot's turn is complete: a survey would have come with it
    expect(chat.page.locator(".survey")).to_have_count(0)
    assert answers_of(product, conversation_of(chat)) == []
