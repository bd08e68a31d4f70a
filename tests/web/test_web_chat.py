"""A customer on the web chat page, in headless Chromium, against the running product.

What the issue lists: a whole diagnosis by typing and clicking, a reload mid-conversation, the gateway
killed and restarted mid-conversation, a message that looks like HTML, and the page used by keyboard only.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis.asyncio
from playwright.sync_api import Browser, ViewportSize, expect

from bot.chat.publisher import external_publisher
from bot.chat.wire import HandoffEvent
from simulator.scenarios import BY_KEY
from tests.fixtures.gateway import ExtraGateway, extra_gateway
from tests.fixtures.product import Product
from tests.web.chat_page import ChatPage

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}
XSS = "<img src=x onerror=alert(1)>"
AA_CONTRAST = 4.5
# After an escalation the page says where the customer stands: in the queue, or honestly that nobody is online.
HANDED_OVER = re.compile(r"Waiting for an agent: (?:position \d+, about \d+ min|nobody is available right now)")


@pytest.fixture
def phone_customer(browser: Browser) -> Iterator[ChatPage]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    chat = ChatPage(context.new_page())
    yield chat
    context.close()
    assert chat.errors == []


def publish(product: Product, conversation_id: str, *events: HandoffEvent, agent_says: str | None = None) -> None:
    """As the process that runs queues and agents will: lifecycle events and agent messages through Redis."""

    async def send() -> None:
        client = redis.asyncio.Redis.from_url(product.redis_url)
        try:
            publisher = external_publisher(client, product.redis_url)
            for event in events:
                await publisher.handoff_event(conversation_id, event)
            if agent_says is not None:
                await publisher.agent_message(conversation_id, "Dana", agent_says)
        finally:
            await client.aclose()

    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API runs its own event loop in this thread
        thread.submit(asyncio.run, send()).result(timeout=30)


def conversation_id(chat: ChatPage) -> str:
    session = chat.page.evaluate("() => localStorage.getItem('triage.chat.session')")
    return str(session).split(".", 1)[0]


def test_a_whole_diagnosis_by_typing_and_clicking(customer: ChatPage, product: Product) -> None:
    httpx.post(f"{product.simulator_url}/admin/reset", timeout=10).raise_for_status()
    router = BY_KEY["router_fault"]
    chat = customer.open(product.gateway_url)
    expect(chat.state).to_have_text("Talking to the assistant")

    chat.say("hi, my internet isn't working", expect_reply="account number")
    chat.say(router.account_id, expect_reply="postcode")
    chat.say(router.postcode.lower(), expect_reply="Did that fix it?")
    assert any(f"Thanks {router.name.split()[0]}" in text for text in chat.bot_bubbles())
    answered = chat.log.locator(".msg--bot").count()
    chat.choose("Yes, it works")
    chat.reply_contains("glad that sorted it", after=answered)

    assert chat.customer_bubbles()[-1] == "Yes, it works"  # the button's title, not its payload
    for button in chat.log.locator(".msg").get_by_role("button").all():
        expect(button).to_be_disabled()  # answered questions cannot be answered again
    expect(chat.page.get_by_role("form", name="How did we do?")).to_be_visible()  # resolved: asked, and answerable
    times = chat.log.locator(".msg time")
    assert times.count() == chat.log.locator(".msg").count()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*", times.first.get_attribute("datetime") or "")
    expect(chat.page.locator("#typing")).to_be_hidden()


def test_a_reload_mid_conversation_resumes_it_with_its_history(phone_customer: ChatPage, product: Product) -> None:
    chat = phone_customer.open(product.gateway_url)
    chat.say("my broadband is down", expect_reply="account number")
    before = chat.texts_in_order()
    session = chat.page.evaluate("() => localStorage.getItem('triage.chat.session')")

    chat.page.reload()
    chat.connected()
    expect(chat.log.locator(".msg")).to_have_count(len(before))
    assert chat.texts_in_order() == before
    assert chat.page.evaluate("() => localStorage.getItem('triage.chat.session')") == session
    chat.say("I'd rather talk to a person", expect_reply="passing you to a person")
    expect(chat.state).to_have_text(HANDED_OVER)
    width = chat.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], "the page scrolls sideways on a phone"


@pytest.fixture
def spare_gateway(product: Product) -> Iterator[ExtraGateway]:
    gateway = extra_gateway(product)
    gateway.start()
    yield gateway
    gateway.close()


def test_the_gateway_killed_and_restarted_mid_conversation(
    customer: ChatPage, spare_gateway: ExtraGateway, product: Product
) -> None:
    chat = customer.open(spare_gateway.url)
    chat.say("hello", expect_reply="support assistant")

    spare_gateway.kill()
    expect(chat.page.locator("#connection")).to_contain_text("Connection lost", timeout=60_000)
    chat.type("thanks")
    chat.type("bye")
    waiting = chat.log.locator(".msg--customer .msg__status")
    expect(waiting).to_have_count(2)
    expect(waiting.first).to_contain_text("Not sent yet")

    spare_gateway.start()
    chat.connected()
    chat.reply_contains("Goodbye", after=2)
    expect(waiting).to_have_count(0)
    assert chat.customer_bubbles() == ["hello", "thanks", "bye"]
    assert "You're welcome" in chat.bot_bubbles()[1]

    chat.page.reload()
    chat.connected()
    expect(chat.log.locator(".msg--bot")).to_have_count(3)
    assert chat.customer_bubbles() == ["hello", "thanks", "bye"]  # nothing lost, nothing doubled


def test_a_message_that_looks_like_html_is_shown_as_text(customer: ChatPage, product: Product) -> None:
    chat = customer.open(product.gateway_url)
    chat.say(XSS, expect_reply="")
    publish(product, conversation_id(chat), agent_says=f"Agent here. You wrote {XSS}")
    expect(chat.log.locator(".msg--agent")).to_contain_text(f"You wrote {XSS}")

    chat.page.reload()
    chat.connected()
    expect(chat.log.locator(".msg--agent")).to_have_count(1)
    assert chat.customer_bubbles() == [XSS]
    assert chat.log.locator("img").count() == 0
    assert chat.dialogs == []


def test_keyboard_only(customer: ChatPage, product: Product) -> None:
    chat = customer.open(product.gateway_url)
    page = chat.page
    expect(chat.log).to_have_attribute("role", "log")
    expect(chat.log).to_have_attribute("aria-live", "polite")
    expect(chat.state).to_have_attribute("role", "status")

    page.keyboard.press("Tab")
    box = page.get_by_label("Your message")
    expect(box).to_be_focused()
    page.keyboard.type("what's the best recipe for banana bread")
    page.keyboard.press("Enter")
    person = chat.log.get_by_role("button", name="Talk to a person").last
    expect(person).to_be_enabled(timeout=90_000)
    expect(box).to_be_focused()

    page.keyboard.press("Shift+Tab")
    expect(person).to_be_focused()
    outline = person.evaluate("b => [getComputedStyle(b).outlineStyle, parseFloat(getComputedStyle(b).outlineWidth)]")
    assert outline[0] != "none" and outline[1] >= 2, "the focused button shows no focus ring"
    page.keyboard.press("Enter")
    expect(chat.state).to_have_text(HANDED_OVER, timeout=60_000)
    expect(box).to_be_focused()

    conversation = conversation_id(chat)
    publish(product, conversation, HandoffEvent(type="queued", position=3, wait_s=240))
    expect(chat.state).to_have_text("Waiting for an agent: position 3, about 4 min")
    publish(product, conversation, HandoffEvent(type="agent_joined", agent_name="Dana"))
    expect(chat.state).to_have_text("Talking to Dana")
    publish(product, conversation, HandoffEvent(type="handed_back"))
    expect(chat.state).to_have_text("Talking to the assistant")

    for selector in [".msg--customer .msg__bubble", ".msg--bot .msg__bubble", ".msg time", ".quick-reply", "#state"]:
        ratio = contrast(chat, selector)
        assert ratio >= AA_CONTRAST, f"{selector}: contrast {ratio:.2f}"


def contrast(chat: ChatPage, selector: str) -> float:
    """WCAG contrast ratio of an element's text on the first opaque background behind it."""
    fg, bg = chat.page.locator(selector).first.evaluate(
        """element => {
            const color = getComputedStyle(element).color;
            let node = element, background = "rgba(0, 0, 0, 0)";
            while (node && /rgba\\(.*, 0\\)$|transparent/.test(background)) {
                background = getComputedStyle(node).backgroundColor;
                node = node.parentElement;
            }
            return [color, /rgba\\(.*, 0\\)$/.test(background) ? "rgb(255, 255, 255)" : background];
        }"""
    )
    lighter, darker = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def luminance(css_color: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", css_color)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
