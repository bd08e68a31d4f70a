"""Turns the bot did not understand, or that are outside what it does, and complaints: never a dead end."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.escalation import escalate
from actions.policy import COMPLAINTS, UNCLEAR_IN_A_ROW

UNCLEAR_INTENTS = {"nlu_fallback", "out_of_scope"}
SUGGESTION_MIN_CONFIDENCE = 0.2  # below this the model's guess is noise, not worth a "did you mean"

INTENT_TITLES = {
    "report_internet_down": "My internet isn't working",
    "report_slow_internet": "My internet is slow or drops",
    "report_mobile_no_service": "My mobile has no service",
    "check_outage": "Is there an outage near me?",
    "bill_too_high": "My bill is higher than expected",
    "ask_bill": "My bill or balance",
    "payment_problem": "A payment problem",
    "order_status": "Where is my order?",
    "activation_problem": "My new service isn't active",
    "ticket_status": "An update on my fault ticket",
    "change_plan": "Change my plan",
    "cancel_service": "Cancel a service",
    "move_home": "I'm moving home",
    "complain": "I want to complain",
}
YES_NO: list[dict[str, str]] = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]

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


def suggestions(tracker: Tracker) -> list[dict[str, str]]:
    """Buttons for the model's best guesses at what a fallback message meant (its ranking is kept)."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    guesses = [r["name"] for r in ranking if r.get("name") in INTENT_TITLES
               and r.get("confidence", 0) >= SUGGESTION_MIN_CONFIDENCE][:2]  # fmt: skip
    return [{"title": INTENT_TITLES[name], "payload": f"/{name}"} for name in guesses]


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
        if trailing_count(user_intents(tracker), UNCLEAR_INTENTS) >= UNCLEAR_IN_A_ROW:
            dispatcher.utter_message(text="I'm sorry, I'm not getting this right.")
            return escalate(
                dispatcher,
                tracker,
                "repeated_fallback",
                "The bot did not understand the customer twice in a row; read the transcript for what they need.",
            )
        latest = (tracker.latest_message.get("intent") or {}).get("name")
        if latest == "nlu_fallback" and tracker.get_slot("awaiting"):
            dispatcher.utter_message(text="Sorry, I didn't catch that. Was that a yes or a no?", buttons=YES_NO)
            return []
        guesses = suggestions(tracker) if latest == "nlu_fallback" else []
        if guesses:
            dispatcher.utter_message(
                text="Sorry, I'm not sure I got that. Did you mean one of these? Or put it another way.",
                buttons=[*guesses, {"title": "Talk to a person", "payload": "/request_human"}],
            )
            return []
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
        dispatcher.utter_message(text=text, buttons=list(WHAT_I_CAN_DO))
        return []


class ActionHandleComplaint(Action):
    def name(self) -> str:
        return "action_handle_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        complaints = user_intents(tracker).count("complain")
        if complaints >= COMPLAINTS:
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
