"""What a newcomer found on the product owner's pages, fixed: stale theme ids, backlog notes, who wrote a line,
follow-up dispositions, one channel option per label, dates as people type them, and count phrases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import ValidationError

from bot.insights import labels, views
from bot.insights.conversations import DispositionIn, Resolution, RootCause, record_disposition
from bot.insights.dashboard import page_filters
from bot.insights.dispositions import summarise
from bot.insights.filters import make_filters
from bot.insights.state import InsightsState
from bot.insights.themes import mine
from core.errors import Invalid
from tests.insights.conftest import Seeder
from tests.insights.test_themes import seed_world


def test_a_disposition_takes_a_resolution_and_keeps_resolved_for_older_callers() -> None:
    base = {"conversation_id": "c-1", "bot_could_handle": False, "root_cause": RootCause.other}
    follow = DispositionIn(**base, resolution="follow_up")
    assert (follow.outcome, follow.resolved) == (Resolution.follow_up, False)
    assert DispositionIn(**base, resolved=True).outcome is Resolution.resolved
    assert DispositionIn(**base, resolved=False).outcome is Resolution.not_resolved
    assert DispositionIn(**base, resolved=True, resolution="follow_up").resolved is False, "resolution decides"
    with pytest.raises(ValidationError):
        DispositionIn(**base)
    with pytest.raises(ValidationError):
        DispositionIn(**base, resolution="maybe")


def test_follow_ups_are_counted_apart_from_not_resolved() -> None:
    records = [
        {"flow": "ask_bill", "disposition": {"resolved": True}},
        {"flow": "ask_bill", "disposition": {"resolved": False, "resolution": "follow_up"}},
        {"flow": "ask_bill", "disposition": {"resolved": False}},  # stored before 'resolution' existed
    ]
    overall, _ = summarise(records)
    assert (overall.resolved, overall.follow_up, overall.not_resolved) == (1, 1, 1)
    assert views.disposition_text({"resolution": "follow_up", "by": "dana"}).startswith("Agent by dana: follow-up")


def test_a_transcript_never_prints_none_and_says_when_it_cannot_tell_bot_from_agent() -> None:
    lines = views.transcript_lines(
        [
            {"who": "customer", "text": "my bill", "intent": "ask_bill", "confidence": 0.912345},
            {"who": "bot", "text": "Let me look."},
            {"who": "handoff", "reason": "customer_request", "queue": None},
            {"who": "customer", "text": "hello?", "intent": None, "confidence": None},
            {"who": "bot", "text": "Dana here."},
            {"who": "bot", "text": "Sorted.", "agent": "dana"},
            {"who": "lookup", "api": "billing", "operation": None, "outcome": "ok", "summary": None},
        ]
    )
    text = "\n".join(lines)
    assert "None" not in text
    assert "ask_bill 0.91" in lines[0] and lines[1].startswith('<b class="speaker">bot</b>')
    assert "handoff: customer_request" in lines[2]
    assert "not read by the bot" in lines[3]
    assert lines[4].startswith('<b class="speaker">bot or agent</b>'), "the store keeps no author yet"
    assert lines[5].startswith('<b class="speaker">agent dana</b>')


def test_count_phrases() -> None:
    assert [views.plural(n, "answer") for n in (0, 1, 2)] == ["0 answers", "1 answer", "2 answers"]


def test_one_channel_option_per_label_filters_on_every_value() -> None:
    select = views._options("channel", ["rest", "web", "cmdline"], None, labels.channel)
    assert select.count("web chat") == 1 and 'value="rest,web"' in select
    assert 'value="rest,web" selected' in views._options("channel", ["rest", "web"], "rest,web", labels.channel)
    filters = make_filters(channel="rest,web")
    assert filters.channels == {"rest", "web"} and filters.facets() == [], "several values: checked per record"
    now = filters.end - 1
    assert all(filters.matches({"at": now, "trigger": "nlu_fallback", "channel": c}) for c in ("rest", "web"))
    assert not filters.matches({"at": now, "trigger": "nlu_fallback", "channel": "cmdline"})
    assert make_filters(channel="web").facets() == [("channel", "web")]


def test_dates_as_people_type_them() -> None:
    day = page_filters({"from": ["2026-12-01"], "to": ["2026-12-02"]})[0]
    assert day.start == datetime(2026, 12, 1, tzinfo=UTC).timestamp()
    assert day.end == datetime(2026, 12, 3, tzinfo=UTC).timestamp(), "a plain 'to' day is included"
    local = page_filters({"from": ["2026-12-01T09:30"], "to": ["2026-12-01T10:00:00Z"]})[0]
    assert (local.start, local.end - local.start) == (datetime(2026, 12, 1, 9, 30, tzinfo=UTC).timestamp(),
                                                      1800)  # fmt: skip
    with pytest.raises(Invalid, match=r"'From' is not a date: “2026-12-0”\. Write a day \(2026-12-01\)"):
        page_filters({"from": ["2026-12-0"]})
    with pytest.raises(Invalid, match="'To' is not a date"):
        page_filters({"to": ["tomorrow"]})


async def test_a_bad_date_keeps_what_was_typed(po: httpx.AsyncClient) -> None:
    query = {"from": "2026-12-0", "flow": "ask_bill", "channel": "rest,web", "trigger": "nlu_fallback"}
    page = await po.get("/insights", params=query)
    assert page.status_code == 400 and "&#x27;From&#x27; is not a date" in page.text
    assert 'name="from" value="2026-12-0"' in page.text
    for name, value in (("flow", "ask_bill"), ("channel", "rest,web"), ("trigger", "nlu_fallback")):
        assert f'name="{name}" value="{value}"' in page.text, name
    assert "Kept: flow Bill question, channel web chat, trigger Bot did not understand" in page.text


async def test_a_stale_theme_page_and_its_nlu_link_say_the_themes_were_re_mined(
    po: httpx.AsyncClient, seeder: Seeder, state: InsightsState
) -> None:
    await seed_world(seeder)
    old = (await mine(state, make_filters()))["themes"][0]
    assert (await po.post("/insights/themes/refresh", data={"back": ""})).status_code
    page = await po.get(f"/insights/themes/{old['id']}")
    assert page.status_code == 404 and "theme_not_found" not in page.text
    assert re.search(rf"These themes were re-mined just now; theme {old['id']} is now part of <a href=", page.text)
    current = (await mine(state, make_filters()))["themes"]
    assert all(f"/insights/themes/{t['id']}" in page.text for t in current)
    nlu = await po.get(f"/insights/nlu-candidates?theme={old['id']}")
    assert nlu.status_code == 404 and "re-mined" in nlu.text and nlu.headers["content-type"].startswith("text/html")
    fresh = await po.get(f"/insights/nlu-candidates?theme={current[0]['id']}")
    assert fresh.status_code == 303 and fresh.headers["location"].startswith("/api/insights/export/nlu.yml?")


async def test_backlog_notes_are_shown_with_a_confirmation(
    po: httpx.AsyncClient, seeder: Seeder, state: InsightsState
) -> None:
    await seed_world(seeder)
    theme = (await mine(state, make_filters()))["themes"][0]
    promoted = await po.post("/insights/backlog", data={"theme_id": theme["id"], "owner": "bot"})
    assert promoted.status_code == 303 and promoted.headers["location"].endswith("saved=BL-1")
    saved = await po.post("/insights/backlog/BL-1", data={"owner": "bot", "status": "open", "note": "ask <ops>"})
    assert saved.headers["location"] == "/insights/backlog?saved=BL-1"
    page = (await po.get(saved.headers["location"])).text
    assert "BL-1 saved." in page and "— “ask &lt;ops&gt;”" in page and "product_owner</b>" in page
    assert f'href="/insights/themes/{theme["id"]}"' in page and "no longer current" not in page
    await po.post("/insights/themes/refresh", data={"back": ""})
    assert "no longer current" in (await po.get("/insights/backlog")).text
    assert "saved." not in (await po.get("/insights/backlog?saved=BL-99")).text


async def test_a_follow_up_disposition_is_stored_and_shown(
    po: httpx.AsyncClient, seeder: Seeder, state: InsightsState
) -> None:
    cid = await seeder.conversation(["my bill is wrong again"], customer="CUST-F", escalation="customer_request")
    body = DispositionIn(conversation_id=cid, bot_could_handle=False, root_cause=RootCause.bss_data,
                         resolution="follow_up")  # fmt: skip
    stored = await record_disposition(state.store, body, "dana")
    assert stored["disposition"]["resolution"] == "follow_up" and stored["disposition"]["resolved"] is False
    detail = (await po.get(f"/insights/conversations/{cid}")).text
    assert "Agent by dana: follow-up needed" in detail
    outcomes = (await po.get("/insights/outcomes")).text
    assert "1 disposition ·" in outcomes and "0 resolved · 1 follow-up needed · 0 not resolved" in outcomes
