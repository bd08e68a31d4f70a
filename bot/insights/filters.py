"""What a product owner can ask for: a time window and filters, validated with clear 4xx answers.

Query parameters: ``from`` and ``to`` (ISO 8601; default the last 30 days; at most ``MAX_WINDOW_DAYS``),
``trigger`` (repeatable), ``flow``, ``channel`` (one value, or several joined by commas: "web chat" is ``rest`` and
``web``) and ``finding`` (``key`` or ``key=value``, e.g.
``order_fallout_step=number_port``).
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BaseModel

from core.contracts.learning_events import FINDING_KEYS
from core.errors import Invalid
from learning.records import Trigger

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 400
DEFAULT_END_STEP_S = 300
"""Without 'to', the window ends at the next 5-minute mark, so repeated requests share one cached run."""
NAME_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
CHANNEL_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}(,[A-Za-z0-9_.:-]{1,64}){0,7}$"
"""A channel filter may name several values: the pages offer one option per label ("web chat": rest, web)."""
FINDING_PATTERN = r"^[a-z_]{1,32}(=[A-Za-z0-9_.:\- ]{1,64})?$"
PRESETS = {"today": ("Today", 1), "7d": ("Last 7 days", 7), "30d": ("Last 30 days", 30)}
"""Date presets of the pages: name → (caption, whole UTC days, today included)."""
LATEST_S = datetime.max.replace(tzinfo=UTC).timestamp()
"""9999-12-31T23:59:59.999999Z: a later instant (``to`` with a negative offset) has no ISO 8601 year to write."""


class Filters(BaseModel):
    start: float
    """Unix seconds, inclusive."""
    end: float
    """Unix seconds, exclusive."""
    triggers: list[Trigger] = []
    flow: str | None = None
    channel: str | None = None
    finding: str | None = None

    @property
    def channels(self) -> set[str]:
        """The channel values the filter accepts (empty: any)."""
        return {value for value in (self.channel or "").split(",") if value}

    def channel_matches(self, channel: object) -> bool:
        return not self.channels or channel in self.channels

    def facets(self) -> list[tuple[str, str]]:
        """Index lookups that narrow the records before they are read (a channel filter of several values is
        checked on each record instead)."""
        channel = self.channel if len(self.channels) == 1 else None
        facets = [("flow", self.flow), ("channel", channel), ("finding", self.finding)]
        return [(name, value) for name, value in facets if value]

    def matches(self, record: dict[str, Any]) -> bool:
        if not self.start <= float(record["at"]) < self.end:
            return False
        if self.triggers and record["trigger"] not in {t.value for t in self.triggers}:
            return False
        if self.flow and record.get("flow") != self.flow:
            return False
        if not self.channel_matches(record.get("channel")):
            return False
        if self.finding:
            key, _, value = self.finding.partition("=")
            findings = record.get("findings") or {}
            if key not in findings or (value and str(findings[key]) != value):
                return False
        return True

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.as_query(), sort_keys=True).encode()).hexdigest()[:16]

    def as_query(self) -> dict[str, Any]:
        return {
            "from": iso(self.start),
            "to": iso(self.end),
            "trigger": [t.value for t in self.triggers],
            "flow": self.flow,
            "channel": self.channel,
            "finding": self.finding,
        }


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _utc(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def preset_window(preset: str, now: float | None = None) -> tuple[datetime, datetime]:
    """The window of a date preset: from UTC midnight so many days back (today included) to the next 5 minutes."""
    if preset not in PRESETS:
        raise Invalid("invalid_preset", f"Unknown period {preset[:20]!r}; choose today, 7d or 30d.")
    now = now if now is not None else time.time()
    end = now - now % DEFAULT_END_STEP_S + DEFAULT_END_STEP_S
    start = now - now % 86400 - (PRESETS[preset][1] - 1) * 86400
    return datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)


def make_filters(
    start: datetime | None = None,
    end: datetime | None = None,
    triggers: list[Trigger] | None = None,
    flow: str | None = None,
    channel: str | None = None,
    finding: str | None = None,
    now: float | None = None,
) -> Filters:
    """Filters with defaults filled in; raises :class:`core.errors.Invalid` naming what is wrong."""
    now = now if now is not None else time.time()
    end_s = _utc(end) if end else now - now % DEFAULT_END_STEP_S + DEFAULT_END_STEP_S
    start_s = _utc(start) if start else end_s - DEFAULT_WINDOW_DAYS * 86400
    if start_s < 0:  # record ids and index scores are Unix milliseconds: nothing exists before 1970
        raise Invalid("invalid_window", "The window must start after 1970-01-01T00:00:00Z.")
    if end_s > LATEST_S:
        raise Invalid("invalid_window", "The window must end by 9999-12-31T23:59:59Z (in UTC).")
    if start_s >= end_s:
        raise Invalid("invalid_window", "'from' must be earlier than 'to'.")
    if end_s - start_s > MAX_WINDOW_DAYS * 86400:
        raise Invalid("invalid_window", f"The window is longer than {MAX_WINDOW_DAYS} days; narrow it.")
    if finding and finding.partition("=")[0] not in FINDING_KEYS:
        known = ", ".join(sorted(FINDING_KEYS))
        raise Invalid("invalid_finding", f"Unknown finding {finding.partition('=')[0]!r}; known: {known}.")
    return Filters(start=start_s, end=end_s, triggers=triggers or [], flow=flow, channel=channel, finding=finding)


def filters_from_query(
    start: Annotated[datetime | None, Query(alias="from", description="ISO 8601; default 30 days before 'to'.")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="ISO 8601; default now.")] = None,
    trigger: Annotated[list[Trigger] | None, Query(description="Repeat for several.")] = None,
    flow: Annotated[str | None, Query(pattern=NAME_PATTERN, description="Form or problem intent.")] = None,
    channel: Annotated[str | None, Query(pattern=CHANNEL_PATTERN, description="Several: comma-separated.")] = None,
    finding: Annotated[str | None, Query(pattern=FINDING_PATTERN, description="key or key=value")] = None,
) -> Filters:
    return make_filters(start, end, trigger, flow, channel, finding)


FiltersDep = Annotated[Filters, Depends(filters_from_query)]


def period_from_query(
    start: Annotated[datetime | None, Query(alias="from", description="ISO 8601; default 30 days before 'to'.")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="ISO 8601; default now.")] = None,
) -> Filters:
    """A period alone, for what no other filter applies to (the network incidents)."""
    return make_filters(start, end)


PeriodDep = Annotated[Filters, Depends(period_from_query)]
