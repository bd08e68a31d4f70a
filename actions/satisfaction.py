"""Marking the bot's messages that conclude a problem, so the customer's page asks "How did we do?".

The action that concludes (the home fix worked, the bill explained was right, a plain "no" to "anything
else?" after a problem was handled) adds one custom payload after its words::

    {"survey": {"v": 1, "id": "bot-<16 hex>", "model_id": "<the Rasa model that answered>"}}

The gateway keeps it as an offered survey of that conversation (``bot.chat.surveys``), and the page asks.
A survey is offered once per problem the bot handled: not after a greeting only, not twice for the same
end, and not for a problem that went to a person (the agent's end asks instead).
"""

from __future__ import annotations

import secrets
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

SURVEY_VERSION = 1
PROBLEM_WORK = frozenset(
    {
        "action_diagnose",
        "action_check_outage",
        "action_home_fix_result",
        "action_notify_when_restored",
        "action_submit_change_request",
    }
)
"""Actions that mean the bot worked on the customer's problem: a conclusion after one of these is worth asking
about; a conclusion after a greeting only is not."""


def model_id_of(tracker: Tracker) -> str | None:
    """The Rasa model answering now: Rasa stamps every event's metadata with it; the latest one says."""
    for event in reversed(tracker.events):
        metadata = event.get("metadata") or {}
        if isinstance(metadata, dict) and metadata.get("model_id"):
            return str(metadata["model_id"])
    return None


def _offers_survey(event: dict[str, Any]) -> bool:
    data = event.get("data") or {}
    custom = data.get("custom") if isinstance(data, dict) else None
    return event.get("event") == "bot" and isinstance(custom, dict) and "survey" in custom


def handled_since_last_survey(tracker: Tracker) -> bool:
    """Whether the bot worked on a problem since the last survey (or the session start), and no person took it
    over since: a handoff's end is asked about by the agent's own survey."""
    handled = False
    for event in tracker.events:
        kind = event.get("event")
        if kind == "session_started" or _offers_survey(event):
            handled = False
        elif kind == "action" and event.get("name") in PROBLEM_WORK:
            handled = True
        elif kind == "slot" and event.get("name") == "escalation" and event.get("value"):
            handled = False
    return handled


def survey_payload(tracker: Tracker) -> dict[str, Any]:
    survey: dict[str, Any] = {"v": SURVEY_VERSION, "id": f"bot-{secrets.token_hex(8)}"}
    if model_id := model_id_of(tracker):
        survey["model_id"] = model_id
    return {"survey": survey}


def ask_how_we_did(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Offer the survey after the bot's concluding words, when the bot handled a problem since the last one
    was offered; return whether it was offered."""
    if not handled_since_last_survey(tracker):
        return False
    dispatcher.utter_message(json_message=survey_payload(tracker))
    return True
