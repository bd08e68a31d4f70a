"""Suspected network incidents in the product owner's insights, in Chromium through the real gateway: the
incidents of a period with the figures, every preset, filter, link and export of the page, one incident's page,
bad input; an agent is told the page is not for them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bot.insights.filters import iso
from core.contracts.sensor import Incident, RealAlarm
from tests.handoff.sensor_board import XSS_EVIDENCE, clear_sensor, new_incident
from tests.web.incident_gateway import DAY, LIVE_MS, PASSWORD, Gateway, contexts, gateway, person

__all__ = ["contexts", "gateway"]  # the fixtures


def seed_period(gateway: Gateway) -> dict[str, Incident]:
    """One incident today (open, the one with HTML in its evidence), one 3 days ago confirmed by a real alarm,
    one 20 days ago that went quiet, and one 45 days ago (outside the default 30 days)."""
    gateway.do(clear_sensor)
    now = time.time()
    today = max(now - 60, now - now % DAY + 1)  # after UTC midnight, whatever the time the test runs
    made = {
        "today": new_incident(evidence=XSS_EVIDENCE, first_contact_at=today - 240, detected_at=today),
        "alarmed": new_incident(
            key="node:CAB-M2-01:broadband_down", target="CAB-M2-01", state="cleared",
            first_contact_at=now - 3 * DAY, detected_at=now - 3 * DAY + 120, cleared_at=now - 3 * DAY + 1000,
            cleared_reason="real_alarm",
            real_alarm=RealAlarm(id="ALM-4242", raised_at=now - 3 * DAY + 900, seen_at=now - 3 * DAY + 950),
        ),
        "quiet": new_incident(
            key="area:M3:broadband_slow", scope="area", target="M3", symptom="broadband_slow", state="cleared",
            first_contact_at=now - 20 * DAY, detected_at=now - 20 * DAY + 480, cleared_at=now - 20 * DAY + 4000,
            cleared_reason="quiet", noc=None,
        ),
        "old": new_incident(key="node:CAB-M4-01:broadband_down", target="CAB-M4-01", state="cleared",
                            first_contact_at=now - 45 * DAY, detected_at=now - 45 * DAY + 60,
                            cleared_at=now - 45 * DAY + 600, cleared_reason="quiet"),
    }  # fmt: skip
    for incident in made.values():
        gateway.incident(incident, told=1)
    return made


def rows(page: Page) -> list[str]:
    return [str(r) for r in page.locator("table.incidents tr[data-incident]").evaluate_all(
        "rows => rows.map(r => r.dataset.incident)")]  # fmt: skip


def test_a_product_owner_reads_incidents_of_a_period_with_figures_links_and_exports(
    browser: Browser, contexts: list[BrowserContext], gateway: Gateway
) -> None:
    made = seed_period(gateway)
    owner = person(browser, contexts)
    page = owner.page
    page.goto(gateway.url + "/insights")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("User name").fill("product_owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Insights sections").get_by_role("link", name="Incidents").click()
    expect(page.get_by_role("heading", name="Network incidents")).to_be_visible(timeout=LIVE_MS)
    expect(page.get_by_role("navigation", name="Insights sections").locator("strong")).to_have_text("Incidents")

    # The last 30 days by default, newest first, with the headline figures.
    assert rows(page) == [made[k].id for k in ("today", "alarmed", "quiet")]
    expect(page.locator(".incidents-count")).to_have_text("3 suspected incidents (1 still open)")
    expect(page.locator(".median-delay")).to_have_text("Median time from the first contact to detection: 4 min 00 s")
    expect(page.locator(".real-alarm-share")).to_have_text("Later covered by a real alarm: 33% (1 of 3)")
    alarmed = page.locator(f'tr[data-incident="{made["alarmed"].id}"]')
    expect(alarmed.locator(".delay")).to_have_text("2 min 00 s")
    expect(alarmed.locator(".real-alarm")).to_have_text(re.compile(r"^ALM-4242\s*15 min 00 s$"))
    expect(alarmed.locator(".state")).to_contain_text("a real alarm covers it")
    today = page.locator(f'tr[data-incident="{made["today"].id}"]')
    expect(today.locator(".evidence")).to_have_text(XSS_EVIDENCE)  # HTML shows as text
    assert page.locator("table.incidents img").count() == 0
    expect(today.locator(".noc")).to_have_text("alarm ALM-9001")
    expect(page.locator(f'tr[data-incident="{made["quiet"].id}"] .noc')).to_have_text("none")

    # Presets, then a period typed in the form, then reset.
    page.get_by_role("link", name="Today").click()
    expect(page.locator("strong[aria-current]")).to_have_text("Today")
    assert rows(page) == [made["today"].id]
    page.get_by_role("link", name="Last 7 days").click()
    assert rows(page) == [made["today"].id, made["alarmed"].id]
    page.get_by_role("link", name="Last 30 days").click()
    assert len(rows(page)) == 3
    old = made["old"]
    page.get_by_label("From").fill(iso(old.detected_at - DAY)[:10])
    page.get_by_label("To").fill(iso(old.detected_at + DAY)[:10])
    page.get_by_role("button", name="Apply").click()
    assert rows(page) == [old.id]
    expect(page.locator(".real-alarm-share")).to_have_text("Later covered by a real alarm: 0% (0 of 1)")
    page.get_by_label("From").fill("2001-01-01")
    page.get_by_label("To").fill("2001-01-31")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".empty")).to_have_text("No suspected incident was detected in this period.")
    expect(page.locator(".median-delay")).to_contain_text("—")
    page.get_by_role("link", name="reset").click()
    assert len(rows(page)) == 3

    # A date that is none: the error, the typed values to correct, and the page again once corrected.
    page.get_by_label("From").fill("last tuesday")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("p.error")).to_contain_text("'From' is not a date: “last tuesday”")
    page.get_by_label("From").fill(iso(time.time() - 7 * DAY)[:10])
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Network incidents")).to_be_visible()
    assert rows(page) == [made["today"].id, made["alarmed"].id]

    # Exports of what is shown, and the figures as JSON.
    page.get_by_role("link", name="reset").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Incidents CSV").click()
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [r["id"] for r in exported] == rows(page)
    assert exported[0]["evidence"] == XSS_EVIDENCE and exported[1]["real_alarm"] == "ALM-4242"
    with page.expect_download() as download:
        page.get_by_role("link", name="Incidents JSON").click()
    assert json.loads(Path(download.value.path()).read_text(encoding="utf-8"))["incidents"] == 3
    page.get_by_role("link", name="These figures as JSON").click()
    figures = json.loads(page.locator("body").inner_text())
    assert figures["median_detection_delay_s"] == pytest.approx(240, abs=1)
    page.go_back()

    # One incident's page, and back.
    alarmed.get_by_role("link", name=made["alarmed"].id).click()
    expect(page.get_by_role("heading", name=f"Incident {made['alarmed'].id}")).to_be_visible()
    details = page.locator(".incident")
    expect(details).to_contain_text("2 min 00 s after the first one")
    expect(details).to_contain_text("ALM-4242")
    page.get_by_role("link", name="All incidents").click()
    expect(page.get_by_role("heading", name="Network incidents")).to_be_visible()

    # Unknown and malformed incident ids.
    answer = page.goto(gateway.url + "/insights/incidents/INC-00000000")
    assert answer is not None and answer.status == 404
    expect(page.locator("p.error")).to_have_text("There is no incident INC-00000000 (or it is older than 90 days).")
    answer = page.goto(gateway.url + "/insights/incidents/not-an-incident")
    assert answer is not None and answer.status == 400
    expect(page.locator("p.error")).to_have_text("That is not an incident id (INC- and 8 hex digits).")
    assert owner.errors == [] and owner.dialogs == []


def test_an_agent_is_told_the_incidents_page_is_for_product_owners(
    browser: Browser, contexts: list[BrowserContext], gateway: Gateway
) -> None:
    page = person(browser, contexts).page
    page.goto(gateway.url + "/insights/incidents")
    page.get_by_label("User name").fill("agent")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible(timeout=LIVE_MS)
    expect(page.locator("main")).to_contain_text("The insights are for product owners.")
