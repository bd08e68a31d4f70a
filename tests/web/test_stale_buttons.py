"""Quick-reply buttons on the customer's page belong to the message that offered them, in Chromium.

What a newcomer found: after "Dana joined", the old "Request a callback" still worked and only sent its title to
the agent as chat text. Only the latest message's buttons may be chosen: a newer bot message, an agent's, a
handoff event or the customer's own choice makes older ones disabled (out of the tab order, greyed), live and
after a reload. Bot messages and lifecycle events are published through Redis as the product's own processes
do, so each test decides exactly what comes next.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis.asyncio
from playwright.sync_api import Locator, expect

from bot.chat.publisher import external_publisher
from bot.chat.wire import HandoffEvent
from bot.handoff.service import OFFERS
from tests.fixtures.product import Product
from tests.web.chat_page import ChatPage
from tests.web.test_agent_console import LIVE_MS, run

pytestmark = pytest.mark.e2e
DID_IT_WORK = [{"title": "Yes, it works", "payload": "/affirm"}, {"title": "No, still broken", "payload": "/deny"}]
ANYTHING_ELSE = [{"title": "That's all", "payload": "/goodbye"}, {"title": "Something else", "payload": "/greet"}]


def conversation_id(chat: ChatPage) -> str:
    return str(chat.page.evaluate("() => localStorage.getItem('triage.chat.session')")).split(".", 1)[0]


def publish(product: Product, conversation: str, *steps: HandoffEvent | dict[str, Any]) -> None:
    """Lifecycle events and bot message bodies, in order, as the processes that run queues and hand-backs do."""

    async def send() -> None:
        client = redis.asyncio.Redis.from_url(product.redis_url)
        try:
            publisher = external_publisher(client, product.redis_url)
            for step in steps:
                if isinstance(step, HandoffEvent):
                    await publisher.handoff_event(conversation, step)
                else:
                    await publisher.message(conversation, [step], sender="bot")
        finally:
            await client.aclose()

    run(send())  # in a thread of its own: Playwright's sync API runs its own event loop in this one


def button(chat: ChatPage, name: str) -> Locator:
    return chat.log.get_by_role("button", name=name, exact=True)


def click_anyway(chat: ChatPage, name: str) -> None:
    """A click on a button however it looks (no waiting for it to be enabled): what a hurried customer does."""
    button(chat, name).last.click(force=True)
    chat.page.wait_for_timeout(500)


def test_a_newer_bot_message_retires_the_older_buttons_live_and_after_a_reload(
    customer: ChatPage, product: Product
) -> None:
    chat = customer.open(product.gateway_url)
    chat.say("hello", expect_reply="support assistant")
    conversation = conversation_id(chat)
    publish(product, conversation, {"text": "Did that fix it?", "quick_replies": DID_IT_WORK})
    yes = button(chat, "Yes, it works")
    expect(yes).to_be_enabled(timeout=LIVE_MS)
    enabled_look = yes.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).borderStyle]")

    # A keyboard user resting on the offer when the bot says something newer is put back in the message box.
    box = chat.page.get_by_label("Your message")
    box.focus()
    chat.page.keyboard.press("Shift+Tab")
    expect(button(chat, "No, still broken")).to_be_focused()
    publish(product, conversation, {"text": "By the way, our engineers are working in your area today."})
    expect(chat.log.locator(".msg--bot").last).to_contain_text("engineers are working", timeout=LIVE_MS)
    for name in ("Yes, it works", "No, still broken"):
        expect(button(chat, name)).to_be_disabled()
    expect(box).to_be_focused()
    stale_look = yes.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).borderStyle]")
    assert stale_look != enabled_look, "a stale button looks like a live one"

    customers = len(chat.customer_bubbles())
    click_anyway(chat, "Yes, it works")
    assert len(chat.customer_bubbles()) == customers, "a stale button still sent something"
    assert yes.evaluate("b => { b.focus(); return document.activeElement === b; }") is False

    # The latest message's buttons work; the older ones stay history, also after a reload (history replay).
    publish(product, conversation, {"text": "Anything else I can help with?", "quick_replies": ANYTHING_ELSE})
    expect(button(chat, "That's all")).to_be_enabled(timeout=LIVE_MS)
    chat.page.reload()
    chat.connected()
    expect(button(chat, "That's all")).to_be_enabled()
    expect(button(chat, "Something else")).to_be_enabled()
    for name in ("Yes, it works", "No, still broken"):
        expect(button(chat, name)).to_be_disabled()
    answered = chat.log.locator(".msg--bot").count()
    button(chat, "That's all").click()
    chat.reply_contains("", after=answered)
    assert chat.customer_bubbles()[-1] == "That's all"


def test_after_an_agent_joins_the_callback_offer_can_no_longer_be_taken(customer: ChatPage, product: Product) -> None:
    chat = customer.open(product.gateway_url)
    chat.say("I'd rather talk to a person", expect_reply="passing you to a person")
    conversation = conversation_id(chat)
    publish(product, conversation, HandoffEvent(type="no_agent", message="Nobody is online right now.", offers=OFFERS))
    callback = button(chat, "Request a callback").last
    expect(callback).to_be_enabled(timeout=LIVE_MS)  # the latest message: its offers work
    expect(button(chat, "Leave it as a ticket").last).to_be_enabled()

    publish(product, conversation, HandoffEvent(type="agent_joined", agent_name="Dana"))
    expect(chat.state).to_have_text("Talking to Dana", timeout=LIVE_MS)
    for item in chat.log.locator(".quick-reply").all():
        expect(item).to_be_disabled()  # every offer before "Dana joined" is history
    customers = len(chat.customer_bubbles())
    click_anyway(chat, "Request a callback")
    assert len(chat.customer_bubbles()) == customers, "the stale offer went to the agent as text"

    # Keyboard: from the message box backwards, Tab never lands on a stale offer.
    chat.page.get_by_label("Your message").focus()
    for _ in range(6):
        chat.page.keyboard.press("Shift+Tab")
        assert chat.page.evaluate("() => !document.activeElement.classList.contains('quick-reply')")

    chat.page.reload()
    chat.connected()
    expect(chat.state).to_have_text("Talking to Dana")
    expect(chat.log.locator(".quick-reply").first).to_be_visible()
    for item in chat.log.locator(".quick-reply").all():
        expect(item).to_be_disabled()


def test_choosing_a_reply_retires_its_siblings_at_once(customer: ChatPage, product: Product) -> None:
    chat = customer.open(product.gateway_url)
    chat.say("hello", expect_reply="support assistant")
    publish(product, conversation_id(chat), {"text": "Did that fix it?", "quick_replies": DID_IT_WORK})
    expect(button(chat, "No, still broken")).to_be_enabled(timeout=LIVE_MS)

    # Chosen by keyboard: the choice goes once, the sibling cannot be chosen too, the focus is in the message box.
    button(chat, "No, still broken").focus()
    chat.page.keyboard.press("Enter")
    expect(button(chat, "Yes, it works")).to_be_disabled()
    expect(button(chat, "No, still broken")).to_be_disabled()
    expect(chat.page.get_by_label("Your message")).to_be_focused()
    click_anyway(chat, "Yes, it works")
    click_anyway(chat, "No, still broken")
    assert chat.customer_bubbles()[1:] == ["No, still broken"]
