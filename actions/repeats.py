"""The same paragraph is never sent twice: a second identical answer asks what is missing instead, and the
question the first one asked stays open (a "that's wrong" after it still reaches the team it offered)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

MIN_REPEAT_CHARS = 40  # short lines ("Thanks Sam, that's you confirmed.") may fairly be said again
PERSON_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}
# A {variable} of a response, as Rasa 3.6's interpolate_text finds it (rasa/core/nlg/interpolator.py).
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


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


def rendered(message: dict[str, Any], tracker: Tracker, domain: DomainDict) -> str:
    """The text Rasa will send for a dispatched message: its text, or its domain.yml response filled in as Rasa
    fills it (slots, then the message's variables; the first variation: these responses have one)."""
    if message.get("text"):
        return str(message["text"])
    variations = (domain.get("responses") or {}).get(str(message.get("response") or "")) or [{}]
    values = {**tracker.slots, **{k: v for k, v in message.items() if v is not None}}
    template = str(variations[0].get("text") or "")
    return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), template)


def avoid_repeating(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> bool:
    """Replace this turn's answer when it repeats a paragraph of the last one; True when it did."""
    before = previous_bot_texts(tracker)
    texts = [rendered(m, tracker, domain).strip() for m in dispatcher.messages]
    repeated = [text for text in texts if len(text) >= MIN_REPEAT_CHARS and text in before]
    if not repeated:
        return False
    kept: list[dict[str, Any]] = [m for m in dispatcher.messages if m.get("custom")]  # a handoff still happens
    dispatcher.messages.clear()
    dispatcher.utter_message(response="utter_already_said", buttons=[PERSON_BUTTON])
    dispatcher.messages.extend(kept)
    return True
