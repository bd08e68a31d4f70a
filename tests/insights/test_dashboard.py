"""The server-rendered dashboard: login redirect, roles, chart, themes, drill-down, backlog forms."""

from __future__ import annotations

import re

import httpx

from tests.insights.conftest import Seeder
from tests.insights.test_themes import seed_world

SAME_SITE = {"Origin": "http://gateway.test"}


async def test_anonymous_visitors_are_sent_to_login_and_agents_refused(
    anonymous: httpx.AsyncClient, agent: httpx.AsyncClient
) -> None:
    response = await anonymous.get("/insights?trigger=abandoned")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Finsights%3Ftrigger%3Dabandoned"
    assert (await agent.get("/insights")).status_code == 403


async def test_the_overview_shows_the_chart_themes_and_what_is_hidden(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    page = await po.get("/insights")
    assert page.status_code == 200
    html = page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "<svg" in html and "Outside what the bot does 5" in html and "nlu_fallback 5" not in html
    assert "esim" in html and "roaming" in html
    assert "smaller themes" in html and "fewer than 3 distinct customers" in html
    assert "parental" not in html, "a one-customer theme never shows"
    assert "/api/insights/export/records.csv" in html


async def test_bad_filters_get_an_error_page(po: httpx.AsyncClient) -> None:
    response = await po.get("/insights", params={"from": "not a date"})
    assert response.status_code == 400 and "&#x27;From&#x27; is not a date: “not a date”" in response.text
    response = await po.get("/insights", params={"finding": "favourite_colour"})
    assert response.status_code == 400 and "Unknown finding" in response.text


async def test_drill_down_and_promote_to_the_backlog_with_forms(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    overview = (await po.get("/insights")).text
    theme_id = re.search(r'href="/insights/themes/(T\d+)', overview).group(1)  # type: ignore[union-attr]
    detail = await po.get(f"/insights/themes/{theme_id}")
    assert detail.status_code == 200 and "<b>customer</b>" in detail.text
    form = {"theme_id": theme_id, "owner": "product", "title": "Fix it"}
    refused = await po.post("/insights/backlog", data=form, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    created = await po.post("/insights/backlog", data=form, headers=SAME_SITE)
    assert created.status_code == 303 and created.headers["location"] == "/insights/backlog?saved=BL-1"
    board = await po.get("/insights/backlog")
    assert "BL-" in board.text and "Fix it" in board.text
    item_id = re.search(r"(BL-\d+)", board.text).group(1)  # type: ignore[union-attr]
    updated = await po.post(
        f"/insights/backlog/{item_id}", data={"owner": "oss", "status": "in_progress"}, headers=SAME_SITE
    )
    assert updated.status_code == 303
    assert "<option selected>in_progress</option>" in (await po.get("/insights/backlog")).text
