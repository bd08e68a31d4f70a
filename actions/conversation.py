"""Turns the bot did not understand, or that are outside what it does, and complaints: never a dead end."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.escalation import escalate

UNCLEAR_INTENTS = {"nlu_fallback", "out_of_scope"}
UNCLEAR_IN_A_ROW_TO_ESCALATE = 2
COMPLAINTS_TO_ESCALATE = 2

WHAT_I_CAN_DO: list[dict[str, str]] = [
    {"title": "Broadband problem", "payload": "/report_internet_down"},
    {"title": "Mobile problem", "payload": "/report_mobile_no_service"},
    {"title": "Outage near me?", "payload": "/check_outage"},
    {"title": "My bill", "payload": "/ask_bill"},
    {"title": "My order", "payload": "/order_status"},
    {"title": "Talk to a person", "payload": "/request_human"},
]


def user_intents(tracker: Tracker) -> list[str]:
    """Intent names of the customer's turns in this session, oldest first."""
    names: list[str] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            names = []
        elif event.get("event") == "user":
            names.append(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")
    return names


def trailing_count(names: list[str], wanted: set[str]) -> int:
    count = 0
    for name in reversed(names):
        if name not in wanted:
            break
        count += 1
    return count


class ActionHandleUnclear(Action):
    def name(self) -> str:
        return "action_handle_unclear"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if trailing_count(user_intents(tracker), UNCLEAR_INTENTS) >= UNCLEAR_IN_A_ROW_TO_ESCALATE:
            dispatcher.utter_message(text="I'm sorry, I'm not getting this right.")
            return escalate(
                dispatcher,
                tracker,
                "repeated_fallback",
                "The bot did not understand the customer twice in a row; read the transcript for what they need.",
            )
        latest = (tracker.latest_message.get("intent") or {}).get("name")
        if latest == "out_of_scope":
            text = (
                "That's not something I can help with here. I can check broadband and mobile problems, "
                "outages, bills and payments, orders and fault tickets, or get you a person."
            )
        else:
            text = (
                "Sorry, I didn't quite get that. Could you put it another way? For example "
                '"my broadband keeps dropping" or "why is my bill higher this month".'
            )
        buttons: list[dict[str, Any]] = list(WHAT_I_CAN_DO)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionHandleComplaint(Action):
    def name(self) -> str:
        return "action_handle_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        complaints = user_intents(tracker).count("complain")
        if complaints >= COMPLAINTS_TO_ESCALATE:
            dispatcher.utter_message(text="I hear you, and I'm sorry. This needs a person, not me.")
            return escalate(
                dispatcher,
                tracker,
                "repeated_complaint",
                f"The customer complained {complaints} times in this conversation.",
                next_action="Acknowledge the complaint, check the contact history, and agree a concrete next step.",
            )
        dispatcher.utter_message(
            text="I'm sorry you've had a bad experience. Tell me what went wrong and I'll check it right now, "
            'or say "person" and I\'ll get you someone.'
        )
        return []
