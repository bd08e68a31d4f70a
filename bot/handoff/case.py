"""The handoff case: everything an agent needs so they never ask what the bot already knows.

Versioned (``v``); ``HandoffCase.model_json_schema()`` is the documented JSON Schema (docs/handoff.md). A case is
built by the gateway from the typed handoff request (``core.contracts.handoff``: reason, queue, priority,
findings, evidence, identity), the conversation's history in the chat store (the full transcript, scored for
sentiment per customer turn) and Rasa's tracker (what the bot understood: intent ranking and entities).

Version 2 added: ``seq`` on transcript turns, ``contact_history``, ``vulnerable``, and what agents add while
they work the case (``notes``, ``diagnostics``, ``tickets``, ``disposition``), plus ``reannounced`` and
``transfers``. The body is written once at creation; mutable state (status, queue, agent) lives beside it in
Redis and is merged in when a case is read (``queues.CaseQueues.get``).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from core.contracts.evidence import Evidence
from core.contracts.handoff import HandoffRequest, Identity
from core.contracts.queues import Priority, Queue

__all__ = ["CASE_VERSION", "CaseStatus", "Evidence", "HandoffCase", "Identity", "Priority", "Queue", "Turn"]

CASE_VERSION = 2


class CaseStatus(StrEnum):
    waiting = "waiting"
    accepted = "accepted"
    callback_requested = "callback_requested"
    ticket_requested = "ticket_requested"
    handed_back = "handed_back"
    closed = "closed"
    withdrawn = "withdrawn"
    """The customer no longer wanted a person and left the queue (or cancelled their callback or ticket)."""


class Understanding(BaseModel):
    """What the bot understood. ``top_intent`` and ``confidence`` read the customer's latest message (often an
    answer such as "deny"); ``started_with`` is the intent that started the flow, the problem they came with."""

    top_intent: str | None = None
    confidence: float | None = None
    started_with: str | None = None
    started_confidence: float | None = None
    alternatives: list[dict[str, Any]] = Field(default_factory=list, description="[{name, confidence}], best first")
    entities: list[dict[str, Any]] = Field(default_factory=list, description="[{entity, value}]")


class Turn(BaseModel):
    speaker: str = Field(..., description="customer, bot, agent or system")
    text: str
    seq: int | None = Field(None, description="Position in the conversation's history (chat store).")
    at: str | None = None
    intent: str | None = None
    sentiment: float | None = Field(None, ge=-1, le=1, description="Customer turns: -1 negative to 1 positive.")


class Note(BaseModel):
    at: datetime
    by: str
    text: str
    by_name: str | None = Field(None, description="The author's display name when written.")
    transfer_from: str | None = Field(None, description="Set on a note written with a transfer: the queue left.")
    transfer_to: str | None = Field(None, description="...and the queue the case went to.")


class DiagnosticRun(BaseModel):
    """A diagnostic an agent re-ran from the console, with what changed since the bot's run."""

    at: datetime
    by: str
    kind: str = Field(..., description="line_test, outage or order")
    target: str
    result: dict[str, Any]
    before: dict[str, Any] | None = Field(None, description="The bot's finding for the same check, if it ran one.")
    changes: list[str] = Field(default_factory=list, description="Readable differences from the bot's run.")
    evidence: list[Evidence] = []


class TicketAction(BaseModel):
    at: datetime
    by: str
    by_name: str | None = Field(None, description="The author's display name when written.")
    action: str = Field(..., description="created or updated")
    ticket_id: str
    status: str | None = None
    summary: str


class Disposition(BaseModel):
    resolution: str = Field(..., description="resolved, not_resolved or follow_up")
    root_cause: str
    bot_could_handle: bool
    by: str
    at: datetime
    handed_back: bool = Field(False, description="Given when the agent handed the customer back to the bot.")


class HandoffCase(BaseModel):
    v: int = CASE_VERSION
    case_id: str
    conversation_id: str
    created_at: datetime
    status: CaseStatus = CaseStatus.waiting
    queue: Queue
    priority: Priority
    priority_reasons: list[str] = []
    reason: str = Field(..., description="Escalation reason code, e.g. order_fallout, customer_request.")
    problem: str | None = None
    summary: str
    suggested_next_action: str | None = None
    identity: Identity | None = None
    services: list[str] = Field(
        default_factory=list,
        description="The customer's services as listed when they were verified (id, kind, state, plan), and the "
        "id of the one the bot diagnosed if it is not among them.",
    )
    findings: dict[str, Any] = {}
    evidence: list[Evidence] = []
    tried: list[str] = []
    understanding: Understanding = Understanding()
    transcript: list[Turn] = []
    contact_history: list[str] = Field(
        default_factory=list, description="Ids of this customer's other cases within the repeat-contact window."
    )
    vulnerable: bool = Field(False, description="The customer mentioned a circumstance that calls for extra care.")
    agent: str | None = None
    accepted_at: datetime | None = None
    reannounced: int = Field(0, description="Times the case was announced again because nobody took it in time.")
    transfers: list[str] = Field(default_factory=list, description="Queues the case was transferred from, in order.")
    notes: list[Note] = []
    diagnostics: list[DiagnosticRun] = []
    tickets: list[TicketAction] = []
    disposition: Disposition | None = None
    ended_at: datetime | None = None

    @property
    def sentiment_trend(self) -> float | None:
        """Mean sentiment of the customer's last three turns."""
        scores = [t.sentiment for t in self.transcript if t.speaker == "customer" and t.sentiment is not None]
        return sum(scores[-3:]) / len(scores[-3:]) if scores else None


def new_case_id() -> str:
    return "CASE-" + secrets.token_hex(6).upper()


def case_from_request(
    conversation_id: str,
    request: HandoffRequest,
    transcript: list[Turn],
    understanding: Understanding | None = None,
    case_id: str | None = None,
) -> HandoffCase:
    """A case from the handoff request and the transcript so far."""
    if understanding is None or understanding.top_intent is None:
        last = request.last_intent
        latest = {"top_intent": last.name if last else None, "confidence": last.confidence if last else None}
        understanding = (understanding or Understanding()).model_copy(update=latest)
    services = list(request.identity.services) if request.identity else []
    service = request.findings.get("service")
    if service and not any(s.startswith(f"{service} ") for s in services):
        services.append(str(service))
    return HandoffCase(
        case_id=case_id or new_case_id(),
        conversation_id=conversation_id,
        created_at=datetime.now(UTC),
        queue=request.queue,
        priority=request.priority,
        priority_reasons=list(request.priority_reasons),
        reason=request.reason,
        problem=request.problem,
        summary=request.summary,
        suggested_next_action=request.suggested_next_action,
        identity=request.identity,
        services=services,
        findings=dict(request.findings),
        evidence=list(request.evidence),
        tried=list(request.tried),
        understanding=understanding,
        transcript=transcript,
    )
