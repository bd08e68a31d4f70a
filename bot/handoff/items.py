"""What the queues hand back: a customer's place, a waiting case's card, the outcome of taking a case, a stream
entry; and how a waiting case is ranked."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.handoff.case import CaseStatus, HandoffCase, Priority, Queue

RANK_SPAN_MS = 10**13  # larger than any epoch-milliseconds value, so priority always outranks age

PARKED_STATUSES = (CaseStatus.callback_requested.value, CaseStatus.ticket_requested.value)
WITHDRAWABLE_STATUSES = (CaseStatus.waiting.value, *PARKED_STATUSES)


def score(priority: Priority, enqueued_ms: int) -> int:
    return priority.rank * RANK_SPAN_MS + enqueued_ms


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Place:
    position: int
    """1 for the next case an agent will take."""
    estimated_wait_s: int


@dataclass(frozen=True)
class Card:
    """A waiting case as queue lists and customers' places need it: read from its state, never its body."""

    case_id: str
    conversation_id: str
    queue: Queue
    reannounced: int
    position: int
    fields: dict[str, Any]

    def summary(self, now_s: float) -> dict[str, Any]:
        created = datetime.fromisoformat(self.fields["created_at"]).timestamp()
        waited = int(now_s - created)
        return {**self.fields, "queue": self.queue.value, "status": "waiting", "agent": None,
                "reannounced": self.reannounced, "position": self.position, "waited_s": waited}  # fmt: skip


SENSOR_FINDINGS = ("incident", "symptom", "node", "area", "bill_line", "finding", "alarm")
"""The findings that place a case in a suspected network incident (``bot.handoff.incidents``), kept on the card
so a queue list can mark its cases without reading every case's body."""


def card(case: HandoffCase) -> dict[str, Any]:
    sensor = {k: case.findings[k] for k in SENSOR_FINDINGS if isinstance(case.findings.get(k), str)}
    return {
        "case_id": case.case_id, "conversation_id": case.conversation_id, "priority": case.priority.value,
        "priority_reasons": case.priority_reasons, "reason": case.reason, "summary": case.summary[:300],
        "customer": case.identity.name if case.identity else None, "created_at": case.created_at.isoformat(),
        "sensor": sensor,
    }  # fmt: skip


@dataclass(frozen=True)
class AcceptResult:
    case: HandoffCase | None
    problem: str | None = None
    """``taken`` (with ``holder``), ``at_capacity``, ``moved``, ``superseded`` (picking up: the conversation has
    a newer case, ``holder``) or ``gone`` when ``case`` is ``None``."""
    holder: str | None = None


@dataclass(frozen=True)
class Announcement:
    """A stream entry read by a gateway: a case to show on the consoles."""

    queue: Queue
    entry_id: str
    case_id: str
    event: str


def text_of(value: object) -> str:
    """A Redis reply item as text (redis-py types replies loosely: bytes, text, or nothing)."""
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)
