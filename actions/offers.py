"""Offers the bot makes and keeps: "say so and I'll pass it to our billing team", "shall I pass you to sales?".

Whatever offer the bot made is in the ``awaiting`` slot; the rules in data/rules/offers.yml send every reasonable
answer that takes it up ("that engineer charge is wrong", "no", "its NOT right!!!", "yes please") here, so the
promise is kept by the same action whatever the words.
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.escalation import escalate
from actions.glossary import BILL_CHANGES
from actions.satisfaction import ask_how_we_did

CUSTOMER_LINES = 3  # of the customer's own words in a dispute's summary
PLAIN_NO_WORDS = 3  # "no", "no thanks", "nope that's all": the answer to "anything else?"
BILL_IS_WRONG = re.compile(r"\b(wrong|not right|isn'?t right|incorrect|mistake|overcharg\w*|refund|dispute)\b", re.I)
"""Short answers that still say the bill is wrong ("that's wrong", "not right"), not a plain "no"."""
BILLING = {"bill_too_high", "ask_bill", "payment_problem"}
PERSON = {"title": "Talk to a person", "payload": "/request_human"}
YES_NO_SALES = [{"title": "Yes, pass me to sales", "payload": "/affirm"}, {"title": "No thanks", "payload": "/deny"}]


class ActionTakeOffer(Action):
    """The customer took up the offer in ``awaiting``: do what was promised."""

    def name(self) -> str:
        return "action_take_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        offer = tracker.get_slot("awaiting") or offer_of(tracker)
        said = " / ".join(customer_lines(tracker))
        if offer == "billing_dispute":
            return billing_dispute(dispatcher, tracker, said)
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


def customer_lines(tracker: Tracker, last: int = CUSTOMER_LINES) -> list[str]:
    """The customer's last few messages, oldest first: "NO. its wrong" alone tells the agent nothing."""
    lines = [str(e.get("text") or "").strip() for e in tracker.events if e.get("event") == "user"]
    return [line[:200] for line in lines if line and not line.startswith("/")][-last:]


def offer_of(tracker: Tracker) -> str | None:
    """The offer a customer is taking up after the question was closed: a bill explained in this session."""
    findings = tracker.get_slot("findings") or {}
    return "billing_dispute" if findings.get("bill_reasons") and tracker.get_slot("problem") in BILLING else None


def disputes_bill_at_text_offer(tracker: Tracker) -> bool:
    """At the offer of a text about a bill investigation (``awaiting: outage_notification``), the customer says
    the bill is wrong ("no, that charge is wrong") rather than only no to the text: the billing team offered in
    the same message (``utter_incident_investigating_bill_disputable``) gets it, as after any bill explained."""
    if tracker.get_slot("awaiting") != "outage_notification" or offer_of(tracker) != "billing_dispute":
        return False
    said = str(tracker.latest_message.get("text") or "")
    if said.startswith("/"):
        return False  # a button: "No thanks" to the text
    return len(said.split()) > PLAIN_NO_WORDS or BILL_IS_WRONG.search(said) is not None


def billing_dispute(dispatcher: CollectingDispatcher, tracker: Tracker, said: str) -> list[EventType]:
    findings = tracker.get_slot("findings") or {}
    reasons = ", ".join(BILL_CHANGES.get(str(r), str(r)) for r in findings.get("bill_reasons") or []) or "see findings"
    return escalate(
        dispatcher,
        tracker,
        "billing_dispute",
        f"The customer disputes their bill after the bot explained it ({reasons}). They said: {said[:600]}",
        queue="billing",
        next_action="The customer's words above say which charge they dispute: check it against the bill and "
        "correct or explain it.",
    )


class ActionHandleNo(Action):
    """ "No" with no question open: a plain "no" to "anything else?" ends the chat; a "no, that's wrong" about
    a bill just explained goes to the billing team that was offered; anything else is asked what isn't right."""

    def name(self) -> str:
        return "action_handle_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        said = str(tracker.latest_message.get("text") or "")
        if len(said.split()) <= PLAIN_NO_WORDS or said.startswith("/"):
            dispatcher.utter_message(response="utter_goodbye")
            ask_how_we_did(dispatcher, tracker)  # the chat ends here: asked if the bot handled a problem
            return []
        if offer_of(tracker) == "billing_dispute":
            return billing_dispute(dispatcher, tracker, " / ".join(customer_lines(tracker)))
        dispatcher.utter_message(response="utter_what_is_not_right", buttons=[PERSON])
        return []


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
        if offer == "billing_dispute":
            ask_how_we_did(dispatcher, tracker)  # the bill explained was right: resolved by the bot
        return [SlotSet("awaiting", None)]
