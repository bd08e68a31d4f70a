"""The learning record: one unresolved moment of a conversation, as stored (versioned JSON, redacted).

A record is written once and never changed. What happens to the conversation afterwards (escalated,
abandoned, the agent's disposition) lives beside it, per conversation, and is joined when records are read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from learning.keys import PAYLOAD_VERSION

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"


class Trigger(StrEnum):
    nlu_fallback = "nlu_fallback"
    low_confidence = "low_confidence"
    out_of_scope = "out_of_scope"
    escalation = "escalation"
    abandoned = "abandoned"
    oss_failure = "oss_failure"
    agent_disposition = "agent_disposition"
    withdrawn = "withdrawn"


class Outcome(StrEnum):
    """Of a conversation: where it stands now (``open`` while the customer is still talking to the bot)."""

    open = "open"
    escalated = "escalated"
    abandoned = "abandoned"
    resolved = "resolved"
    ended = "ended"


def original_prediction(ranking: list[dict[str, Any]], intent: dict[str, Any]) -> dict[str, Any]:
    """The model's own top intent, even when the fallback classifier replaced it with ``nlu_fallback``."""
    for entry in ranking:
        if entry.get("name") != FALLBACK_INTENT:
            return entry
    return intent


def record_flow(state: dict[str, Any]) -> str | None:
    """The flow a record happened in: the open form, else the problem in hand (an intent name)."""
    return state.get("active_loop") or state.get("problem")


def index_facets(record: dict[str, Any]) -> list[tuple[str, str]]:
    """``(facet, value)`` pairs a record is indexed under; findings by key and by ``key=value``."""
    facets = [("trigger", str(record["trigger"]))]
    if record.get("channel"):
        facets.append(("channel", str(record["channel"])))
    if record.get("flow"):
        facets.append(("flow", str(record["flow"])))
    for key, value in (record.get("findings") or {}).items():
        facets.append(("finding", key))
        if isinstance(value, str) and len(value) <= 64:
            facets.append(("finding", f"{key}={value}"))
    return facets


def build_record(
    state: dict[str, Any], trigger: Trigger, at: float, reason: str | None, outcome: Outcome
) -> dict[str, Any]:
    """A record from the conversation state at capture time (see :mod:`learning.tracking`)."""
    turn = state.get("last_user") or {}
    ranking = turn.get("ranking") or []
    intent = turn.get("intent") or {}
    dialogue = {key: state.get(key) for key in ("active_loop", "last_action", "problem", "awaiting")}
    return {
        "v": PAYLOAD_VERSION,
        "trigger": trigger.value,
        "reason": reason,
        "at": at,
        "conversation_id": state["conversation_id"],
        "customer": state.get("customer"),
        "utterance": turn.get("text"),
        "utterance_at": turn.get("at"),
        "problem_utterance": state.get("problem_text"),
        "intent": original_prediction(ranking, intent),
        "fallback": intent.get("name") == FALLBACK_INTENT,
        "intent_ranking": ranking,
        "entities": turn.get("entities") or [],
        "state": dialogue,
        "flow": record_flow(dialogue),
        "findings": dict(state.get("findings") or {}),
        "escalation": state.get("escalation"),
        "channel": state.get("channel"),
        "model_id": state.get("model_id"),
        "outcome": outcome.value,
    }


def customer_key(record: dict[str, Any]) -> str:
    """Who to count for the k-threshold: the customer's pseudonym, else the (anonymous) conversation."""
    return str(record.get("customer") or f"conversation:{record['conversation_id']}")
