"""The customer's page while a person is coming and after: leaving the queue with the page's button, the agent's
display name, and a state line that always says who is talking now. Two browsers: the customer's web chat and
the agent console, both in Chromium, the console logged in through its login form."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import redis
import redis.asyncio
from playwright.sync_api import Browser, BrowserContext, expect

from bot.auth.accounts import Accounts
from bot.auth.roles import Role
from core.redis.connect import text
from tests.fixtures.product import Product
from tests.handoff.staff import PASSWORD, make_staff
from tests.web.chat_page import ChatPage
from tests.web.conftest import LAPTOP
from tests.web.test_agent_console import LIVE_MS, ConsolePage, run

pytestmark = pytest.mark.e2e
ASSISTANT = "Talking to the assistant"
WAITING = re.compile(r"Waiting for an agent: position \d+, about \d+ min")
LEAVE = "I don't need a person any more"


@pytest.fixture
def agent_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=LAPTOP)
    yield context
    context.close()


def conversation_of(chat: ChatPage) -> str:
    return str(chat.page.evaluate("() => localStorage.getItem('triage.chat.session')")).split(".", 1)[0]


def case_status(product: Product, case_id: str) -> str:
    client = redis.Redis.from_url(product.redis_url)
    try:
        return text(client.hget(f"triage:handoff:case:{case_id}:state", "status") or b"")
    finally:
        client.close()


def test_leaving_the_queue_with_the_button_by_keyboard_the_console_sees_the_case_go(
    customer: ChatPage,
    agent_context: BrowserContext,
    product: Product,
) -> None:
    run(make_staff(product.redis_url, "mira", Role.agent, ["general", "technical"]))
    console = ConsolePage(agent_context.new_page()).log_in(product.gateway_url, "mira", PASSWORD)

    chat = customer.open(product.gateway_url)
    leave = chat.page.get_by_role("button", name=LEAVE)
    expect(leave).to_be_hidden()  # only while waiting for a person
    chat.say("I want to talk to a person", expect_reply="passing you to a person")
    expect(chat.state).to_have_text(WAITING, timeout=LIVE_MS)
    expect(leave).to_be_visible()

    item = console.page.locator(f'#waiting .case-item[data-conversation-id="{conversation_of(chat)}"]')
    expect(item).to_be_visible(timeout=LIVE_MS)
    case_id = item.get_attribute("data-case-id") or ""
    assert case_status(product, case_id) == "waiting"

    # By keyboard: from the message box back to the button, and Enter.
    chat.page.get_by_label("Your message").focus()
    for _ in range(15):
        if leave.evaluate("b => b === document.activeElement"):
            break
        chat.page.keyboard.press("Shift+Tab")
    expect(leave).to_be_focused()
    answered = chat.log.locator(".msg--bot").count()
    chat.page.keyboard.press("Enter")

    expect(chat.state).to_have_text(ASSISTANT, timeout=LIVE_MS)
    chat.reply_contains("out of the queue", after=answered)
    assert chat.customer_bubbles()[-1] == LEAVE  # the button's title, not its payload
    expect(leave).to_be_hidden()
    expect(item).to_have_count(0, timeout=LIVE_MS)  # gone from the console, live
    assert case_status(product, case_id) == "withdrawn"
    chat.say("is there an outage in G1 1XQ?", expect_reply="known fault")  # the bot holds the chat again
    expect(chat.state).to_have_text(ASSISTANT)
    assert console.errors == [] and console.dialogs == []


def test_the_agent_is_shown_by_name_and_the_state_line_follows_who_is_talking(
    customer: ChatPage,
    agent_context: BrowserContext,
    product: Product,
) -> None:
    async def lena() -> None:
        await make_staff(product.redis_url, "lkowalski", Role.agent, ["general", "technical"])
        client = redis.asyncio.Redis.from_url(product.redis_url)
        try:
            await Accounts(client, 3600).set_display_name("lkowalski", "Lena")
        finally:
            await client.aclose()

    run(lena())
    console = ConsolePage(agent_context.new_page()).log_in(product.gateway_url, "lkowalski", PASSWORD)
    chat = customer.open(product.gateway_url)
    chat.say("I want to talk to a person", expect_reply="passing you to a person")
    expect(chat.state).to_have_text(WAITING, timeout=LIVE_MS)
    hand_over = re.compile(r"\b(?:pass(?:ing)? you|getting you a person|put(?:ting)? you through)\b", re.I)
    assert sum(len(hand_over.findall(text)) for text in chat.texts_in_order()) == 1  # one hand-over sentence

    item = console.page.locator(f'#waiting .case-item[data-conversation-id="{conversation_of(chat)}"]')
    item.get_by_role("button", name="Accept").click()
    expect(chat.state).to_have_text("Talking to Lena", timeout=LIVE_MS)
    expect(chat.log.locator(".msg--system").last).to_have_text(re.compile("Lena joined"))
    reply = console.page.get_by_label("Your reply")
    reply.fill("Hello, I'm Lena. Let me look.")
    reply.press("Enter")
    message = chat.log.locator(".msg--agent").last
    expect(message.locator(".msg__bubble")).to_have_text("Hello, I'm Lena. Let me look.", timeout=LIVE_MS)
    expect(message.locator(".msg__who")).to_have_text("Lena")

    ending = console.page.locator("#end-form")
    ending.get_by_label("Resolved", exact=True).check()
    ending.get_by_label("Yes", exact=True).check()
    ending.get_by_role("button", name="End chat").click()
    expect(chat.log.locator(".msg--system").last).to_contain_text("Lena ended the chat", timeout=LIVE_MS)
    expect(chat.state).to_have_text(ASSISTANT)
    chat.say("is there an outage in G1 1XQ?", expect_reply="known fault")
    expect(chat.state).to_have_text(ASSISTANT)  # not "… ended the chat" while the bot answers

    page_text = chat.page.locator("body").inner_text()
    assert "lkowalski" not in page_text and not re.search(r"\bAgent\b", page_text)
    assert console.errors == [] and console.dialogs == []
