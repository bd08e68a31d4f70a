"""Supervisors keep canned replies per queue in a panel of the agent console, and find the supervisor's view by a
link; agents see neither. Everything typed is shown as text, and a refused reply loses nothing typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from bot.auth.roles import Role
from tests.fixtures.product import Product
from tests.handoff.staff import PASSWORD, Staff, make_staff
from tests.web.conftest import LAPTOP
from tests.web.test_agent_console import LIVE_MS, ConsolePage, run

pytestmark = pytest.mark.e2e
XSS = "<img src=x onerror=alert(1)>"


async def no_canned_replies(gateway_url: str, queue: str) -> None:
    """Set-up through the API: the session's product is shared, and the OpenAPI fuzz (tests/property) leaves
    replies of random titles in random queues."""
    supervisor = await Staff(gateway_url, "supervisor", "triage-demo").login()
    try:
        for reply in (await supervisor.get(f"/api/supervisor/canned/{queue}")).json()["replies"]:
            await supervisor.http.delete(f"/api/supervisor/canned/{queue}/{reply['id']}")
    finally:
        await supervisor.close()


def test_a_supervisor_adds_edits_and_deletes_canned_replies_in_the_console(browser: Browser, product: Product) -> None:
    run(no_canned_replies(product.gateway_url, "orders"))
    context = browser.new_context(viewport=LAPTOP)
    try:
        console = ConsolePage(context.new_page()).log_in(product.gateway_url, "supervisor", "triage-demo")
        page = console.page
        expect(page.get_by_role("link", name="Supervisor view")).to_have_attribute("href", "/supervisor")
        panel = page.get_by_role("region", name="Canned replies")
        expect(panel).to_be_visible()
        panel.get_by_label("Queue").select_option("orders")
        expect(panel.locator("#canned-empty")).to_be_visible(timeout=LIVE_MS)
        title, text = panel.get_by_label("Title"), panel.get_by_label("Text")

        # Too long a title: refused with a sentence, and what was typed stays in the form.
        long_title = "Order delayed " + "x" * 47
        title.fill(long_title)
        text.fill(f"Your order is late {XSS}")
        expect(panel.locator("#canned-title-count")).to_have_text("61/60")
        panel.get_by_role("button", name="Add reply").click()
        expect(panel.locator("#canned-error")).to_have_text("Not saved: The title is 61 characters; at most 60.")
        expect(title).to_have_value(long_title)
        expect(text).to_have_value(f"Your order is late {XSS}")

        # A text-direction override in the title: refused too.
        title.fill("Refund \u202egnp.exe")
        panel.get_by_role("button", name="Add reply").click()
        expect(panel.locator("#canned-error")).to_contain_text("text direction")

        # Saved: markup shown as text.
        title.fill(f"Late {XSS}")
        panel.get_by_role("button", name="Add reply").click()
        expect(panel.locator("#canned-status")).to_have_text(f"Saved “Late {XSS}”.", timeout=LIVE_MS)
        row = panel.locator("#canned-rows tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(f"Your order is late {XSS}")
        expect(row).to_contain_text("supervisor")
        assert panel.locator("img").count() == 0
        expect(title).to_have_value("")

        # Edited, then deleted (asked twice).
        panel.get_by_role("button", name=f"Edit Late {XSS}").click()
        expect(title).to_have_value(f"Late {XSS}")
        title.fill("Order late")
        text.fill("Sorry: your order is running late. I'll check the new date now.")
        panel.get_by_role("button", name="Save changes").click()
        expect(row).to_contain_text("Order late", timeout=LIVE_MS)
        expect(row).to_contain_text("running late")
        panel.get_by_role("button", name="Delete Order late").click()
        expect(panel.get_by_role("button", name="Delete Order late")).to_have_text("Really delete?")
        expect(row).to_have_count(1)
        panel.get_by_role("button", name="Delete Order late").click()
        expect(row).to_have_count(0, timeout=LIVE_MS)
        expect(panel.locator("#canned-status")).to_have_text("Deleted “Order late”.")

        # Logging out ends the session: the console is back at its login form, and stays there on reload.
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
        page.reload()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
        expect(page.locator("#app")).to_be_hidden()
        assert console.errors == [] and console.dialogs == []
    finally:
        context.close()


def test_an_agent_sees_neither_the_canned_panel_nor_the_supervisor_link(browser: Browser, product: Product) -> None:
    run(make_staff(product.redis_url, "tova", Role.agent, ["general"]))
    context = browser.new_context(viewport=LAPTOP)
    try:
        console = ConsolePage(context.new_page()).log_in(product.gateway_url, "tova", PASSWORD)
        expect(console.page.locator("#who")).to_have_text(re.compile(r"^Tova \(agent\)"))
        expect(console.page.get_by_role("region", name="Canned replies")).to_be_hidden()
        expect(console.page.get_by_role("link", name="Supervisor view")).to_be_hidden()
        assert console.errors == []
    finally:
        context.close()
