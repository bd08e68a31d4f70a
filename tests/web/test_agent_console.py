"""A warm handoff in two browsers: a customer on the web chat and an agent on the console, both in Chromium.

The customer asks for a person and sees their place; the agent sees the case arrive, accepts it, reads it,
chats (typing shown both ways, every text shown as text), and hands the customer back to the bot, which
answers again. A supervisor gets a link to the supervisor's view.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, expect

from bot.auth.roles import Role
from tests.fixtures.product import Product
from tests.handoff.staff import PASSWORD, make_staff
from tests.web.chat_page import ChatPage, WatchedPage
from tests.web.conftest import LAPTOP

pytestmark = pytest.mark.e2e
XSS = "<img src=x onerror=alert(1)>"
LIVE_MS = 15_000


class ConsolePage(WatchedPage):
    def log_in(self, gateway_url: str, name: str, password: str) -> ConsolePage:
        self.page.goto(gateway_url + "/agent")
        expect(self.page.get_by_role("heading", name="Log in")).to_be_visible()
        expect(self.page.get_by_role("heading", name=re.compile("^Waiting"))).to_be_hidden()  # nothing of the console
        self.page.get_by_label("User name").fill(name)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        expect(self.page.locator("#app")).to_be_visible(timeout=LIVE_MS)
        expect(self.page.locator("#connection")).to_have_text("", timeout=LIVE_MS)
        return self

    def dispose(self, resolution: str, root_cause: str, bot_could_handle: bool, then: str) -> None:
        """Fill the disposition and press ``then`` ("End chat" or "Hand back to the bot")."""
        form = self.page.locator("#end-form")
        form.get_by_label(resolution, exact=True).check()
        form.get_by_label("Root cause").select_option(label=root_cause)
        form.get_by_label("Yes" if bot_could_handle else "No", exact=True).check()
        form.get_by_role("button", name=then).click()

    def waiting_item(self, conversation_id: str) -> Locator:
        return self.page.locator(f'#waiting .case-item[data-conversation-id="{conversation_id}"]')


def conversation_of(chat: ChatPage) -> str:
    return str(chat.page.evaluate("() => localStorage.getItem('triage.chat.session')")).split(".", 1)[0]


@pytest.fixture
def agent_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=LAPTOP)
    yield context
    context.close()


def run(coroutine: object) -> None:
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API runs its own event loop in this thread
        thread.submit(asyncio.run, coroutine).result(timeout=30)  # type: ignore[arg-type]


def test_a_warm_handoff_and_a_hand_back_in_two_browsers(
    customer: ChatPage, agent_context: BrowserContext, browser: Browser, product: Product
) -> None:
    run(make_staff(product.redis_url, "lena", Role.agent, ["general", "technical"]))
    console = ConsolePage(agent_context.new_page()).log_in(product.gateway_url, "lena", PASSWORD)

    chat = customer.open(product.gateway_url)
    chat.say("I want to talk to a person", expect_reply="passing you to a person")
    expect(chat.state).to_have_text(re.compile(r"Waiting for an agent: position \d+, about \d+ min"), timeout=LIVE_MS)

    # The case appears on the console by itself (live), readable, and the agent takes it.
    item = console.waiting_item(conversation_of(chat))
    expect(item).to_be_visible(timeout=LIVE_MS)
    expect(console.page).to_have_title(re.compile(r"^\(\d+\) Agent console$"))  # seen from another tab
    expect(console.page.get_by_role("heading", name=re.compile("^Callbacks and tickets"))).to_be_visible()
    item.get_by_role("button", name="Accept").click()
    view = console.page.locator("#case-view")
    expect(view).to_contain_text("Why the bot handed over", timeout=LIVE_MS)
    expect(view).to_contain_text("What the bot understood")
    expect(console.page.locator("#chat-log")).to_contain_text("I want to talk to a person")
    expect(chat.state).to_have_text("Talking to Lena", timeout=LIVE_MS)
    expect(chat.log).to_contain_text("Lena joined")

    # Typing, both ways, and gone once the message is sent.
    reply = console.page.get_by_label("Your reply")
    reply.click()
    reply.type("Hello, I'm Lena")
    expect(chat.page.locator("#typing")).to_have_text("Lena is typing…", timeout=LIVE_MS)
    reply.press("Enter")
    expect(chat.log.locator(".msg--agent .msg__bubble").last).to_have_text("Hello, I'm Lena", timeout=LIVE_MS)
    expect(chat.page.locator("#typing")).to_be_hidden(timeout=LIVE_MS)

    box = chat.page.get_by_label("Your message")
    box.click()
    box.type("my router")
    expect(console.page.locator("#customer-typing")).to_have_text("Customer is typing…", timeout=LIVE_MS)
    box.fill(XSS)
    box.press("Enter")
    line = console.page.locator("#chat-log .line--customer").last
    expect(line).to_contain_text(XSS, timeout=LIVE_MS)  # shown as text, never run
    expect(console.page.locator("#customer-typing")).to_be_hidden(timeout=LIVE_MS)
    assert console.page.locator("#chat-log img").count() == 0

    # Hand back, with a disposition: the customer is told, and the bot speaks again and answers the next message.
    answered = chat.log.locator(".msg--bot").count()
    console.page.get_by_role("button", name="Hand back to the bot").click()  # no disposition yet: nothing goes
    expect(chat.state).to_have_text("Talking to Lena")
    console.dispose("Resolved", "Customer-specific", False, "Hand back to the bot")
    expect(chat.state).to_have_text("Talking to the assistant", timeout=LIVE_MS)
    expect(chat.log).to_contain_text("Lena handed you back to the assistant")
    chat.reply_contains("what else can I check", after=answered)
    chat.say("is there an outage in G1 1XQ?", expect_reply="known fault")
    expect(console.page.locator("#mine .case-item")).to_have_count(0, timeout=LIVE_MS)
    expect(console.page.locator("#notice")).to_have_text("Handed back to the bot; the disposition is recorded.")
    expect(console.page.get_by_label("Your reply")).to_be_hidden()  # no reply box on a chat that is over
    expect(console.page.locator("#composer-off")).to_contain_text("This chat is over")
    expect(console.page.get_by_role("link", name="Supervisor view")).to_be_hidden()

    # A supervisor gets a link to the supervisor's view instead of tables in the console.
    supervisor = ConsolePage(browser.new_context(viewport=LAPTOP).new_page())
    try:
        supervisor.log_in(product.gateway_url, "supervisor", "triage-demo")
        expect(supervisor.page.locator("#who")).to_contain_text("Sam (supervisor)")
        link = supervisor.page.get_by_role("link", name="Supervisor view")
        expect(link).to_have_attribute("href", "/supervisor")
        assert supervisor.errors == []
    finally:
        supervisor.page.context.close()
    assert console.dialogs == [] and customer.dialogs == [] and console.errors == []
