"""Drill-down: a conversation's records, redacted transcript, findings, outcome, the agent's disposition and the
customer's satisfaction answers; and the agent's disposition itself, attached to the conversation's records."""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.errors import NotFound
from learning.records import Outcome, Trigger, build_record
from learning.satisfaction import SatisfactionStore
from learning.store import LearningStore

CONVERSATION_ID = r"^[A-Za-z0-9_.:@\-]{1,128}$"


class RootCause(StrEnum):
    bot_understanding = "bot_understanding"
    """The bot did not understand what the customer said."""
    bot_flow_missing = "bot_flow_missing"
    """The bot understood but has no flow for it."""
    oss_data = "oss_data"
    """Network data or diagnostics were wrong or missing (alarms, line tests, inventory)."""
    bss_data = "bss_data"
    """Billing, order or account data was wrong or missing."""
    product_policy = "product_policy"
    """A product or policy gap: nobody could have done it in the chat."""
    customer_specific = "customer_specific"
    other = "other"


class Resolution(StrEnum):
    resolved = "resolved"
    not_resolved = "not_resolved"
    follow_up = "follow_up"
    """Not resolved yet, and somebody will come back to it: counted apart from "not resolved"."""


class DispositionIn(BaseModel):
    """``resolution`` says how the chat ended; ``resolved`` (yes or no) is kept for older callers. Give either;
    when both are given, ``resolution`` decides and ``resolved`` is stored as ``resolution == "resolved"``."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(..., pattern=CONVERSATION_ID)
    bot_could_handle: bool = Field(..., description="Could the bot have handled this on its own?")
    root_cause: RootCause
    resolved: bool | None = Field(None, description="Did the agent resolve the customer's problem?")
    resolution: Resolution | None = Field(None, description="resolved, not_resolved or follow_up")

    @model_validator(mode="after")
    def _one_resolution(self) -> DispositionIn:
        if self.resolution is None and self.resolved is None:
            raise ValueError("give 'resolution' (resolved, not_resolved or follow_up) or 'resolved'")
        if self.resolution is None:
            self.resolution = Resolution.resolved if self.resolved else Resolution.not_resolved
        self.resolved = self.resolution is Resolution.resolved
        return self

    @property
    def outcome(self) -> Resolution:
        """The resolution, always set once validated."""
        return self.resolution or (Resolution.resolved if self.resolved else Resolution.not_resolved)


async def conversation_detail(store: LearningStore, conversation_id: str) -> dict[str, Any] | None:
    record_ids = await store.conversation_record_ids(conversation_id)
    transcript = await store.transcript(conversation_id)
    if not record_ids and not transcript:
        return None
    summary = (await store.summaries([conversation_id]))[conversation_id]
    records = [{"id": record_id, **record} for record_id, record in await store.records(record_ids)]
    answers = await SatisfactionStore(store.redis, store.retention_s // 86400).of_conversations([conversation_id])
    return {
        "v": 1,
        "conversation_id": conversation_id,
        "outcome": summary["outcome"],
        "escalated": summary["escalated"],
        "findings": summary["findings"],
        "disposition": summary["disposition"],
        "satisfaction": [answer.model_dump() for answer in answers.get(conversation_id, [])],
        "records": records,
        "transcript": transcript,
    }


async def record_disposition(store: LearningStore, body: DispositionIn, agent: str) -> dict[str, Any]:
    """Store the agent's disposition and append its record (trigger ``agent_disposition``)."""
    state = await store.state(body.conversation_id)
    if state is None:
        raise NotFound("conversation_not_found", "The learning store has no such conversation.")
    at = time.time()
    disposition: dict[str, object] = {
        "v": 1,
        "bot_could_handle": body.bot_could_handle,
        "root_cause": body.root_cause.value,
        "resolved": body.outcome is Resolution.resolved,
        "resolution": body.outcome.value,
        "by": agent,
        "at": at,
    }
    record = build_record(state, Trigger.agent_disposition, at, body.root_cause.value,
                          Outcome(state.get("outcome") or Outcome.open.value))  # fmt: skip
    kept = ("bot_could_handle", "root_cause", "resolved", "resolution")
    record["disposition"] = {key: disposition[key] for key in kept}
    record_id = await store.set_disposition(body.conversation_id, disposition, record)
    return {"v": 1, "record_id": record_id, "disposition": disposition}
