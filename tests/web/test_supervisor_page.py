"""The supervisor's page in Chromium, used as a supervisor would: log in through the page's form, watch a live
chat with its times ticking, open it read-only while the customer writes, reassign it to another agent (whose
console, also in Chromium, sees it arrive while the first agent's sees it leave), take it over, switch the
figures' period, log out. Agents and product owners are told the page is not for their role."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bot.auth.roles import Role
from tests.fixtures.product import Product
from tests.handoff.staff import PASSWORD, make_staff
from tests.web.chat_page import ChatPage, WatchedPage
from tests.web.conftest import LAPTOP
from tests.web.test_agent_console import ConsolePage

pytestmark = pytest.mark.e2e
LIVE_MS = 15_000
DEMO_PASSWORD = "triage-demo"


def run(coroutine: object) -> None:
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API runs its own event loop in this thread
        thread.submit(asyncio.run, coroutine).result(timeout=30)  # type: ignore[arg-type]


class SupervisorPage(WatchedPage):
    def open(self, gateway_url: str) -> SupervisorPage:
        response = self.page.goto(gateway_url + "/supervisor")
        assert response is not None and response.status == 200
        # No script but the page's own may run, and no other site may frame it (as the agent console).
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        return self

    def log_in(self, name: str, password: str) -> SupervisorPage:
        expect(self.page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
        self.page.get_by_label("User name").fill(name)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        return self

    def log_out(self) -> None:
        self.page.get_by_role("button", name="Log out").click()
        expect(self.page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
        self.page.reload()  # the session ended on the server: a reload does not log back in
        expect(self.page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
        expect(self.page.locator("#app")).to_be_hidden(timeout=LIVE_MS)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def new_page(browser: Browser, contexts: list[BrowserContext]) -> Page:
    context = browser.new_context(viewport=LAPTOP)
    contexts.append(context)
    return context.new_page()


@pytest.mark.parametrize(("name", "role", "home"), [("agent", "agent", "/agent"),
                                                     ("product_owner", "product owner", "/insights")])  # fmt: skip
def test_agents_and_product_owners_are_told_the_page_is_not_theirs(
    browser: Browser, contexts: list[BrowserContext], product: Product, name: str, role: str, home: str
) -> None:
    page = SupervisorPage(new_page(browser, contexts)).open(product.gateway_url)
    page.log_in(name, DEMO_PASSWORD)
    expect(page.page.get_by_role("heading", name="Not for your role")).to_be_visible(timeout=LIVE_MS)
    expect(page.page.locator("#refused-text")).to_contain_text(f"({role})", timeout=LIVE_MS)
    expect(page.page.get_by_role("link", name=re.compile("^Go to"))).to_have_attribute("href", home, timeout=LIVE_MS)
    expect(page.page.locator("#app")).to_be_hidden(timeout=LIVE_MS)
    page.page.reload()  # still logged in, still refused
    expect(page.page.get_by_role("heading", name="Not for your role")).to_be_visible(timeout=LIVE_MS)
    page.page.locator("#refused-logout").click()
    expect(page.page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
    page.page.reload()
    expect(page.page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
    assert page.errors == [] and page.dialogs == []


def test_a_wrong_password_is_refused_and_an_admin_gets_in(
    browser: Browser, contexts: list[BrowserContext], product: Product
) -> None:
    run(make_staff(product.redis_url, "adele", Role.admin, []))
    page = SupervisorPage(new_page(browser, contexts)).open(product.gateway_url)
    page.log_in("adele", "not the password")
    expect(page.page.locator("#login-error")).to_have_text("The user name or the password is wrong.", timeout=LIVE_MS)
    page.page.get_by_label("Password").fill(PASSWORD)
    page.page.get_by_role("button", name="Log in").click()
    expect(page.page.get_by_role("heading", name=re.compile("^Live"))).to_be_visible(timeout=LIVE_MS)
    expect(page.page.locator("#who")).to_have_text("adele (admin)", timeout=LIVE_MS)
    page.log_out()
    assert page.errors == [] and page.dialogs == []


def test_a_supervisor_watches_reassigns_and_takes_over_a_live_chat(
    browser: Browser, contexts: list[BrowserContext], product: Product
) -> None:
    run(make_staff(product.redis_url, "ivy", Role.agent, ["general"]))
    run(make_staff(product.redis_url, "kit", Role.agent, ["general"]))
    ivy = ConsolePage(new_page(browser, contexts)).log_in(product.gateway_url, "ivy", PASSWORD)
    kit = ConsolePage(new_page(browser, contexts)).log_in(product.gateway_url, "kit", PASSWORD)
    customer = ChatPage(new_page(browser, contexts)).open(product.gateway_url)
    customer.say("I want to talk to a person", expect_reply="passing you to a person")
    conversation = str(customer.page.evaluate("() => localStorage.getItem('triage.chat.session')")).split(".", 1)[0]
    waiting = ivy.page.locator(f'#waiting .case-item[data-conversation-id="{conversation}"]')
    waiting.get_by_role("button", name="Accept").click()
    expect(customer.state).to_have_text("Talking to Ivy", timeout=LIVE_MS)

    sup = SupervisorPage(new_page(browser, contexts)).open(product.gateway_url).log_in("supervisor", DEMO_PASSWORD)
    held = sup.page.locator(f'#held [data-agent="ivy"] .held__chat[data-conversation-id="{conversation}"]')
    expect(held).to_be_visible(timeout=LIVE_MS)
    expect(held).to_contain_text(re.compile(r"waited \d+"), timeout=LIVE_MS)
    handling = held.locator(".held__handle")
    first = handling.inner_text()
    expect(handling).not_to_have_text(first, timeout=5000)  # the handle time ticks
    expect(sup.page.locator("#queues")).to_contain_text("general", timeout=LIVE_MS)
    expect(sup.page.locator("#agents")).to_contain_text("Kit (kit)", timeout=LIVE_MS)

    # Read-only: the case and the live transcript, no reply box.
    held.get_by_role("button", name="Open").click()
    expect(sup.page.locator("#chat-view")).to_contain_text("Why the bot handed over", timeout=LIVE_MS)
    expect(sup.page.locator("#chat-status")).to_contain_text("with Ivy (ivy)", timeout=LIVE_MS)
    log = sup.page.locator("#chat-log")
    expect(log).to_contain_text("I want to talk to a person", timeout=LIVE_MS)
    expect(log).to_contain_text("Ivy joined", timeout=LIVE_MS)
    assert sup.page.locator("#chat textarea#reply, #chat .composer").count() == 0
    customer.type("<b>still there?</b>")
    expect(log).to_contain_text("<b>still there?</b>", timeout=LIVE_MS)  # live, and shown as text
    assert log.locator("b").count() == 0

    # Reassign to Kit with a note: the customer sees Kit join, Kit's console gains the chat, Ivy's loses it.
    expect(sup.page.locator("#move-agent")).to_contain_text("Kit (kit)", timeout=LIVE_MS)
    sup.page.get_by_label("To agent").select_option("kit")
    sup.page.get_by_label("Note (optional, shown in the case)").fill("Kit handled the last outage here")
    sup.page.get_by_role("button", name="Reassign").click()
    expect(sup.page.locator("#move-result")).to_have_text("Reassigned to Kit (kit).", timeout=LIVE_MS)
    expect(customer.log).to_contain_text("Kit joined", timeout=LIVE_MS)
    expect(customer.state).to_have_text("Talking to Kit", timeout=LIVE_MS)
    expect(kit.page.locator(f'#mine .case-item[data-conversation-id="{conversation}"]')).to_be_visible(timeout=LIVE_MS)
    expect(ivy.page.locator(f'#mine .case-item[data-conversation-id="{conversation}"]')).to_have_count(
        0, timeout=LIVE_MS
    )
    expect(sup.page.locator("#chat-status")).to_contain_text("with Kit (kit)", timeout=LIVE_MS)
    expect(sup.page.locator("#chat-view")).to_contain_text("Note: Kit handled the last outage here", timeout=LIVE_MS)
    expect(sup.page.locator(f'#held [data-agent="kit"] [data-conversation-id="{conversation}"]')).to_be_visible(
        timeout=LIVE_MS
    )
    # Neither or both choices: the page says what to do, nothing moves.
    sup.page.get_by_role("button", name="Reassign").click()
    expect(sup.page.locator("#move-result")).to_have_text("Choose an agent or a queue (one of them).", timeout=LIVE_MS)
    sup.page.get_by_label("To agent").select_option("ivy")
    sup.page.get_by_label("or to queue").select_option("billing")
    sup.page.get_by_role("button", name="Reassign").click()
    expect(sup.page.locator("#move-result")).to_have_text("Choose an agent or a queue (one of them).", timeout=LIVE_MS)
    sup.page.get_by_label("To agent").select_option("")
    sup.page.get_by_label("or to queue").select_option("")
    expect(sup.page.locator("#chat-status")).to_contain_text("with Kit (kit)", timeout=LIVE_MS)

    # Take over: the supervisor holds the chat, the customer sees Sam join, Kit's console lets it go.
    sup.page.get_by_role("button", name="Take over").click()
    expect(sup.page.locator("#move-result")).to_contain_text("You hold this chat now", timeout=LIVE_MS)
    expect(customer.log).to_contain_text("Sam joined", timeout=LIVE_MS)
    expect(kit.page.locator(f'#mine .case-item[data-conversation-id="{conversation}"]')).to_have_count(
        0, timeout=LIVE_MS
    )
    expect(sup.page.locator(f'#held [data-agent="supervisor"] [data-conversation-id="{conversation}"]')).to_be_visible(
        timeout=LIVE_MS
    )

    # The supervisor replies from the agent console, then comes back and moves the chat to the billing queue.
    sup.page.get_by_role("link", name="Agent console").click()
    mine = sup.page.locator(f'#mine .case-item[data-conversation-id="{conversation}"]')
    mine.get_by_role("button", name="Open").click()
    reply = sup.page.get_by_label("Your reply")
    reply.fill("Sam here, a supervisor: I'm looking into it")
    reply.press("Enter")
    expect(customer.log.locator(".msg--agent .msg__bubble").last).to_have_text(
        "Sam here, a supervisor: I'm looking into it", timeout=LIVE_MS
    )
    sup.page.goto(product.gateway_url + "/supervisor")
    mine_now = sup.page.locator(f'#held [data-agent="supervisor"] [data-conversation-id="{conversation}"]')
    mine_now.get_by_role("button", name="Open").click()
    expect(sup.page.locator("#chat-log")).to_contain_text("Sam here, a supervisor", timeout=LIVE_MS)
    sup.page.get_by_label("or to queue").select_option("billing")
    sup.page.get_by_label("Note (optional, shown in the case)").fill("Billing question after all")
    sup.page.get_by_role("button", name="Reassign").click()
    expect(sup.page.locator("#move-result")).to_have_text("Reassigned to the billing queue.", timeout=LIVE_MS)
    expect(customer.log).to_contain_text("You're being passed to our billing team", timeout=LIVE_MS)
    expect(customer.state).to_contain_text("Waiting for an agent", timeout=LIVE_MS)
    expect(sup.page.locator("#chat-status")).to_contain_text("billing · normal · waiting", timeout=LIVE_MS)
    expect(sup.page.locator("#move-form")).to_be_hidden(timeout=LIVE_MS)
    expect(mine_now).to_have_count(0, timeout=LIVE_MS)
    expect(sup.page.locator("#queues tr", has_text="billing")).to_contain_text("1", timeout=LIVE_MS)
    waiting = sup.page.locator(f'#waiting [data-conversation-id="{conversation}"]')
    expect(waiting).to_contain_text("billing", timeout=LIVE_MS)
    sup.page.get_by_role("button", name="Close").click()
    waiting.get_by_role("button", name="Open").click()  # a waiting chat opens read-only too
    expect(sup.page.locator("#chat-status")).to_contain_text("waiting", timeout=LIVE_MS)
    expect(sup.page.locator("#chat-log")).to_contain_text("passed to our billing team", timeout=LIVE_MS)

    # Figures: presets and a custom period, each figure explained; an empty period says so.
    expect(sup.page.locator("#period")).to_contain_text("Today:", timeout=LIVE_MS)
    expect(sup.page.locator("#by-queue")).to_contain_text("general", timeout=LIVE_MS)
    expect(sup.page.locator("#by-agent")).to_contain_text("Ivy (ivy)", timeout=LIVE_MS)
    sup.page.get_by_role("button", name="7 days").click()
    expect(sup.page.locator("#period")).to_contain_text("The last 7 days:", timeout=LIVE_MS)
    expect(sup.page.get_by_role("button", name="7 days")).to_have_attribute("aria-pressed", "true", timeout=LIVE_MS)
    sup.page.get_by_role("button", name="30 days").click()
    expect(sup.page.locator("#period")).to_contain_text("The last 30 days:", timeout=LIVE_MS)
    expect(sup.page.locator("#explained")).to_contain_text(
        "Cases that entered the queue in the period", timeout=LIVE_MS
    )
    sup.page.get_by_label("From").fill("2020-01-01")
    sup.page.get_by_label("to", exact=True).fill("2020-01-31")
    sup.page.get_by_role("button", name="Show").click()
    expect(sup.page.locator("#period")).to_contain_text("2020-01-01 to 2020-01-31:", timeout=LIVE_MS)
    expect(sup.page.locator("#figures-empty")).to_be_visible(timeout=LIVE_MS)
    expect(sup.page.locator("#figures-tables")).to_be_hidden(timeout=LIVE_MS)
    sup.page.get_by_role("button", name="Today").click()
    expect(sup.page.locator("#figures-tables")).to_be_visible(timeout=LIVE_MS)

    sup.page.get_by_role("button", name="Close").click()
    expect(sup.page.locator("#chat")).to_be_hidden(timeout=LIVE_MS)
    sup.log_out()
    for page in (sup, ivy, kit, customer):
        assert page.errors == [] and page.dialogs == [], (page.errors, page.dialogs)
