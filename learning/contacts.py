"""One compact outcome record per contact, so outcome figures have real denominators.

A contact is one session of a conversation that had at least one customer turn: a customer who comes back
after the session expired (or restarts) is a new contact. Learning records exist only for unresolved moments;
the contact record exists for every contact, resolved or not. It holds no free text (flags, counters, intent
and reason codes, and pseudonymous customer keys only) and is kept for the retention period.

Shape (versioned JSON)::

    {"v": 1, "id": "<conversation_id>|<started ms>", "conversation_id": str, "started_at": s, "last_activity": s,
     "customer_keys": [pseudonym | "conversation:<id>", ...], "identified": bool, "channel": str | None,
     "model_id": str | None, "flow": str | None, "diagnosed": bool, "resolved": bool, "escalated": bool,
     "escalation_reason": str | None, "withdrawn": bool, "abandoned": bool, "ended": bool,
     "turns": int, "fallbacks": int}

``escalated`` is true while the handoff stands (a withdrawal from the queue clears it and sets ``withdrawn``);
``resolved`` means the customer's home fix worked; ``diagnosed`` that the bot gave its answer (a diagnosis, an
outage check, a submitted change request). The record is rewritten as the contact goes on; its last version is
the contact's end (a session expiry, the abandonment sweep, or simply the last event before silence).
"""

from __future__ import annotations

from typing import Any

from learning.keys import PAYLOAD_VERSION

UNDERSTOOD_NOT = frozenset({"nlu_fallback", "out_of_scope", "low_confidence"})
"""Record triggers that mean the bot did not understand a customer turn."""
DIAGNOSIS_ACTIONS = frozenset({"action_diagnose", "action_check_outage", "action_submit_change_request"})


def new_contact(at: float) -> dict[str, Any]:
    return {
        "started_at": at,
        "identified": False,
        "flow": None,
        "diagnosed": False,
        "resolved": False,
        "escalated": False,
        "escalation_reason": None,
        "withdrawn": False,
        "abandoned": False,
        "ended": False,
        "turns": 0,
        "fallbacks": 0,
    }


def contact_id(conversation_id: str, started_at: float) -> str:
    return f"{conversation_id}|{int(started_at * 1000)}"


def customer_keys(state: dict[str, Any]) -> list[str]:
    """Every pseudonym this conversation is known by, and the conversation itself (a web chat kept in the
    browser is the same customer even when they never said who they are)."""
    refs = {*(state.get("refs") or []), state.get("customer")} - {None, ""}
    return [*sorted(refs), f"conversation:{state['conversation_id']}"]


def contact_record(state: dict[str, Any]) -> dict[str, Any] | None:
    """The current contact's outcome record, or ``None`` while it has no customer turn (a page load)."""
    contact = state.get("contact")
    if not contact or not contact.get("turns"):
        return None
    return {
        "v": PAYLOAD_VERSION,
        "id": contact_id(state["conversation_id"], float(contact["started_at"])),
        "conversation_id": state["conversation_id"],
        **contact,
        "last_activity": float(state.get("last_activity") or contact["started_at"]),
        "customer_keys": customer_keys(state),
        "channel": state.get("channel"),
        "model_id": state.get("model_id"),
    }


def mark_abandoned(state: dict[str, Any]) -> None:
    if state.get("contact"):
        state["contact"]["abandoned"] = True


def _slot(contact: dict[str, Any], event: dict[str, Any]) -> None:
    name, value = event.get("name"), event.get("value")
    if name == "identity" and isinstance(value, dict) and value.get("customer"):
        contact["identified"] = True
    elif name == "problem" and value and not contact["flow"]:
        contact["flow"] = str(value)
    elif name == "escalation" and isinstance(value, dict):
        contact.update(escalated=True, escalation_reason=value.get("reason"))
    elif name == "findings" and isinstance(value, dict) and value.get("home_fix") == "worked":
        contact["resolved"] = True


def observe(state: dict[str, Any], event: dict[str, Any], records: list[dict[str, Any]]) -> None:
    """Advance the current contact by one event, after :func:`learning.tracking.apply_event` applied it."""
    kind = event.get("type")
    if kind in ("session_started", "restart") or not state.get("contact"):
        state["contact"] = new_contact(float(event.get("at") or 0.0))
    contact = state["contact"]
    if kind == "user":
        contact["turns"] += 1
        if any(r["trigger"] in UNDERSTOOD_NOT for r in records):
            contact["fallbacks"] += 1
        if (event.get("intent") or {}).get("name") == "goodbye":
            contact["ended"] = True
    if any(r["trigger"] == "withdrawn" for r in records):
        contact.update(escalated=False, withdrawn=True)
    if kind == "action" and event.get("name") in DIAGNOSIS_ACTIONS:
        contact["diagnosed"] = True
    elif kind == "slot":
        _slot(contact, event)
