"""Escalation to a person: one request shape (``core.contracts.handoff.HandoffRequest``), whatever triggered it.

The request travels twice: in the ``escalation`` slot (so the tracker keeps it) and as a custom bot message
``{"handoff": {...}}`` that the gateway turns into a queued case. It carries the reason code, the queue and the
priority with its reasons, and everything the bot learned (``understanding``: the intent ranking and entities of
the customer's last message), so the agent never asks again.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from core.contracts.handoff import HandoffRequest, IntentScore
from core.contracts.queues import Priority, team_name
from core.policy import HIGH_PRIORITY_REASONS, QUEUE_BY_PROBLEM, next_action_for, problem_named_in

log = logging.getLogger(__name__)

UNDERSTANDING_ALTERNATIVES = 4  # runners-up of the intent ranking the agent sees beside the top intent


def build_handoff(
    tracker: Tracker,
    reason: str,
    summary: str,
    *,
    queue: str | None = None,
    priority_reasons: list[str] | None = None,
    next_action: str | None = None,
) -> HandoffRequest:
    problem = tracker.get_slot("problem")
    reasons = list(priority_reasons or [])
    if reason in HIGH_PRIORITY_REASONS and reason not in reasons:
        reasons.append(reason)
    findings = tracker.get_slot("findings") or {}
    latest = tracker.latest_message or {}
    intent = IntentScore.model_validate(latest.get("intent") or {})
    ranking = (latest.get("intent_ranking") or [])[: UNDERSTANDING_ALTERNATIVES + 1]
    fields: dict[str, Any] = {
        "reason": reason,
        "queue": queue or QUEUE_BY_PROBLEM.get(problem or "", "general"),
        "priority": Priority.high if reasons else Priority.normal,
        "priority_reasons": reasons,
        "problem": problem,
        "summary": summary,
        "suggested_next_action": next_action or next_action_for(reason, bool(findings)),
        "identity": tracker.get_slot("identity"),
        "findings": findings,
        "evidence": tracker.get_slot("evidence") or [],
        "tried": tracker.get_slot("tried") or [],
        "last_intent": intent,
        "understanding": {"intent": intent, "intent_ranking": ranking, "entities": latest.get("entities") or []},
    }
    try:
        return HandoffRequest(**fields)
    except ValidationError:
        # A slot in a shape the contract does not know must not stop the customer reaching a person: the request
        # goes with what could be read, the rest kept as text in its findings.
        log.exception("handoff request of %s partly unreadable", tracker.sender_id)
        return HandoffRequest.read(fields)[0]


def escalate(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, summary: str, **kwargs: Any
) -> list[EventType]:
    """Tell the customer a person is coming and why, and emit the handoff request."""
    handoff = build_handoff(tracker, reason, summary, **kwargs)
    dispatcher.utter_message(response="utter_passing_to_person", team=team_name(handoff.queue))
    wire = handoff.wire()
    dispatcher.utter_message(json_message={"handoff": wire})
    return [SlotSet("escalation", wire), SlotSet("awaiting", None)]


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
