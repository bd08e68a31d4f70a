"""Suspected network incidents on the agent console and the supervisor's view, in Chromium through the real
gateway, each person logging in through the page's own form.

An agent's console shows the open incidents in its header, and on a case (queued before the sensor noticed the
surge, or told by the bot) what unites the contacts, how many customers since when and the NOC's reference;
it follows the incident as it grows and clears. A supervisor sees open incidents with their size.
"""

from __future__ import annotations

import time

from playwright.sync_api import Browser, BrowserContext, expect

from core.contracts.sensor import NocReference
from tests.handoff.sensor_board import XSS_EVIDENCE, clear_sensor, new_incident
from tests.web.incident_gateway import LIVE_MS, ON_CAB, Gateway, clock, contexts, gateway, log_in, person

__all__ = ["contexts", "gateway"]  # the fixtures


# ---------------------------------------------------------------- the agent console


def test_an_agent_sees_an_incident_arrive_on_a_queued_case_grow_and_clear(
    browser: Browser, contexts: list[BrowserContext], gateway: Gateway
) -> None:
    gateway.do(clear_sensor)
    early = gateway.case(ON_CAB, "Ada Early")  # queued before the sensor noticed anything
    agent = person(browser, contexts)
    page = agent.page
    page.goto(gateway.url + "/agent")
    log_in(page, "agent")
    expect(page.locator("#app")).to_be_visible(timeout=LIVE_MS)
    expect(page.locator("#connection")).to_have_text("", timeout=LIVE_MS)
    header = page.locator("#incidents")
    expect(header).to_be_hidden()
    waiting = page.locator(f'#waiting .case-item[data-case-id="{early}"]')
    waiting.get_by_role("button", name="Open").click()
    expect(page.locator("#case-status")).to_contain_text(early, timeout=LIVE_MS)
    block = page.locator("#case-incident")
    expect(block).to_be_hidden()

    # The sensor detects the surge: the header and the open case show it without a reload.
    incident = gateway.incident(new_incident(evidence=XSS_EVIDENCE), told=2)
    since = clock(page, incident.first_contact_at)
    expect(header).to_be_visible(timeout=LIVE_MS)
    expect(page.locator("#incidents-title")).to_have_text("Open network incidents (1)")
    expect(header.locator(f'[data-incident="{incident.id}"]')).to_have_text(
        f"{incident.id}: CAB-M1-01 · broadband down · 4 contacts, 3 customers · since {since}"
    )
    expect(block).to_be_visible(timeout=LIVE_MS)
    expect(block).to_contain_text(
        f"Suspected network incident {incident.id}: {XSS_EVIDENCE}; 3 customers since {since}; NOC alarm ALM-9001"
    )
    expect(block).to_contain_text("no need to diagnose again")
    assert page.locator("#case-incident img, #incidents img").count() == 0  # the evidence shows as text
    expect(waiting.locator(".tag--incident")).to_have_text(f"Network incident {incident.id}", timeout=LIVE_MS)

    # It grows: the header and the case follow.
    bigger = incident.model_copy(update={"contacts": 9, "customers": [f"c-{n}" for n in range(7)]})
    gateway.incident(bigger)
    expect(header.locator(f'[data-incident="{incident.id}"]')).to_contain_text("9 contacts, 7 customers",
                                                                             timeout=LIVE_MS)  # fmt: skip
    expect(block).to_contain_text("; 7 customers since", timeout=LIVE_MS)

    # A customer the bot told "we're investigating" still reached a person: the case names the incident.
    told = gateway.case({**ON_CAB, "incident": incident.id}, "Bea Told")
    item = page.locator(f'#waiting .case-item[data-case-id="{told}"]')
    expect(item).to_be_visible(timeout=LIVE_MS)  # announced live
    item.get_by_role("button", name="Open").click()
    expect(page.locator("#case-status")).to_contain_text(told, timeout=LIVE_MS)
    expect(block).to_contain_text(f"Suspected network incident {incident.id}")

    # The contacts stop: the header goes, the told case says it cleared, the other case no longer belongs to it.
    cleared = bigger.model_copy(update={"state": "cleared", "cleared_at": time.time(), "cleared_reason": "quiet"})
    gateway.incident(cleared)
    expect(header).to_be_hidden(timeout=LIVE_MS)
    expect(block).to_contain_text(
        f"Network incident {incident.id} (cleared {clock(page, cleared.cleared_at or 0)}: contacts stopped)",
        timeout=LIVE_MS,
    )
    waiting.get_by_role("button", name="Open").click()
    expect(page.locator("#case-status")).to_contain_text(early, timeout=LIVE_MS)
    expect(block).to_be_hidden()
    expect(waiting.locator(".tag--incident")).to_have_count(0)
    assert agent.errors == [] and agent.dialogs == []


# ---------------------------------------------------------------- the supervisor's view


def test_a_supervisor_sees_open_incidents_with_their_size_and_on_a_waiting_chat(
    browser: Browser, contexts: list[BrowserContext], gateway: Gateway
) -> None:
    gateway.do(clear_sensor)
    now = time.time()
    incident = gateway.incident(
        new_incident(key="node:CELL-M1-02:mobile_no_service", target="CELL-M1-02", symptom="mobile_no_service",
                     services=["mobile"], evidence=XSS_EVIDENCE, contacts=6, customers=["a", "b", "c", "d", "e"],
                     noc=NocReference(kind="ticket", id="TT-100321", raised_at=now, updated_at=now)),
        told=4,
    )  # fmt: skip
    case = gateway.case(
        {"symptom": "mobile_no_service", "node": "CELL-M1-02", "area": "M1", "finding": "network"}, "Cal Cell"
    )
    sup = person(browser, contexts)
    page = sup.page
    page.goto(gateway.url + "/supervisor")
    log_in(page, "supervisor")
    expect(page.locator("#incidents-count")).to_have_text("(1)", timeout=LIVE_MS)
    row = page.locator(f'#incidents-rows tr[data-incident="{incident.id}"] td')
    expect(row).to_have_text([incident.id, "CELL-M1-02 (network node)", "no mobile service", XSS_EVIDENCE, "6",
                              "5", "4", "ticket TT-100321", clock(page, incident.detected_at),
                              clock(page, incident.first_contact_at)])  # fmt: skip
    assert page.locator("#incidents img").count() == 0

    page.locator(f'#waiting [data-case-id="{case}"]').get_by_role("button", name="Open").click()
    shown = page.locator("#chat-incident")
    expect(shown).to_contain_text(f"Suspected network incident {incident.id}: {XSS_EVIDENCE}; 5 customers since",
                                  timeout=LIVE_MS)  # fmt: skip
    expect(shown).to_contain_text("NOC ticket TT-100321")

    gateway.incident(incident.model_copy(update={"told": 5, "contacts": 8}), told=5)
    expect(row.nth(4)).to_have_text("8", timeout=LIVE_MS)
    expect(row.nth(6)).to_have_text("5")
    cleared = incident.model_copy(update={"state": "cleared", "cleared_at": time.time(), "cleared_reason": "noc"})
    gateway.incident(cleared)
    expect(page.locator("#incidents-empty")).to_have_text("No suspected network incident is open.", timeout=LIVE_MS)
    expect(page.locator("#incidents-table")).to_be_hidden()
    assert sup.errors == [] and sup.dialogs == []
