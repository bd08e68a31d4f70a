"""Product owners read the suspected network incidents of a period: how soon the sensor detected each after the
first contact, how often a real alarm came to confirm it, and the same as CSV or JSON for their own tools."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.insights.filters import iso
from core.contracts.sensor import Incident, RealAlarm
from tests.handoff.sensor_board import clear_sensor, new_incident, write_incident

DAY = 86400.0


@pytest.fixture
async def world(redis: Redis) -> AsyncIterator[dict[str, Incident]]:
    """Three incidents of the last 30 days (two covered by a real alarm, one still open) and one older."""
    await clear_sensor(redis)
    now = time.time()
    made = {
        "open": new_incident(first_contact_at=now - 600, detected_at=now - 360, latest_contact_at=now - 30),
        "alarmed": new_incident(
            key="node:CAB-M2-01:broadband_down", target="CAB-M2-01", state="cleared",
            first_contact_at=now - 3 * DAY, detected_at=now - 3 * DAY + 120, latest_contact_at=now - 3 * DAY + 900,
            cleared_at=now - 3 * DAY + 1000, cleared_reason="real_alarm",
            real_alarm=RealAlarm(id="ALM-4242", raised_at=now - 3 * DAY + 900, seen_at=now - 3 * DAY + 950),
            evidence="=HYPERLINK(\"http://x\") registration fails on every phone of CELL-M2-01",
        ),
        "quiet": new_incident(
            key="area:M3:broadband_slow", scope="area", target="M3", symptom="broadband_slow", state="cleared",
            first_contact_at=now - 20 * DAY, detected_at=now - 20 * DAY + 480, latest_contact_at=now - 20 * DAY + 600,
            cleared_at=now - 20 * DAY + 4000, cleared_reason="quiet",
            real_alarm=RealAlarm(id="ALM-5151", raised_at=None, seen_at=now - 20 * DAY + 3000), noc=None,
        ),
        "old": new_incident(key="node:CAB-M4-01:broadband_down", target="CAB-M4-01", state="cleared",
                            first_contact_at=now - 45 * DAY, detected_at=now - 45 * DAY + 60,
                            cleared_at=now - 45 * DAY + 600, cleared_reason="quiet"),
    }  # fmt: skip
    for name, incident in made.items():
        await write_incident(redis, incident, told=3 if name == "open" else 1)
    yield made
    await clear_sensor(redis)


async def test_the_last_30_days_with_their_headline_figures(po: httpx.AsyncClient, world: dict[str, Incident]) -> None:
    body = (await po.get("/api/insights/incidents")).json()
    assert [i["id"] for i in body["items"]] == [world[k].id for k in ("open", "alarmed", "quiet")]  # newest first
    assert body["incidents"] == 3 and body["open"] == 1 and body["truncated"] is False
    assert body["median_detection_delay_s"] == pytest.approx(240, abs=1)  # of 240 s, 120 s and 480 s
    assert body["real_alarm_share"] == pytest.approx(2 / 3)
    assert body["told"] == 3 + 1 + 1
    alarmed = body["items"][1]
    assert alarmed["detection_delay_s"] == pytest.approx(120, abs=0.2)
    assert alarmed["real_alarm"] == "ALM-4242" and alarmed["real_alarm_after_s"] == pytest.approx(900, abs=0.2)
    assert alarmed["cleared_reason"] == "real_alarm" and alarmed["state"] == "cleared"
    quiet = body["items"][2]
    assert quiet["real_alarm_after_s"] == pytest.approx(3000, abs=0.2)  # no raise time: when it was seen
    assert quiet["noc"] is None and quiet["customers"] == 3
    assert "c-a1" not in str(body)  # sizes, never the customers' pseudonyms


async def test_a_period_narrows_the_list_and_one_incident_reads_alone(
    po: httpx.AsyncClient, world: dict[str, Incident]
) -> None:
    old = world["old"]
    window = {"from": iso(old.detected_at - DAY), "to": iso(old.detected_at + DAY)}
    body = (await po.get("/api/insights/incidents", params=window)).json()
    assert [i["id"] for i in body["items"]] == [old.id]
    assert body["median_detection_delay_s"] == pytest.approx(60, abs=1) and body["real_alarm_share"] == 0
    empty = (await po.get("/api/insights/incidents", params={"from": "2001-01-01", "to": "2001-02-01"})).json()
    assert empty["items"] == [] and empty["median_detection_delay_s"] is None and empty["real_alarm_share"] is None
    one = await po.get(f"/api/insights/incidents/{world['alarmed'].id}")
    assert one.status_code == 200 and one.json()["real_alarm"] == "ALM-4242"


async def test_exports_give_the_same_incidents_and_no_spreadsheet_formula(
    po: httpx.AsyncClient, world: dict[str, Incident]
) -> None:
    exported = await po.get("/api/insights/export/incidents.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert 'filename="incidents.csv"' in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["id"] for r in rows] == [world[k].id for k in ("open", "alarmed", "quiet")]
    assert rows[1]["evidence"].startswith("'=HYPERLINK")  # shown as text by a spreadsheet, never run
    assert rows[0]["noc_kind"] == "alarm" and rows[0]["noc_id"] == "ALM-9001" and rows[0]["told"] == "3"
    as_json = await po.get("/api/insights/export/incidents.json")
    assert [i["id"] for i in as_json.json()["items"]] == [r["id"] for r in rows]


async def test_bad_periods_unknown_incidents_and_other_roles_get_clear_errors(
    po: httpx.AsyncClient, agent: httpx.AsyncClient, anonymous: httpx.AsyncClient, world: dict[str, Incident]
) -> None:
    backwards = await po.get("/api/insights/incidents", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 400 and backwards.json()["message"] == "'from' must be earlier than 'to'."
    assert (await po.get("/api/insights/incidents", params={"from": "yesterday"})).status_code == 422
    unknown = await po.get("/api/insights/incidents/INC-00000000")
    assert unknown.status_code == 404 and unknown.json()["error"] == "incident_not_found"
    assert (await po.get("/api/insights/incidents/INC-<b>")).status_code == 422
    assert (await po.get("/api/insights/export/incidents.xlsx")).status_code == 422
    assert (await agent.get("/api/insights/incidents")).status_code == 403
    assert (await anonymous.get("/api/insights/export/incidents.csv")).status_code == 401
