"""Plan changes, cancellations and home moves: the bot collects what a person needs and hands over.

The bot does not pretend to complete these transactions: pricing, retention offers and move dates are
agreed by the sales, retention and moves teams.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.escalation import escalate
from actions.identity import IdentifyCustomer

QUESTIONS = {"change_plan": "utter_ask_plan_change", "cancel_service": "utter_ask_cancellation",
             "move_home": "utter_ask_home_move"}  # fmt: skip
MIN_DETAIL_CHARS = 3


class ActionAskChangeDetails(Action):
    def name(self) -> str:
        return "action_ask_change_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response=QUESTIONS.get(tracker.get_slot("problem") or "", "utter_ask_change"))
        return []


class ValidateChangeRequestForm(IdentifyCustomer, FormValidationAction):
    def name(self) -> str:
        return "validate_change_request_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [*await self.identification_slots(tracker), "change_details", "change_when"]

    async def validate_change_details(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) < MIN_DETAIL_CHARS:
            dispatcher.utter_message(response="utter_ask_more_detail")
            return {"change_details": None}
        return {"change_details": text}

    async def validate_change_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"change_when": str(value or "").strip() or None}


class ActionSubmitChangeRequest(Action):
    def name(self) -> str:
        return "action_submit_change_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        problem = (tracker.get_slot("problem") or "change_plan").replace("_", " ")
        details, when = tracker.get_slot("change_details"), tracker.get_slot("change_when")
        findings = dict(tracker.get_slot("findings") or {})
        findings.update(request=problem, details=details, when=when)
        tracker.slots["findings"] = findings
        if not tracker.get_slot("verified"):
            dispatcher.utter_message(response="utter_team_will_check_details")
        dispatcher.utter_message(response="utter_team_has_what_it_needs")
        return escalate(
            dispatcher,
            tracker,
            "account_change",
            f"Customer asks to {problem}: {details} (when: {when}).",
            next_action=f"Complete the {problem} request and confirm the date with the customer.",
        )
