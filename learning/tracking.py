"""What each Rasa event means for the learning store: a pure state machine over one conversation.

The consumer keeps one state per conversation (JSON in Redis) and feeds it the redacted event summaries in
stream order. :func:`apply_event` returns the records the event triggers and the transcript lines it adds:

- a customer turn whose intent is ``nlu_fallback`` or ``out_of_scope``, or whose top intent is below the
  configured confidence;
- an ``escalation`` slot set to a handoff request (its reason code is the record's reason);
- a ``findings`` slot gaining ``oss_unavailable``/``oss_error`` (an OSS/BSS failure during a diagnosis);
- a new session starting while the previous one had a flow open (the session expired mid-flow), which the
  consumer's sweep also detects by silence (:func:`abandon`), since a customer who left never starts one;
- a change of topic: the ``problem`` slot set to another problem before the first one was diagnosed or while
  its question was still open (an ``abandoned`` record, reason ``topic_change:<new problem>``);
- a withdrawal from the queue: ``findings.withdrawn_from_queue`` set (reason ``withdrawn:<the handoff's reason>``).

Every event also advances the current contact (:mod:`learning.contacts`); a new session ends it, and
:class:`Effects` carries its final outcome record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from learning import contacts
from learning.records import FALLBACK_INTENT, OUT_OF_SCOPE_INTENT, Outcome, Trigger, build_record

SEEN_KEPT = 64
"""Event ids remembered per conversation to drop the broker's rare duplicate deliveries."""
LISTEN = "action_listen"
SESSION_START = "action_session_start"
OSS_FAILURE_FINDINGS = ("oss_unavailable", "oss_error")
DIAGNOSIS_ACTIONS = contacts.DIAGNOSIS_ACTIONS
"""Actions after which the problem in hand has had its answer: moving on from it is not leaving it."""


@dataclass
class Effects:
    records: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    """Outcome records of contacts that ended with this event (a new session began)."""


def new_state(conversation_id: str) -> dict[str, Any]:
    return {
        "v": 1,
        "conversation_id": conversation_id,
        "customer": None,
        "refs": [],
        "channel": None,
        "model_id": None,
        "active_loop": None,
        "last_action": None,
        "problem": None,
        "problem_text": None,
        "awaiting": None,
        "findings": {},
        "escalation": None,
        "diagnosed": False,
        "last_user": None,
        "last_activity": 0.0,
        "outcome": Outcome.open.value,
        "seen": [],
        "lookups_seen": [],
        "records": 0,
        "contact": None,
    }


def flow_open(state: dict[str, Any]) -> bool:
    """A form is active or the bot is waiting for the answer to a diagnosis question, which the customer did not
    say they would come back to ("not sure yet, I'll try later" keeps the question open on purpose)."""
    if state.get("awaiting") and (state.get("findings") or {}).get("deferred") == state.get("awaiting"):
        return False
    return bool(state.get("active_loop") or state.get("awaiting")) and state.get("outcome") == Outcome.open.value


def _record(state: dict[str, Any], effects: Effects, trigger: Trigger, at: float, reason: str | None) -> None:
    outcome = {Trigger.escalation: Outcome.escalated, Trigger.abandoned: Outcome.abandoned}.get(trigger)
    effects.records.append(build_record(state, trigger, at, reason, outcome or Outcome(state["outcome"])))
    state["records"] = int(state.get("records") or 0) + 1


def abandon(state: dict[str, Any]) -> dict[str, Any]:
    """The abandonment record of a conversation whose flow stayed open; the state is closed in place."""
    effects = Effects()
    what = state.get("active_loop") or f"awaiting_{state.get('awaiting')}"
    _record(state, effects, Trigger.abandoned, float(state.get("last_activity") or 0.0), what)
    contacts.mark_abandoned(state)
    state.update(outcome=Outcome.abandoned.value, active_loop=None, awaiting=None)
    return effects.records[0]


def _new_session(state: dict[str, Any], effects: Effects, restart: bool) -> None:
    if flow_open(state) and not restart:
        effects.records.append(abandon(state))
    finished = contacts.contact_record(state)
    if finished:
        effects.contacts.append(finished)
    state["contact"] = None
    state.update(active_loop=None, awaiting=None, problem=None, problem_text=None, last_action=None, findings={})
    state["escalation"] = None
    state.update(last_user=None, outcome=Outcome.open.value, lookups_seen=[])


def _user(state: dict[str, Any], event: dict[str, Any], effects: Effects, low_confidence: float) -> None:
    intent = event.get("intent") or {}
    turn = {key: event.get(key) for key in ("text", "intent", "ranking", "entities", "at")}
    state["last_user"] = turn
    effects.transcript.append(
        {"at": event["at"], "who": "customer", "text": event.get("text"), "intent": intent.get("name"),
         "confidence": intent.get("confidence")}
    )  # fmt: skip
    name, confidence = intent.get("name"), intent.get("confidence")
    if name == FALLBACK_INTENT:
        _record(state, effects, Trigger.nlu_fallback, event["at"], None)
    elif name == OUT_OF_SCOPE_INTENT:
        _record(state, effects, Trigger.out_of_scope, event["at"], None)
    elif confidence is not None and float(confidence) < low_confidence:
        _record(state, effects, Trigger.low_confidence, event["at"], None)
    if name == "goodbye" and state["outcome"] == Outcome.open.value:
        state["outcome"] = Outcome.ended.value


def _lookups(state: dict[str, Any], calls: list[dict[str, Any]], effects: Effects) -> None:
    seen = list(state.get("lookups_seen") or [])
    for call in calls:
        mark = f"{call.get('api')}|{call.get('operation')}|{call.get('started_at')}"
        if mark in seen:
            continue
        seen.append(mark)
        effects.transcript.append(
            {"at": None, "who": "lookup", "api": call.get("api"), "operation": call.get("operation"),
             "outcome": call.get("outcome"), "summary": call.get("summary"), "started_at": call.get("started_at")}
        )  # fmt: skip
    state["lookups_seen"] = seen[-SEEN_KEPT:]


def _slot(state: dict[str, Any], event: dict[str, Any], effects: Effects) -> None:
    name, value, at = event.get("name"), event.get("value"), event["at"]
    if name == "findings":
        findings = value if isinstance(value, dict) else {}
        before = state.get("findings") or {}
        state["findings"] = findings
        for key in OSS_FAILURE_FINDINGS:
            if findings.get(key) and findings.get(key) != before.get(key):
                _record(state, effects, Trigger.oss_failure, at, f"{key}:{findings[key]}")
        if findings.get("withdrawn_from_queue") and findings["withdrawn_from_queue"] != before.get(
            "withdrawn_from_queue"
        ):
            reason = f"withdrawn:{state.pop('withdrawn_reason', None) or 'gateway_handoff'}"
            effects.transcript.append({"at": at, "who": "handoff", "reason": "withdrawn", "queue": None})
            _record(state, effects, Trigger.withdrawn, at, reason)
            state["outcome"] = Outcome.open.value
        if findings.get("home_fix") == "worked" and state["outcome"] == Outcome.open.value:
            state["outcome"] = Outcome.resolved.value
    elif name == "evidence":
        _lookups(state, value if isinstance(value, list) else [], effects)
    elif name == "escalation" and value is None and isinstance(state.get("escalation"), dict):
        # Cleared after a handoff: the customer withdrew (the findings slot that follows says so) and is back
        # with the bot.
        state.update(withdrawn_reason=state["escalation"].get("reason"), escalation=None, outcome=Outcome.open.value)
    elif name == "escalation" and isinstance(value, dict):
        state["escalation"] = value
        handoff = {"at": at, "who": "handoff", "reason": value.get("reason"), "queue": value.get("queue")}
        effects.transcript.append(handoff)
        _record(state, effects, Trigger.escalation, at, value.get("reason"))
        state["outcome"] = Outcome.escalated.value
    elif name == "identity" and isinstance(value, dict):
        state["customer"] = value.get("customer")
        state["refs"] = sorted({*state.get("refs", []), value.get("customer"), *(value.get("refs") or [])} - {None})
    elif name == "customer_ref" and isinstance(value, dict) and value.get("ref"):
        state["refs"] = sorted({*state.get("refs", []), value["ref"]})
    elif name == "problem":
        old = state.get("problem")
        moved_on = old and value and value != old and state["outcome"] == Outcome.open.value
        if moved_on and (not state.get("diagnosed") or state.get("awaiting")):
            _record(state, effects, Trigger.abandoned, at, f"topic_change:{value}")
        state["diagnosed"] = False
        state["problem"] = value
        state["problem_text"] = (state.get("last_user") or {}).get("text") if value else None
    elif name == "awaiting":
        state["awaiting"] = value


def apply_event(state: dict[str, Any], event: dict[str, Any], low_confidence: float) -> Effects:
    """Advance ``state`` (in place) by one redacted event summary."""
    effects = Effects()
    eid = event.get("eid")
    if eid and eid in state["seen"]:
        return effects
    if eid:
        state["seen"] = [*state["seen"], eid][-SEEN_KEPT:]
    state["channel"] = event.get("channel") or state.get("channel")
    state["model_id"] = event.get("model_id") or state.get("model_id")
    kind = event.get("type")
    if kind in ("session_started", "restart"):
        _new_session(state, effects, restart=kind == "restart")
    if event.get("name") != SESSION_START:  # it precedes session_started: the old session's end stays its own
        state["last_activity"] = max(float(state.get("last_activity") or 0.0), float(event.get("at") or 0.0))
    if kind == "user":
        _user(state, event, effects, low_confidence)
    elif kind == "bot" and event.get("text"):
        line = {"at": event["at"], "who": "bot", "text": event.get("text")}
        if event.get("agent"):
            line |= {"who": "agent", "agent": event["agent"]}
        effects.transcript.append(line)
    elif kind == "action" and event.get("name") and event.get("name") != LISTEN:
        state["last_action"] = event["name"]
        if event["name"] in DIAGNOSIS_ACTIONS:
            state["diagnosed"] = True
        effects.transcript.append({"at": event["at"], "who": "action", "name": event["name"]})
    elif kind == "active_loop":
        state["active_loop"] = event.get("name")
        if event.get("name"):
            effects.transcript.append({"at": event["at"], "who": "form", "name": event["name"]})
    elif kind == "slot":
        _slot(state, event, effects)
    contacts.observe(state, event, effects.records)
    return effects
