"""A case arriving while the console's tab is in the background: a chime made with WebAudio and, once the agent
allowed it with the button, a browser notification. Never asked on load; nothing when the agent is looking.

Headless Chromium keeps every tab visible, so the tab is sent to the background the way the page sees it
(``document.visibilityState`` and the ``visibilitychange`` event). An init script observes what the page makes:
``Notification`` is wrapped to count notifications and permission requests, oscillators are counted.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect

from bot.auth.roles import Role
from tests.fixtures.product import Product
from tests.handoff.staff import PASSWORD, make_staff
from tests.web.chat_page import ChatPage
from tests.web.conftest import LAPTOP
from tests.web.test_agent_console import LIVE_MS, ConsolePage, run

pytestmark = pytest.mark.e2e

OBSERVE = """
(() => {
  window.__seen = { notifications: [], asked: 0, tones: 0 };
  const Real = window.Notification;
  class Watched extends Real {
    constructor(title, options) {
      super(title, options);
      window.__seen.notifications.push({ title, body: options && options.body });
    }
    static get permission() { return Real.permission; }
    static requestPermission(...args) { window.__seen.asked += 1; return Real.requestPermission(...args); }
  }
  window.Notification = Watched;
  const make = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () { window.__seen.tones += 1; return make.call(this); };
  let hidden = false;
  Object.defineProperty(Document.prototype, "visibilityState", { get: () => (hidden ? "hidden" : "visible") });
  Object.defineProperty(Document.prototype, "hidden", { get: () => hidden });
  window.__background = (value) => { hidden = value; document.dispatchEvent(new Event("visibilitychange")); };
})();
"""


def test_a_case_arriving_in_the_background_chimes_and_notifies_once_allowed(
    customer: ChatPage, browser: Browser, product: Product
) -> None:
    run(make_staff(product.redis_url, "sol", Role.agent, ["general"]))
    context = browser.new_context(viewport=LAPTOP)
    context.add_init_script(OBSERVE)
    try:
        console = ConsolePage(context.new_page()).log_in(product.gateway_url, "sol", PASSWORD)
        page = console.page
        seen = "() => window.__seen"
        ask = page.get_by_role("button", name="Enable notifications")
        expect(ask).to_be_visible()
        assert page.evaluate(seen)["asked"] == 0  # never asked on load

        context.grant_permissions(["notifications"])  # what the person answers to the browser's question
        ask.click()
        expect(page.locator("#notify-state")).to_have_text("Notifications on")
        expect(ask).to_be_hidden()
        assert page.evaluate(seen)["asked"] == 1

        # Looking at the console: a new case shows in the list, no sound, no notification. (Earlier tests of the
        # session may have left cases waiting: one more than before.)
        page.wait_for_timeout(500)
        before = page.locator("#waiting .case-item").count()
        chat = customer.open(product.gateway_url)
        chat.say("I want to talk to a person", expect_reply="passing you to a person")
        expect(page.locator("#waiting .case-item")).to_have_count(before + 1, timeout=LIVE_MS)
        page.wait_for_timeout(500)
        assert page.evaluate(seen)["notifications"] == [] and page.evaluate(seen)["tones"] == 0

        # In the background: the next case chimes and notifies.
        page.evaluate("window.__background(true)")
        other = ChatPage(browser.new_context(viewport=LAPTOP).new_page())
        try:
            other.open(product.gateway_url).say("can I speak to an agent", expect_reply="passing you to a person")
            # Polled from here: the page's CSP (script-src 'self') refuses wait_for_function's eval of a string.
            deadline = time.monotonic() + LIVE_MS / 1000
            while not page.evaluate("window.__seen.notifications.length > 0"):
                assert time.monotonic() < deadline, "no notification"
                page.wait_for_timeout(100)
        finally:
            other.page.context.close()
        observed = page.evaluate(seen)
        assert observed["notifications"][0]["title"] == "New case in general", observed
        assert "customer request" in observed["notifications"][0]["body"], observed
        assert observed["tones"] >= 2, observed  # the two tones of the chime
        assert console.errors == [] and console.dialogs == []
    finally:
        context.close()
