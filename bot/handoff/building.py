"""Building a case from a handoff request: transcript from the chat history, sentiment, priority and its reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.handoff.case import HandoffCase, Priority, Turn, Understanding
from bot.handoff.sentiment import score, vulnerability
from core.contracts.handoff import HandoffRequest

# The bot's reasons that count as a priority reason, under the name the agent reads.
PRIORITY_REASON_OF = {"ticket_past_sla": "sla_breach", "SLA breach": "sla_breach", "repeated_complaint": "frustration"}
PRIORITY_REASON_TEXT = {
    "sla_breach": "a ticket is past its promised fix time (SLA breach)",
    "repeat_contact": "contacted us about this within the last days",
    "negative_sentiment": "the customer is upset (sentiment of the last turns)",
    "frustration": "the customer complained repeatedly",
    "vulnerability": "the customer mentioned a circumstance that calls for extra care",
}


def processed_text(entry: dict[str, Any]) -> str:
    """What the bot processed, as the agent must read it: the typed text, or a button's payload with its title."""
    text = str(entry.get("text") or "")
    display = entry.get("display")
    return f"{display} [button {text}]" if display and text.startswith("/") else text


def transcript(history: list[dict[str, Any]]) -> list[Turn]:
    """Every customer, bot, agent and system line of the history, customer turns scored for sentiment."""
    turns = []
    for entry in history:
        at = datetime.fromtimestamp(entry.get("ts", 0) / 1000, UTC).isoformat(timespec="seconds")
        if entry.get("kind") == "customer":
            text = processed_text(entry)
            turns.append(Turn(speaker="customer", text=text, seq=entry.get("seq"), at=at, sentiment=score(text)))
        elif entry.get("kind") == "message":
            body = entry.get("body") or {}
            if isinstance(body.get("text"), str) and body["text"]:
                speaker = {"bot": "bot", "agent": "agent"}.get(entry.get("from", ""), "system")
                turns.append(Turn(speaker=speaker, text=body["text"], seq=entry.get("seq"), at=at))
    return turns


def sentiment_trend(turns: list[Turn], last: int = 3) -> float | None:
    scores = [t.sentiment for t in turns if t.speaker == "customer" and t.sentiment is not None]
    return sum(scores[-last:]) / len(scores[-last:]) if scores else None


CARRY_ON_INTENTS = frozenset({
    "greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "inform", "out_of_scope", "nlu_fallback",
    "not_sure", "withdraw_request", "stop_notifications",
})  # fmt: skip
"""Answers and small talk: they carry a flow on, they never start one."""
ASK_FOR_PERSON_INTENTS = frozenset({"request_human", "complain"})
"""They start a flow only when no problem was named before them ("my internet is down" ... "get me a person")."""


def starting_intent(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The intent (``{name, confidence}``) of the customer turn that started the current flow: the latest turn of
    this session naming a problem, else the latest asking for a person; ``None`` when no turn was parsed."""
    session: list[dict[str, Any]] = []
    for event in events:
        session = [] if event.get("event") in ("session_started", "restart") else [*session, event]
    asked_for_person = None
    for event in reversed(session):
        intent = (event.get("parse_data") or {}).get("intent") or {} if event.get("event") == "user" else {}
        name = intent.get("name")
        if not name or name in CARRY_ON_INTENTS:
            continue
        if name not in ASK_FOR_PERSON_INTENTS:
            return {"name": name, "confidence": intent.get("confidence")}
        asked_for_person = asked_for_person or {"name": name, "confidence": intent.get("confidence")}
    return asked_for_person


def understanding(latest_message: dict[str, Any], events: list[dict[str, Any]] | None = None) -> Understanding:
    """Rasa's parse of the customer's latest message (top intent, the runners-up, entities), and the intent that
    started the flow found in the tracker's ``events``."""
    intent = latest_message.get("intent") or {}
    ranking = latest_message.get("intent_ranking") or []
    started = starting_intent(events or []) or {}
    return Understanding(
        top_intent=intent.get("name"),
        confidence=intent.get("confidence"),
        started_with=started.get("name"),
        started_confidence=started.get("confidence"),
        alternatives=[{"name": r.get("name"), "confidence": r.get("confidence")} for r in ranking[1:5]],
        entities=[{"entity": e.get("entity"), "value": e.get("value")} for e in latest_message.get("entities") or []],
    )


def understanding_at_handoff(request: HandoffRequest, tracker: dict[str, Any]) -> Understanding:
    """What the bot understood when it handed over: the request's reading of the latest message (else the
    tracker's) and the tracker's events for the intent the flow started with."""
    reading = request.understanding.model_dump() if request.understanding else None
    latest = reading or tracker.get("latest_message") or {}
    return understanding(latest, tracker.get("events") or [])


def prioritise(case: HandoffCase, repeat_of: list[str], negative_at_or_below: float) -> HandoffCase:
    """Add the gateway's priority reasons (repeat contact, sentiment, vulnerability) and set the priority.

    Urgent: a vulnerable customer, or two reasons or more; high: one reason; normal otherwise.
    """
    reasons = [PRIORITY_REASON_OF.get(r, r) for r in case.priority_reasons]
    if repeat_of:
        reasons.append("repeat_contact")
    trend = sentiment_trend(case.transcript)
    if trend is not None and trend <= negative_at_or_below:
        reasons.append("negative_sentiment")
    vulnerable = any(t.speaker == "customer" and vulnerability(t.text) for t in case.transcript)
    if vulnerable:
        reasons.append("vulnerability")
    reasons = list(dict.fromkeys(reasons))
    priority = Priority.urgent if vulnerable or len(reasons) >= 2 else Priority.high if reasons else Priority.normal
    if case.priority.rank < priority.rank:
        priority = case.priority  # the bot asked for more urgency than the gateway found: keep it
    return case.model_copy(
        update={
            "priority": priority,
            "priority_reasons": reasons,
            "contact_history": repeat_of,
            "vulnerable": vulnerable,
        }
    )


def summary(case: HandoffCase, position: int | None = None, waited_s: float | None = None) -> dict[str, Any]:
    """What a queue list shows of a case: enough to choose, nothing more."""
    return {
        "case_id": case.case_id,
        "conversation_id": case.conversation_id,
        "queue": case.queue.value,
        "priority": case.priority.value,
        "priority_reasons": case.priority_reasons,
        "reason": case.reason,
        "summary": case.summary[:300],
        "customer": case.identity.name if case.identity else None,
        "created_at": case.created_at.isoformat(),
        "status": case.status.value,
        "agent": case.agent,
        "reannounced": case.reannounced,
        "position": position,
        "waited_s": int(waited_s) if waited_s is not None else None,
    }
