"""The contract between Rasa's event broker and the learning consumer: what one stream entry holds.

Pure Python (standard library only), so both venvs import it; it is the one module of the product the engine
imports. The engine writes these summaries, the app's consumer (``learning/``) reads and redacts them, and
``tests/learning/test_event_contract.py`` feeds the consumer summaries made by this very code.

Stream ``triage:learning:events``, one entry per Rasa event, fields ``v`` (``"2"``) and ``e`` (the summary as
JSON). A summary holds the customer's RAW text: the consumer redacts it before anything is stored, then deletes
the entry. Every summary has::

    {"v": 2, "eid": <hex, unique per event: the consumer drops duplicates>, "type": <Rasa event name>,
     "conversation_id": str, "at": <unix s>, "model_id": str | None}

and, by ``type`` (other event types are not forwarded); every field marked RAW is free text to redact:

- ``user``: ``channel``, ``intent`` ``{name, confidence}``, ``ranking`` (the first ``RANKING_KEPT`` of them),
  ``entities`` ``[{entity, value RAW}]``, ``text`` RAW.
- ``bot``: ``handoff`` (bool: the message carries a handoff request), ``agent`` (a person's name, only on lines an
  agent wrote), ``text`` RAW.
- ``action``: ``name``, ``policy``, ``confidence``. ``active_loop``: ``name``. ``session_started``, ``restart``.
- ``slot``: ``name`` and ``value``, only for these slots:
  ``findings`` ``{key: value}`` for ``FINDING_KEYS``, each value a bool/number/None or a RAW string;
  ``evidence`` ``[{EVIDENCE_FIELDS..., summary RAW}]`` (the last ``EVIDENCE_KEPT``);
  ``escalation`` ``{ESCALATION_FIELDS...}`` (codes, no free text);
  ``identity`` ``{customer_id, account_ids}`` RAW identifiers (the consumer pseudonymises them) or None;
  ``customer_ref`` a RAW identifier or None; ``PLAIN_SLOTS`` as Rasa set them (codes and flags).

Version 1 entries were redacted and pseudonymised by the broker itself (before the engine was split out): the
consumer reads them as they are.
"""

from __future__ import annotations

from typing import Any

EVENTS_STREAM = "triage:learning:events"
SUMMARY_VERSION = 2
"""Raw summaries; 1 was the broker's redacted summary, which the consumer turns a version 2 summary into."""

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
PLAIN_SLOTS = frozenset({"problem", "awaiting", "verified", "requested_slot"})
SUMMARISED_SLOTS = PLAIN_SLOTS | {"findings", "evidence", "escalation", "identity", "customer_ref"}
EVIDENCE_FIELDS = ("api", "operation", "outcome", "status", "latency_ms", "started_at", "attempts")
ESCALATION_FIELDS = ("reason", "queue", "priority", "priority_reasons", "problem")
AGENT_NAME_KEPT = 64


def _intent(entry: Any) -> dict[str, Any]:
    entry = entry if isinstance(entry, dict) else {}
    confidence = entry.get("confidence")
    return {"name": entry.get("name"), "confidence": round(float(confidence), 4) if confidence is not None else None}


def _user(event: dict[str, Any], summary: dict[str, Any]) -> None:
    parse = event.get("parse_data") or {}
    summary["channel"] = event.get("input_channel")
    summary["intent"] = _intent(parse.get("intent"))
    summary["ranking"] = [_intent(item) for item in (parse.get("intent_ranking") or [])[:RANKING_KEPT]]
    summary["entities"] = [
        {"entity": entity.get("entity"), "value": str(entity.get("value", ""))}
        for entity in parse.get("entities") or []
        if isinstance(entity, dict)
    ]
    summary["text"] = str(event.get("text") or "")


def _bot(event: dict[str, Any], summary: dict[str, Any]) -> None:
    data = event.get("data") or {}
    custom = data.get("custom") if isinstance(data, dict) else None
    summary["handoff"] = isinstance(custom, dict) and "handoff" in custom
    metadata = event.get("metadata")
    agent = metadata.get("agent") if isinstance(metadata, dict) else None
    if isinstance(agent, str) and agent:  # a person wrote it (the handoff records agents' lines as bot events)
        summary["agent"] = agent[:AGENT_NAME_KEPT]
    summary["text"] = str(event.get("text") or "")


def _findings(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {
        key: item if isinstance(item, (bool, int, float)) or item is None else str(item)
        for key, item in value.items()
        if key in FINDING_KEYS
    }


def _evidence(value: Any) -> list[dict[str, Any]]:
    calls = []
    for call in value[-EVIDENCE_KEPT:] if isinstance(value, list) else ():
        if isinstance(call, dict):
            calls.append(
                {**{name: call.get(name) for name in EVIDENCE_FIELDS}, "summary": str(call.get("summary") or "")}
            )
    return calls


def _slot_value(name: str, value: Any) -> Any:
    if name == "findings":
        return _findings(value)
    if name == "evidence":
        return _evidence(value)
    if name == "escalation":
        return {key: value.get(key) for key in ESCALATION_FIELDS} if isinstance(value, dict) else None
    if name == "identity":
        if not isinstance(value, dict) or not value.get("customer_id"):
            return None  # the customer's name and the rest of the identity stay in Rasa's tracker
        return {
            "customer_id": str(value["customer_id"]),
            "account_ids": [str(a) for a in value.get("account_ids") or []],
        }
    if name == "customer_ref":
        return str(value) if value else None
    return value


def summarise(event: dict[str, Any]) -> dict[str, Any] | None:
    """The learning store's view of one Rasa event (``sender_id`` + ``Event.as_dict()``), or ``None`` when it has
    no use for it. Cheap (no I/O, no NLP): it runs in Rasa's ``publish``. The caller adds ``eid``."""
    kind = event.get("event")
    conversation_id = event.get("sender_id")
    if not conversation_id or not isinstance(kind, str):
        return None
    metadata = event.get("metadata") or {}
    summary: dict[str, Any] = {
        "v": SUMMARY_VERSION,
        "type": kind,
        "conversation_id": str(conversation_id),
        "at": float(event.get("timestamp") or 0.0),
        "model_id": metadata.get("model_id") if isinstance(metadata, dict) else None,
    }
    if kind == "user":
        _user(event, summary)
    elif kind == "bot":
        _bot(event, summary)
    elif kind == "action":
        summary.update(name=event.get("name"), policy=event.get("policy"), confidence=event.get("confidence"))
    elif kind == "active_loop":
        summary["name"] = event.get("name")
    elif kind == "slot":
        name = event.get("name")
        if name not in SUMMARISED_SLOTS:
            return None
        summary.update(name=name, value=_slot_value(str(name), event.get("value")))
    elif kind not in ("session_started", "restart"):
        return None
    return summary
