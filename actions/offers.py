"""Offers the bot makes and keeps: "say so and I'll pass it to our billing team", "shall I pass you to sales?".

Whatever offer the bot made is in the ``awaiting`` slot; the rules in data/rules/offers.yml send every reasonable
answer that takes it up ("that engineer charge is wrong", "no", "its NOT right!!!", "yes please") here, so the
promise is kept by the same action whatever the words.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.escalation import escalate

YES_NO_SALES = [{"title": "Yes, pass me to sales", "payload": "/affirm"}, {"title": "No thanks", "payload": "/deny"}]


class ActionTakeOffer(Action):
    """The customer took up the offer in ``awaiting``: do what was promised."""

    def name(self) -> str:
        return "action_take_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        offer = tracker.get_slot("awaiting")
        said = str(tracker.latest_message.get("text") or "").strip()
        if offer == "billing_dispute":
            findings = tracker.get_slot("findings") or {}
            reasons = ", ".join(str(r) for r in findings.get("bill_reasons") or []) or "see findings"
            return escalate(
                dispatcher,
                tracker,
                "billing_dispute",
                f"The customer disputes their bill after the bot explained it ({reasons}). They said: {said[:300]}",
                queue="billing",
                next_action="Ask which charge is wrong (the bot's explanation is in the transcript), check it against "
                "the bill and correct or explain it.",
            )
        if offer == "sales_offer":
            return escalate(
                dispatcher,
                tracker,
                "sales_enquiry",
                f"The customer has a sales question: {said[:300]}" if said else "The customer has a sales question.",
                queue="sales",
                next_action="Answer the sales question in the transcript.",
            )
        return escalate(dispatcher, tracker, "customer_request", "The customer accepted the offer of a person.")


class ActionHandleSales(Action):
    """Buying questions ("do you sell iPhones") are for the sales team: say so and offer them, no complaint flow."""

    def name(self) -> str:
        return "action_handle_sales"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_offer_sales", buttons=YES_NO_SALES)
        return [SlotSet("awaiting", "sales_offer")]


class ActionDeclineOffer(Action):
    """No to an offer: nothing happens, and the customer hears what they can do next."""

    def name(self) -> str:
        return "action_decline_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        offer = tracker.get_slot("awaiting")
        dispatcher.utter_message(response="utter_glad_explained" if offer == "billing_dispute" else "utter_what_else")
        return [SlotSet("awaiting", None)]
