"""The theme pages' server side: the refresh form refuses bad input and loses nothing; theme pages by stable id.

(The browser journey through these pages is tests/web/test_insights_themes.py; here the refusals that no page of
the product can send: an oversized or malformed form, a wrong role, an unknown theme.)
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests.insights.conftest import Seeder
from tests.insights.test_themes import seed_world, theme_with


async def _ids(po: httpx.AsyncClient) -> set[str]:
    return {t["id"] for t in (await po.get("/api/insights/themes")).json()["themes"]}


async def test_refresh_forgets_the_themes_and_returns_to_the_same_window(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    before = await _ids(po)
    back = "from=2026-01-01T00%3A00%3A00Z&to=2026-01-31T00%3A00%3A00Z&trigger=out_of_scope"
    response = await po.post("/insights/themes/refresh", data={"back": back})
    assert response.status_code == 303
    assert response.headers["location"] == f"/insights?{back}"
    assert not (await _ids(po)) & before, "mined again: new ids"


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"back": "from=not a date"}, 400, "is not a date"),
        ({"back": "from=<script>alert(1)</script>"}, 400, "is not a date"),
        ({"back": "from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z"}, 400, "earlier than"),
        ({"back": "finding=\u202eevil"}, 400, "Unknown finding"),
        ({"back": "flow=\u202egnillib"}, 400, "a flow or channel name is invalid"),
        ({"back": "x" * 3000}, 413, "too large"),
    ],
)
async def test_a_bad_refresh_form_gets_a_clear_error_and_forgets_nothing(
    po: httpx.AsyncClient, seeder: Seeder, form: dict[str, str], status: int, message: str
) -> None:
    await seed_world(seeder)
    before = await _ids(po)
    response = await po.post("/insights/themes/refresh", data=form)
    assert response.status_code == status and message in response.text
    assert "<script>" not in response.text
    assert await _ids(po) == before


async def test_a_lone_surrogate_in_the_form_is_refused_cleanly(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    before = await _ids(po)
    response = await po.post(
        "/insights/themes/refresh",
        content=b"back=flow%3D%ED%A0%80",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400 and "a flow or channel name is invalid" in response.text
    assert await _ids(po) == before


async def test_only_product_owners_refresh(
    agent: httpx.AsyncClient, anonymous: httpx.AsyncClient, po: httpx.AsyncClient, seeder: Seeder
) -> None:
    await seed_world(seeder)
    before = await _ids(po)
    refused = await agent.post("/insights/themes/refresh", data={"back": ""})
    assert refused.status_code == 403 and "Not for your role" in refused.text
    assert (await agent.post("/api/insights/themes/refresh", json={})).status_code == 403
    login = await anonymous.post("/insights/themes/refresh", data={"back": ""})
    assert login.status_code == 303 and login.headers["location"].startswith("/login?next=")
    assert await _ids(po) == before


async def test_a_theme_page_by_stable_id_in_any_window(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    esim = theme_with((await po.get("/api/insights/themes")).json()["themes"], "esim")
    page = await po.get(f"/insights/themes/{esim['id']}")
    assert page.status_code == 200
    assert f"<h1>“{esim['label']}”</h1>" in page.text.replace("&#x27;", "'")
    assert "Key terms: esim" in page.text and "● new" in page.text
    week = await po.get(f"/insights/themes/{esim['id']}", params={"preset": "7d"})
    assert week.status_code == 200 and re.search(r"\b8 records\b", week.text)
    missing = await po.get("/insights/themes/T999")
    assert missing.status_code == 404 and "These themes were re-mined" in missing.text
    odd = await po.get("/insights/themes/<script>")
    assert odd.status_code == 404 and "<script>" not in odd.text
