"""The same paragraph is never sent twice: a second identical answer asks what is missing instead, and the
question the first one asked stays open (a "that's wrong" after it still reaches the team it offered)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

MIN_REPEAT_CHARS = 40  # short lines ("Thanks Sam, that's you confirmed.") may fairly be said again
PERSON_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}


def previous_bot_texts(tracker: Tracker) -> set[str]:
    """What the bot has said in this session before the customer's latest message: a customer who asks again
    after a "goodbye" or a detour is not sent the same paragraph again either."""
    texts: set[str] = set()
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            break
        if kind == "bot" and event.get("text"):
            texts.add(str(event["text"]).strip())
    return texts


def avoid_repeating(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Replace this turn's answer when it repeats a paragraph of the last one; True when it did."""
    before = previous_bot_texts(tracker)
    repeated = [
        m for m in dispatcher.messages
        if len(str(m.get("text") or "")) >= MIN_REPEAT_CHARS and str(m.get("text")).strip() in before
    ]  # fmt: skip
    if not repeated:
        return False
    kept: list[dict[str, Any]] = [m for m in dispatcher.messages if m.get("custom")]  # a handoff still happens
    dispatcher.messages.clear()
    dispatcher.utter_message(response="utter_already_said", buttons=[PERSON_BUTTON])
    dispatcher.messages.extend(kept)
    return True
