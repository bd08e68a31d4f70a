"""Escalation to a person: one request shape, whatever triggered it.

The request travels twice: in the ``escalation`` slot (so the tracker keeps it) and as a custom bot message
``{"handoff": {...}}`` that the gateway turns into a queued case. It carries the reason code, the queue and the
priority with its reasons, and everything the bot learned (``understanding``: the intent ranking and entities of
the customer's last message), so the agent never asks again.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from core.policy import HIGH_PRIORITY_REASONS, QUEUE_BY_PROBLEM, next_action_for, problem_named_in

HANDOFF_VERSION = 1
UNDERSTANDING_ALTERNATIVES = 4  # runners-up of the intent ranking the agent sees beside the top intent

TEAM_NAMES = {
    "technical": "technical support",
    "billing": "billing",
    "orders": "orders",
    "sales": "sales",
    "retention": "account",
    "moves": "home moves",
    "general": "customer care",
}


def build_handoff(
    tracker: Tracker,
    reason: str,
    summary: str,
    *,
    queue: str | None = None,
    priority_reasons: list[str] | None = None,
    next_action: str | None = None,
) -> dict[str, Any]:
    problem = tracker.get_slot("problem")
    queue = queue or QUEUE_BY_PROBLEM.get(problem or "", "general")
    reasons = list(priority_reasons or [])
    if reason in HIGH_PRIORITY_REASONS and reason not in reasons:
        reasons.append(reason)
    priority = "high" if reasons else "normal"
    findings = tracker.get_slot("findings") or {}
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    understanding = {
        "intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
        "intent_ranking": [{"name": r.get("name"), "confidence": r.get("confidence")}
                           for r in (latest.get("intent_ranking") or [])[:UNDERSTANDING_ALTERNATIVES + 1]],
        "entities": [{"entity": e.get("entity"), "value": e.get("value")} for e in latest.get("entities") or []],
    }  # fmt: skip
    return {
        "v": HANDOFF_VERSION,
        "reason": reason,
        "queue": queue,
        "priority": priority,
        "priority_reasons": reasons,
        "problem": problem,
        "summary": summary,
        "suggested_next_action": next_action or next_action_for(reason, bool(findings)),
        "identity": tracker.get_slot("identity"),
        "findings": findings,
        "evidence": tracker.get_slot("evidence") or [],
        "tried": tracker.get_slot("tried") or [],
        "last_intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
        "understanding": understanding,
        "requested_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def escalate(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, summary: str, **kwargs: Any
) -> list[EventType]:
    """Tell the customer a person is coming and why, and emit the handoff request."""
    handoff = build_handoff(tracker, reason, summary, **kwargs)
    team = TEAM_NAMES[handoff["queue"]]
    dispatcher.utter_message(
        text=f"I'm passing you to a person in our {team} team now, with everything I've found so far, "
        "so you won't have to repeat yourself."
    )
    dispatcher.utter_message(json_message={"handoff": handoff})
    return [SlotSet("escalation", handoff), SlotSet("awaiting", None)]


class ActionEscalate(Action):
    """The customer asked for a person (or a rule escalated without a diagnosis): no "are you sure" loop."""

    def name(self) -> str:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        latest = (tracker.latest_message.get("intent") or {}).get("name")
        reason = "customer_request" if latest == "request_human" else "bot_cannot_finish"
        summary = "The customer asked to speak to a person."
        # "someone about my bill" goes to billing, whatever the problem the bot was last looking at.
        named = problem_named_in(str(tracker.latest_message.get("text") or ""))
        problem = named or tracker.get_slot("problem")
        if problem:
            summary += f" About: {problem.replace('_', ' ')}; they said: {tracker.latest_message.get('text')!s:.200}"
        return escalate(dispatcher, tracker, reason, summary, queue=QUEUE_BY_PROBLEM.get(named) if named else None)
