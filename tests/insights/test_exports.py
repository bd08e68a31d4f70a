"""Exports stream complete for any stored text, and refuse a bad window with a 4xx before streaming starts.

The gateway fuzz found both: a record whose utterance held a NUL (the message path stores what customers type)
cut the CSV off after its headers, and a window ending after 9999-12-31 in UTC (``to`` with a negative offset,
e.g. ``9999-12-31T23:59:59-01:00``) cut the JSON off, both after the 200 had been sent.
"""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from tests.insights.conftest import Seeder

CONTROL_TEXT = "line\x00dead \x01\x1f\x7f tab\there\r\nnew \u202e\ufeff =SUM(A1) \U0001f600 caf\u00e9"


@pytest.mark.parametrize(
    "params", [{}, {"channel": "web"}, {"finding": "alarm"}, {"finding": "alarm=LOS"}, {"trigger": "nlu_fallback"}]
)
async def test_records_with_control_characters_export_complete(
    po: httpx.AsyncClient, seeder: Seeder, params: dict[str, str]
) -> None:
    cid = await seeder.conversation([CONTROL_TEXT], findings={"alarm": "LOS"}, customer="AC12345678")
    as_csv = await po.get("/api/insights/export/records.csv", params=params)
    assert as_csv.status_code == 200
    rows = list(csv.DictReader(io.StringIO(as_csv.text, newline="")))
    assert [row["conversation_id"] for row in rows] == [cid]
    assert rows[0]["utterance"] == CONTROL_TEXT.replace("\x00", "\ufffd"), "only the NUL a CSV cannot hold"
    as_json = await po.get("/api/insights/export/records.json", params=params)
    assert json.loads(as_json.text)["records"][0]["utterance"] == CONTROL_TEXT


async def test_themes_with_control_characters_export_complete(po: httpx.AsyncClient, seeder: Seeder) -> None:
    for customer in ("AC10000001", "AC10000002", "AC10000003"):
        await seeder.conversation([f"my router\x00 light blinks red {customer}"], customer=customer)
    as_csv = await po.get("/api/insights/export/themes.csv")
    assert as_csv.status_code == 200
    assert list(csv.DictReader(io.StringIO(as_csv.text, newline=""))), "at least one theme, complete"


@pytest.mark.parametrize("kind", ["csv", "json"])
@pytest.mark.parametrize(
    "params",
    [
        {"to": "9999-12-31T23:59:59-01:00"},
        {"from": "9999-12-30T00:00:00Z", "to": "9999-12-31T23:59:59-12:00"},
        {"from": "9999-12-31T23:00:00-05:00", "to": "9999-12-31T23:30:00-05:00"},
    ],
)
async def test_a_window_beyond_year_9999_is_refused_before_streaming(
    po: httpx.AsyncClient, seeder: Seeder, kind: str, params: dict[str, str]
) -> None:
    await seeder.conversation(["anything at all"])
    response = await po.get(f"/api/insights/export/records.{kind}", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_window" and "9999" in response.json()["message"]


async def test_the_latest_writable_window_still_exports(po: httpx.AsyncClient) -> None:
    params = {"from": "9999-12-01T00:00:00Z", "to": "9999-12-31T23:59:59Z"}
    response = await po.get("/api/insights/export/records.json", params=params)
    assert response.status_code == 200
    assert json.loads(response.text)["filters"]["to"] == "9999-12-31T23:59:59Z"
