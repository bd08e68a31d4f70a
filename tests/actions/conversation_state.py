"""Build rasa_sdk trackers the way Rasa sends them to the action server, and run actions on them."""

from __future__ import annotations

import re
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from core.settings import PROJECT_ROOT

DOMAIN: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")  # a {variable} of a response, as Rasa 3.6 finds it


def user_event(intent: str, text: str = "", entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    parse = {"intent": {"name": intent, "confidence": 0.97}, "entities": entities or [], "text": text}
    return {"event": "user", "text": text, "parse_data": parse}


def tracker(
    slots: dict[str, Any] | None = None,
    intents: list[str] | None = None,
    text: str = "",
    entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    requested_slot: str | None = None,
) -> Tracker:
    """A tracker whose customer said ``intents`` in turn; the last one is the latest message."""
    intents = intents or ["greet"]
    events: list[dict[str, Any]] = [{"event": "session_started"}]
    events += [user_event(name, text if i == len(intents) - 1 else "") for i, name in enumerate(intents)]
    all_slots: dict[str, Any] = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested_slot
    latest = events[-1]["parse_data"] | {"entities": entities or []}
    loop = {"name": active_loop} if active_loop else {}
    return Tracker("test-conversation", all_slots, latest, events, False, None, loop, "action_listen")


async def run(action: Action, state: Tracker) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, state, DOMAIN)
    return list(events), dispatcher


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def said(message: dict[str, Any]) -> str:
    """What the customer reads of one dispatched message: its text, or its domain.yml response filled in (a
    variable the action did not pass is a KeyError here, where Rasa would send the ``{placeholder}``)."""
    if message.get("text"):
        return str(message["text"])
    name = message.get("response")
    if not name:
        return ""
    template = str(DOMAIN["responses"][name][0]["text"])
    return template.format(**{k: v for k, v in message.items() if isinstance(v, str)})


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(said(m) for m in dispatcher.messages)


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    """The domain.yml responses the action sent, in order (what a customer reads is decided by these names)."""
    return [str(m["response"]) for m in dispatcher.messages if m.get("response")]


def variables(dispatcher: CollectingDispatcher, response: str) -> dict[str, str]:
    """The values the action filled into ``response`` (the first time it was sent)."""
    message = next(m for m in dispatcher.messages if m.get("response") == response)
    template = str(DOMAIN["responses"][response][0]["text"])
    return {name: str(message[name]) for name in PLACEHOLDER.findall(template)}


def handoff(dispatcher: CollectingDispatcher) -> dict[str, Any] | None:
    for message in dispatcher.messages:
        custom = message.get("custom") or {}
        if "handoff" in custom:
            return dict(custom["handoff"])
    return None
