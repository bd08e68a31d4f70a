"""Rasa event dicts exactly as ``TrackerStore._stream_new_events`` publishes them (``sender_id`` + ``as_dict``)."""

from __future__ import annotations

import itertools
from typing import Any

MODEL_ID = "model-2024-test"
_clock = itertools.count(1_700_000_000)


def _base(sender: str, kind: str, at: float | None) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "event": kind,
        "timestamp": at if at is not None else float(next(_clock)),
        "metadata": {"model_id": MODEL_ID, "assistant_id": "telecom-triage"},
    }


def user(
    sender: str,
    text: str,
    intent: str,
    confidence: float,
    *,
    ranking: list[tuple[str, float]] | None = None,
    entities: list[dict[str, Any]] | None = None,
    at: float | None = None,
    channel: str = "web",
) -> dict[str, Any]:
    ranking = ranking or [(intent, confidence)]
    event = _base(sender, "user", at)
    event.update(
        text=text,
        input_channel=channel,
        message_id="m1",
        parse_data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "entities": entities or [],
            "message_id": "m1",
            "metadata": {},
        },
    )
    return event


def fallback(sender: str, text: str, original: str, confidence: float, at: float | None = None) -> dict[str, Any]:
    """What FallbackClassifier produces: nlu_fallback on top, the model's ranking kept below it."""
    return user(sender, text, "nlu_fallback", 0.5, ranking=[("nlu_fallback", 0.5), (original, confidence)], at=at)


def bot(sender: str, text: str, at: float | None = None, custom: dict[str, Any] | None = None) -> dict[str, Any]:
    event = _base(sender, "bot", at)
    event.update(text=text, data={"custom": custom} if custom else {})
    return event


def action(sender: str, name: str, at: float | None = None) -> dict[str, Any]:
    event = _base(sender, "action", at)
    event.update(name=name, policy="RulePolicy", confidence=1.0)
    return event


def slot(sender: str, name: str, value: Any, at: float | None = None) -> dict[str, Any]:
    event = _base(sender, "slot", at)
    event.update(name=name, value=value)
    return event


def active_loop(sender: str, name: str | None, at: float | None = None) -> dict[str, Any]:
    event = _base(sender, "active_loop", at)
    event.update(name=name)
    return event


def session_started(sender: str, at: float | None = None) -> dict[str, Any]:
    return _base(sender, "session_started", at)


def start(sender: str, at: float | None = None) -> list[dict[str, Any]]:
    return [
        action(sender, "action_session_start", at),
        session_started(sender, at),
        action(sender, "action_listen", at),
    ]


def identified(sender: str, customer_id: str = "CUST-000017", account: str = "AC10000017") -> list[dict[str, Any]]:
    return [
        slot(sender, "customer_ref", account),
        slot(sender, "identity", {"customer_id": customer_id, "name": "Isla Robinson", "account_ids": [account]}),
        slot(sender, "verified", True),
    ]
