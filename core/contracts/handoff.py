"""The handoff request: what the bot (or the gateway itself) asks for when a customer must reach a person.

Built by ``HandoffRequest(...)`` in the action server (``actions/escalation.py``), by the gateway when Rasa is not
answering (``bot/chat/delivery.py``) and when the customer reads as upset (``bot/handoff/frustration.py``); it
travels as the custom bot message ``{"handoff": {...}}`` (and in the ``escalation`` slot) and is read once by the
gateway with :meth:`HandoffRequest.read`, which never refuses: a request the gateway cannot fully read still makes
a case, with what could be read, so the customer still reaches a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.contracts.evidence import Evidence
from core.contracts.queues import Priority, Queue

HANDOFF_VERSION = 1
FALLBACK_REASON = "customer_request"  # a request whose reason is unreadable was still a request for a person
UNREADABLE_KEPT_CHARS = 2000  # of an unreadable request, kept in the case's findings for the agent to read

_FROZEN = ConfigDict(frozen=True, extra="ignore")


class Identity(BaseModel):
    """The customer as the bot verified them (the ``identity`` slot)."""

    model_config = _FROZEN

    customer_id: str
    name: str | None = None
    account_ids: list[str] = []
    method: str = Field(..., description='How the customer was verified, e.g. "account number + postcode".')
    verified_at: str | None = None
    failed_attempts: int = 0
    services: list[str] = Field(
        default_factory=list, description='The customer\'s services when verified: "SVC-1 broadband, active, Fibre".'
    )


class IntentScore(BaseModel):
    model_config = _FROZEN

    name: str | None = None
    confidence: float | None = None


class EntityValue(BaseModel):
    model_config = _FROZEN

    entity: str | None = None
    value: Any = None


class Reading(BaseModel):
    """What Rasa's NLU made of the customer's latest message: the top intent, the runners-up, the entities."""

    model_config = _FROZEN

    intent: IntentScore | None = None
    intent_ranking: list[IntentScore] = []
    entities: list[EntityValue] = []


class UnansweredMessage(BaseModel):
    """A customer message Rasa never answered (the gateway's own requests, when the assistant is down)."""

    model_config = _FROZEN

    seq: int
    text: str


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class HandoffRequest(BaseModel):
    model_config = _FROZEN

    v: int = HANDOFF_VERSION
    reason: str = Field(..., min_length=1, description="Escalation reason code (core.policy.ESCALATION_REASONS).")
    queue: Queue = Queue.general
    priority: Priority = Priority.normal
    priority_reasons: list[str] = []
    problem: str | None = None
    summary: str = ""
    suggested_next_action: str | None = None
    contact: Literal["chat", "ticket"] = Field("chat", description="ticket: a person answers later, not live.")
    unanswered: list[UnansweredMessage] = []
    identity: Identity | None = None
    findings: dict[str, Any] = {}
    evidence: list[Evidence] = []
    tried: list[str] = []
    last_intent: IntentScore | None = None
    understanding: Reading | None = None
    requested_at: datetime = Field(default_factory=_now)

    def wire(self) -> dict[str, Any]:
        """The JSON-ready dict that travels in a Rasa slot and a custom bot message."""
        return self.model_dump(mode="json")

    @classmethod
    def read(cls, raw: object) -> tuple[HandoffRequest, list[str]]:
        """The request in ``raw``, and the names of the fields that could not be read (empty when all could).

        Never raises: unreadable fields take their defaults, and the unreadable request is kept in ``findings``
        (``unreadable_request``, ``unreadable_fields``) so the agent still sees what the bot sent.
        """
        data = dict(raw) if isinstance(raw, Mapping) else {}
        dropped: list[str] = [] if isinstance(raw, Mapping) else ["(not an object)"]
        while True:  # each round drops at least one field; with none left, only the fallback reason remains
            try:
                request = cls.model_validate({**data, "reason": data.get("reason") or FALLBACK_REASON})
                break
            except ValidationError as exc:
                bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]} & set(data)
                dropped += sorted(bad) if bad else sorted(data)
                data = {key: value for key, value in data.items() if key not in bad} if bad else {}
        if not dropped:
            return request, []
        findings = {
            **request.findings,
            "unreadable_request": str(raw)[:UNREADABLE_KEPT_CHARS],
            "unreadable_fields": dropped,
        }
        return request.model_copy(update={"findings": findings}), dropped
