"""Suspected network incidents of a period for product owners: how soon customers' contacts revealed a fault,
and how often a real alarm came to confirm it (``/insights/incidents`` and ``/api/insights/incidents``).

The sensor process writes the incidents (``core.contracts.sensor``); this module only reads them. A period
holds the incidents *detected* in it, open and cleared. Sizes only: no customer's pseudonym leaves here.
"""

from __future__ import annotations

import statistics
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.handoff.incidents import SYMPTOM_TEXT
from bot.insights.exports import csv_line
from bot.insights.filters import Filters, iso
from core.contracts.sensor import INCIDENT_HISTORY, Incident
from core.incident_board import incident
from core.redis.connect import text

MAX_INCIDENTS = 1000
"""Incidents shown for one period; a few a day is a bad month, so more means a broken detector, said so."""
CSV_COLUMNS = ("id", "scope", "target", "area", "symptom", "services", "evidence", "first_contact",
               "detected", "detection_delay_s", "real_alarm", "real_alarm_after_s", "contacts", "customers", "told",
               "confidence", "state", "cleared", "cleared_reason", "noc_kind", "noc_id")  # fmt: skip


def detection_delay_s(found: Incident) -> float:
    """From the first related contact to the detection."""
    return max(0.0, found.detected_at - found.first_contact_at)


def real_alarm_after_s(found: Incident) -> float | None:
    """From the first related contact to the real alarm (when the NOC's systems raised it, else when the sensor
    first saw it); negative when it was raised before the first contact but seen only later."""
    if found.real_alarm is None:
        return None
    at = found.real_alarm.raised_at if found.real_alarm.raised_at is not None else found.real_alarm.seen_at
    return at - found.first_contact_at


def symptom_text(found: Incident) -> str:
    return SYMPTOM_TEXT.get(found.symptom, found.symptom.replace("_", " "))


@dataclass
class IncidentReport:
    filters: Filters
    incidents: list[Incident]
    """Newest detection first."""
    truncated: bool

    @property
    def median_detection_s(self) -> float | None:
        delays = [detection_delay_s(i) for i in self.incidents]
        return statistics.median(delays) if delays else None

    @property
    def real_alarm_share(self) -> float | None:
        """Of the period's incidents, the share a real alarm later covered."""
        if not self.incidents:
            return None
        return sum(1 for i in self.incidents if i.real_alarm is not None) / len(self.incidents)

    def headline(self) -> dict[str, Any]:
        return {
            "incidents": len(self.incidents),
            "open": sum(1 for i in self.incidents if i.state == "open"),
            "median_detection_delay_s": self.median_detection_s,
            "real_alarm_share": self.real_alarm_share,
            "told": sum(i.told for i in self.incidents),
            "truncated": self.truncated,
        }

    def as_dict(self) -> dict[str, Any]:
        return {"v": 1, "from": iso(self.filters.start), "to": iso(self.filters.end), **self.headline(),
                "items": [row(i) for i in self.incidents]}  # fmt: skip


def row(found: Incident) -> dict[str, Any]:
    """One incident as the API and the exports give it (times ISO 8601 in UTC, durations in seconds)."""
    return {
        "id": found.id,
        "scope": found.scope,
        "target": found.target,
        "area": found.area,
        "symptom": found.symptom,
        "services": found.services,
        "evidence": found.evidence,
        "first_contact": iso(found.first_contact_at),
        "latest_contact": iso(found.latest_contact_at),
        "detected": iso(found.detected_at),
        "detection_delay_s": round(detection_delay_s(found), 1),
        "real_alarm": found.real_alarm.id if found.real_alarm else None,
        "real_alarm_after_s": _rounded(real_alarm_after_s(found)),
        "contacts": found.contacts,
        "customers": len(found.customers),
        "told": found.told,
        "confidence": found.confidence,
        "baseline_per_hour": found.baseline_per_hour,
        "state": found.state,
        "cleared": iso(found.cleared_at) if found.cleared_at is not None else None,
        "cleared_reason": found.cleared_reason,
        "noc": {"kind": found.noc.kind, "id": found.noc.id} if found.noc else None,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


async def build(redis: Redis, filters: Filters) -> IncidentReport:
    """The incidents detected in ``[filters.start, filters.end)``, newest first."""
    ids = await redis.zrevrangebyscore(
        INCIDENT_HISTORY, f"({filters.end}", filters.start, start=0, num=MAX_INCIDENTS + 1
    )
    found = [i for i in [await incident(redis, text(raw)) for raw in ids[:MAX_INCIDENTS]] if i is not None]
    return IncidentReport(filters, found, len(ids) > MAX_INCIDENTS)


async def csv_chunks(report: IncidentReport) -> AsyncIterator[str]:
    yield csv_line(CSV_COLUMNS)
    for found in report.incidents:
        r = row(found)
        noc = r.pop("noc") or {}
        values = {**r, "services": " ".join(found.services), "noc_kind": noc.get("kind"), "noc_id": noc.get("id")}
        yield csv_line(values.get(column) for column in CSV_COLUMNS)
