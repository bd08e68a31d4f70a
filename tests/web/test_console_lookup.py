"""An agent in Chromium looks up an unverified customer from the chat they hold, by account and by phone.

The customer asks for a person on the web chat without saying who they are; the agent logs in through the
console's form, accepts the case, mistypes the account number (told what an account number looks like), looks
it up, then does the same by phone, and an unknown number. Each answer shows in the lookup panel at once and in
the case's evidence, as text only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bot.auth.roles import Role
from simulator.scenarios import BY_KEY
from tests.fixtures.product import Product
from tests.handoff.staff import PASSWORD, make_staff
from tests.web.chat_page import ChatPage, WatchedPage
from tests.web.conftest import LAPTOP

pytestmark = pytest.mark.e2e
LIVE_MS = 15_000
PRIYA = BY_KEY["router_fault"]  # Priya Patel, AC10000003, 07700 900003
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def agent_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=LAPTOP)
    yield context
    context.close()


def run(coroutine: object) -> None:
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API runs its own event loop in this thread
        thread.submit(asyncio.run, coroutine).result(timeout=30)  # type: ignore[arg-type]


def log_in(page: Page, gateway_url: str, name: str, password: str) -> None:
    page.goto(gateway_url + "/agent")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#app")).to_be_visible(timeout=LIVE_MS)
    expect(page.locator("#connection")).to_have_text("", timeout=LIVE_MS)


def look_up(page: Page, by: str, ref: str) -> None:
    page.get_by_label("Look up customer by").select_option(label=by)
    page.get_by_label("Account or phone number to look up").fill(ref)
    page.locator("#lookup").get_by_role("button", name="Look up").click()


def test_an_agent_looks_up_an_unverified_customer_by_account_and_by_phone(
    customer: ChatPage, agent_context: BrowserContext, product: Product
) -> None:
    run(make_staff(product.redis_url, "rhea", Role.agent, ["general"]))
    console = WatchedPage(agent_context.new_page())
    page = console.page
    log_in(page, product.gateway_url, "rhea", PASSWORD)

    chat = customer.open(product.gateway_url)
    chat.say("I want to talk to a person", expect_reply="passing you to a person")
    conversation = str(chat.page.evaluate("() => localStorage.getItem('triage.chat.session')")).split(".", 1)[0]
    item = page.locator(f'#waiting .case-item[data-conversation-id="{conversation}"]')
    item.get_by_role("button", name="Accept").click()
    view = page.locator("#case-view")
    expect(view).to_contain_text("Not verified by the bot", timeout=LIVE_MS)
    panel = page.locator("#lookup")
    expect(panel).to_be_visible(timeout=LIVE_MS)
    error, result = page.locator("#lookup-error"), page.locator("#lookup-result")

    # Nothing typed, then a digit short: told what is wanted, nothing looked up.
    page.locator("#lookup").get_by_role("button", name="Look up").click()
    expect(error).to_have_text("Type the customer's account number, e.g. AC10000003.")
    look_up(page, "Account number", "AC1000003")
    expect(error).to_have_text("That is not an account number: AC followed by 8 digits, e.g. AC10000003.")
    expect(result).to_be_empty()

    # The right number: the customer at once in the panel, and in the case's evidence.
    look_up(page, "Account number", "ac1000 0003")
    expect(result).to_contain_text(PRIYA.name, timeout=LIVE_MS)
    expect(result).to_contain_text(PRIYA.account_id)
    expect(result).to_contain_text("broadband")
    expect(result).to_contain_text("The bot did not verify this customer")
    expect(error).to_have_text("")
    expect(view).to_contain_text(f"Found {PRIYA.name} ({PRIYA.customer_id}", timeout=LIVE_MS)
    expect(view).to_contain_text(PRIYA.account_id)

    # By phone: a letter O for a zero first, markup next (shown as text, never run), then the number.
    look_up(page, "Phone number", "07700 9000O3")
    expect(error).to_have_text("A phone number has only digits, spaces, +, brackets and hyphens, e.g. 07700 900003.")
    look_up(page, "Phone number", XSS)
    expect(error).to_contain_text("A phone number has only digits")
    expect(page.get_by_label("Account or phone number to look up")).to_have_attribute(
        "placeholder", "e.g. 07700 900003"
    )
    look_up(page, "Phone number", PRIYA.mobile)
    expect(error).to_have_text("", timeout=LIVE_MS)
    expect(result).to_contain_text(PRIYA.name)
    expect(view).to_contain_text("+447700900003", timeout=LIVE_MS)

    # Someone else's number that nobody has: said plainly, and noted in the case too.
    look_up(page, "Phone number", "07700 800123")
    expect(error).to_have_text("No customer has the phone number +447700800123.", timeout=LIVE_MS)
    expect(result).to_be_empty()
    expect(view).to_contain_text("No customer has the phone number +447700800123.", timeout=LIVE_MS)

    assert page.locator("#lookup img").count() == 0
    assert console.dialogs == [] and console.errors == [] and customer.dialogs == []
