"""Rasa events reduced to what the learning store needs, with every free text redacted.

:func:`summarise` is cheap and runs inside Rasa's ``publish``: it drops events and slots the store has no use
for, pseudonymises customer references, and lists the free texts still to redact. :func:`redact_batch` then
redacts the texts of many events at once (spaCy is much faster in batches) and returns the summaries that may
be written: versioned JSON ``{"v": 1, "type": ..., "conversation_id": ..., "at": <unix s>, ...}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import setitem
from typing import Any

from core.pseudonyms import pseudonym
from core.unicode_text import scrub
from learning.keys import PAYLOAD_VERSION

RANKING_KEPT = 10
"""Alternatives kept per user turn: enough to see what else the model considered."""
EVIDENCE_KEPT = 20

# Findings worth mining ("63% of this theme has an order held at number port"); identifiers of bills,
# orders, tickets and services are left out: they point at one customer and add nothing to a theme.
FINDING_KEYS = frozenset({
    "alarm", "alarm_severity", "diagnosis", "line_test", "registration_test", "retest", "measured_mbps",
    "guaranteed_mbps", "order_state", "order_fallout_step", "bill_difference", "failed_reason", "ticket_status",
    "home_fix", "oss_unavailable", "oss_error", "request", "notify_when_restored", "deferred", "left_flow",
    "withdrawn_from_queue",
})  # fmt: skip
FREE_TEXT_FINDINGS = frozenset({"oss_error", "request"})
PLAIN_SLOTS = frozenset({"problem", "awaiting", "verified", "requested_slot"})
EVIDENCE_FIELDS = ("api", "operation", "outcome", "status", "latency_ms", "started_at", "attempts")
ESCALATION_FIELDS = ("reason", "queue", "priority", "priority_reasons", "problem")


@dataclass
class Pending:
    """A summary whose ``texts`` still hold raw text; ``setters`` put the redacted ones in place."""

    summary: dict[str, Any]
    texts: list[str] = field(default_factory=list)
    setters: list[Callable[[str], None]] = field(default_factory=list)

    def text(self, raw: str, put: Callable[[str], None]) -> None:
        self.texts.append(raw)
        self.setters.append(put)


def _intent(entry: Any) -> dict[str, Any]:
    entry = entry if isinstance(entry, dict) else {}
    confidence = entry.get("confidence")
    return {"name": entry.get("name"), "confidence": round(float(confidence), 4) if confidence is not None else None}


def _user(event: dict[str, Any], pending: Pending) -> None:
    parse = event.get("parse_data") or {}
    summary = pending.summary
    summary["channel"] = event.get("input_channel")
    summary["intent"] = _intent(parse.get("intent"))
    summary["ranking"] = [_intent(item) for item in (parse.get("intent_ranking") or [])[:RANKING_KEPT]]
    summary["entities"] = []
    for entity in parse.get("entities") or []:
        kept = {"entity": entity.get("entity"), "value": None}
        summary["entities"].append(kept)
        pending.text(str(entity.get("value", "")), partial(setitem, kept, "value"))
    summary["text"] = None
    pending.text(str(event.get("text") or ""), partial(setitem, summary, "text"))


def _bot(event: dict[str, Any], pending: Pending) -> None:
    data = event.get("data") or {}
    custom = data.get("custom") if isinstance(data, dict) else None
    pending.summary["handoff"] = isinstance(custom, dict) and "handoff" in custom
    metadata = event.get("metadata")
    agent = metadata.get("agent") if isinstance(metadata, dict) else None
    if isinstance(agent, str) and agent:
        pending.summary["agent"] = agent[:64]  # a person wrote it (the handoff records agents' lines as bot events)
    pending.summary["text"] = None
    pending.text(str(event.get("text") or ""), partial(setitem, pending.summary, "text"))


def _findings(value: Any, pending: Pending) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, item in (value or {}).items() if isinstance(value, dict) else ():
        if key not in FINDING_KEYS:
            continue
        if isinstance(item, (bool, int, float)) or item is None:
            kept[key] = item
        else:
            kept[key] = None
            pending.text(str(item), partial(setitem, kept, key))
    return kept


def _evidence(value: Any, pending: Pending) -> list[dict[str, Any]]:
    calls = []
    for call in (value or [])[-EVIDENCE_KEPT:] if isinstance(value, list) else ():
        if not isinstance(call, dict):
            continue
        kept = {name: call.get(name) for name in EVIDENCE_FIELDS}
        kept["summary"] = None
        pending.text(str(call.get("summary") or ""), partial(setitem, kept, "summary"))
        calls.append(kept)
    return calls


def _slot_value(name: str, value: Any, secret: str, pending: Pending) -> Any:
    if name == "findings":
        return _findings(value, pending)
    if name == "evidence":
        return _evidence(value, pending)
    if name == "escalation":
        return {key: value.get(key) for key in ESCALATION_FIELDS} if isinstance(value, dict) else None
    if name == "identity":
        if not isinstance(value, dict) or not value.get("customer_id"):
            return None
        accounts = [pseudonym(secret, str(a)) for a in value.get("account_ids") or []]
        return {"customer": pseudonym(secret, str(value["customer_id"])), "refs": accounts}
    if name == "customer_ref":
        return {"ref": pseudonym(secret, str(value))} if value else None
    return value


def summarise(event: dict[str, Any], secret: str) -> Pending | None:
    """The learning store's view of one Rasa event, or ``None`` when it has no use for it."""
    kind = event.get("event")
    conversation_id = event.get("sender_id")
    if not conversation_id or not isinstance(kind, str):
        return None
    metadata = event.get("metadata") or {}
    summary: dict[str, Any] = {
        "v": PAYLOAD_VERSION,
        "type": kind,
        "conversation_id": str(conversation_id),
        "at": float(event.get("timestamp") or 0.0),
        "model_id": metadata.get("model_id") if isinstance(metadata, dict) else None,
    }
    pending = Pending(summary)
    if kind == "user":
        _user(event, pending)
    elif kind == "bot":
        _bot(event, pending)
    elif kind == "action":
        summary.update(name=event.get("name"), policy=event.get("policy"), confidence=event.get("confidence"))
    elif kind == "active_loop":
        summary["name"] = event.get("name")
    elif kind == "slot":
        name = event.get("name")
        if name not in PLAIN_SLOTS | {"findings", "evidence", "escalation", "identity", "customer_ref"}:
            return None
        summary.update(name=name, value=_slot_value(str(name), event.get("value"), secret, pending))
    elif kind not in ("session_started", "restart"):
        return None
    return pending


def redact_batch(batch: Sequence[Pending], redact_many: Callable[[list[str]], list[str]]) -> list[dict[str, Any]]:
    """Redact the free texts of every summary in one call; return the summaries, safe to write."""
    texts = [scrub(text) for pending in batch for text in pending.texts]  # spaCy refuses lone surrogates
    redacted = iter(redact_many(texts) if texts else [])
    for pending in batch:
        for put in pending.setters:
            put(next(redacted))
        pending.texts.clear()
        pending.setters.clear()
    return [pending.summary for pending in batch]
