"""The gateway's own trigger: a customer whose last turns read as upset gets a person (the bot's rules cannot
see sentiment)."""

from __future__ import annotations

from bot.chat.store import ChatStore
from bot.handoff import building
from bot.handoff.tracker import TrackerRecorder
from core.contracts.handoff import HandoffRequest
from core.contracts.queues import Priority
from core.policy import QUEUE_BY_PROBLEM

FRUSTRATION_MIN_TURNS = 2  # one angry line is venting; two in a row (mean of the last three) is frustration
SUMMARY_MAX_CHARS = 600

CALM_INTENTS = frozenset({"not_sure", "withdraw_request", "thank", "goodbye", "affirm", "stop_notifications"})
"""A customer's last turn of these kinds never triggers the frustration handoff."""


async def frustration_request(
    store: ChatStore, recorder: TrackerRecorder, conversation_id: str, negative_at_or_below: float
) -> HandoffRequest | None:
    """A handoff request when the customer's last turns read as upset, else ``None``.

    Two customer turns at least, and only those since the last handoff, so a handed-back customer is not
    sent straight back by the words that brought them to a person the first time.
    """
    history = await store.history(conversation_id)
    last_handoff = max((i for i, e in enumerate(history) if e.get("kind") == "handoff"), default=-1)
    turns = [t for t in building.transcript(history[last_handoff + 1 :]) if t.speaker == "customer"]
    if len(turns) < FRUSTRATION_MIN_TURNS:
        return None
    trend = building.sentiment_trend(turns)
    if trend is None or trend > negative_at_or_below:
        return None
    tracker = await recorder.tracker(conversation_id)
    slots = tracker.get("slots") or {}
    latest = tracker.get("latest_message") or {}
    if ((latest.get("intent") or {}).get("name") or "") in CALM_INTENTS:
        # "Not sure yet", "cancel that", "thanks": the customer just said what they want, and it is not a
        # person; earlier upset words do not overrule that.
        return None
    said = "; ".join(t.text for t in turns[-3:])
    request, _ = HandoffRequest.read({
        "reason": "negative_sentiment",
        "queue": QUEUE_BY_PROBLEM.get(slots.get("problem") or "", "general"),
        "priority": Priority.high,
        "priority_reasons": ["negative_sentiment"],
        "problem": slots.get("problem"),
        "summary": f"The customer's last messages read as upset (sentiment {trend:.2f}): {said}"[:SUMMARY_MAX_CHARS],
        "suggested_next_action": "Acknowledge the frustration first, then read the transcript for the problem.",
        "identity": slots.get("identity"),
        "findings": slots.get("findings") or {},
        "evidence": slots.get("evidence") or [],
        "tried": slots.get("tried") or [],
        "last_intent": latest.get("intent") or None,
    })  # fmt: skip
    return request
