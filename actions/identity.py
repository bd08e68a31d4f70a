"""Who the customer is, checked against TMF629 before any account data is shown.

An account number or phone number, plus the postcode on the account as the verification factor. Wrong details
get a clear retry without saying which part was wrong; after three failures the form ends unverified and the
diagnosis step hands the customer to a person with the failed attempts in the case.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.lookups import Lookups
from core.oss.errors import OssError, OssNotFound, OssUnavailable
from core.oss.identifiers import account_in, normalize_postcode, phone_in
from core.policy import VERIFICATION_FAILURES

PROBLEM_TOPICS = {
    "report_internet_down": "your broadband",
    "report_slow_internet": "your broadband speed",
    "report_mobile_no_service": "your mobile service",
    "check_outage": "outages in your area",
    "bill_too_high": "your bill",
    "ask_bill": "your bill",
    "payment_problem": "your payment",
    "order_status": "your order",
    "activation_problem": "your new service",
    "ticket_status": "your fault ticket",
    "change_plan": "changing your plan",
    "cancel_service": "cancelling a service",
    "move_home": "your home move",
}
"""What each problem is called when the bot follows a change of topic ("let's look at your bill instead")."""

MAX_POSTCODE_CHARS = 7  # without spaces: "SW1A1AA"
_POSTCODE_IN_TEXT = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s?\d[a-z]{2}\b", re.IGNORECASE)


def customer_ref_in(text: str) -> str | None:
    """An account number (``AC12345678``) or a UK phone number in E.164, found anywhere in what was typed."""
    return account_in(text) or phone_in(text)


def postcode_in(text: str) -> str | None:
    """A UK postcode anywhere in ``text``; a short answer with the space in the wrong place ("b12 nd") too."""
    match = _POSTCODE_IN_TEXT.search(text)
    if match:
        return normalize_postcode(match.group(0))
    compact = re.sub(r"\s", "", text)
    return normalize_postcode(compact) if len(compact) <= MAX_POSTCODE_CHARS else None


class ActionStartProblem(Action):
    """Remember which problem the customer came with, so identification can resume it.

    A different problem while another was still being collected or answered is a change of topic: the customer
    is told the bot has followed, and the old flow is marked as left (``findings.left_flow``) for the learning
    store. What was verified and found so far stays.
    """

    def name(self) -> str:
        return "action_start_problem"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        problem = (tracker.latest_message.get("intent") or {}).get("name")
        previous = tracker.get_slot("problem")
        events: list[EventType] = [SlotSet("problem", problem), SlotSet("awaiting", None)]
        if previous and problem and previous != problem and problem in PROBLEM_TOPICS:
            dispatcher.utter_message(response="utter_switch_problem", topic=PROBLEM_TOPICS[problem])
            findings = dict(tracker.get_slot("findings") or {})
            findings["left_flow"] = previous
            events.append(SlotSet("findings", findings))
        return events


class IdentifyCustomer:
    """Slot validation shared by every form that needs to know who the customer is."""

    async def identification_slots(self, tracker: Tracker) -> list[str]:
        return [] if tracker.get_slot("verified") else ["customer_ref", "postcode"]

    async def validate_customer_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = str(value or "")
        ref = customer_ref_in(typed)
        if ref is None:
            postcode = postcode_in(typed)
            if postcode is not None:
                # The postcode came first: keep it and ask only for what is still missing.
                dispatcher.utter_message(response="utter_have_postcode_need_ref")
                return {"customer_ref": None, "postcode": postcode}
            dispatcher.utter_message(response="utter_not_a_customer_ref")
            return {"customer_ref": None}
        postcode = postcode_in(tracker.get_slot("postcode") or "")
        if postcode is None or "postcode" in tracker.slots_to_validate():
            return {"customer_ref": ref}  # verified once the postcode is validated
        return await self._verify(ref, postcode, dispatcher, tracker)

    async def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = str(value or "")
        postcode = postcode_in(typed)
        if postcode is None:
            other_ref = customer_ref_in(typed)
            if other_ref is not None and tracker.active_loop_name != "area_form":
                # A different account or phone number in answer to "what's the postcode": use it instead.
                dispatcher.utter_message(response="utter_have_ref_need_postcode")
                return {"customer_ref": other_ref, "postcode": None}
            dispatcher.utter_message(response="utter_not_a_postcode")
            return {"postcode": None}
        if tracker.get_slot("verified") or tracker.active_loop_name == "area_form":
            return {"postcode": postcode}
        ref = customer_ref_in(tracker.get_slot("customer_ref") or "")
        if ref is None:
            return {"postcode": postcode}  # verified once the account or phone number is validated
        return await self._verify(ref, postcode, dispatcher, tracker)

    async def _verify(
        self, ref: str, postcode: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        lookups = Lookups(tracker)
        try:
            customer = await lookups.client.find_customer(ref, journal=lookups.journal)
        except OssNotFound:
            customer = None
        except OssUnavailable:
            dispatcher.utter_message(response="utter_customer_records_unreachable")
            return {
                "customer_ref": ref,
                "postcode": postcode,
                "verified": False,
                **lookups.slots(oss_unavailable="customerManagement"),
            }
        if customer is not None and customer.postcode_matches(postcode):
            method = "account number" if ref.startswith("AC") else "phone number"
            identity = {
                "customer_id": customer.id,
                "name": customer.name,
                "account_ids": list(customer.account_ids),
                "method": f"{method} + postcode",
                "verified_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "failed_attempts": int(tracker.get_slot("verification_failures") or 0),
                "services": await _services_of(lookups, customer.id),
            }
            if customer.name:
                dispatcher.utter_message(response="utter_identity_confirmed", first_name=customer.name.split()[0])
            else:
                dispatcher.utter_message(response="utter_identity_confirmed_unnamed")
            return {
                "customer_ref": ref,
                "postcode": postcode,
                "verified": True,
                "identity": identity,
                **lookups.slots(),
            }
        failures = int(tracker.get_slot("verification_failures") or 0) + 1
        if failures >= VERIFICATION_FAILURES:
            dispatcher.utter_message(response="utter_details_still_do_not_match")
            return {
                "customer_ref": ref,
                "postcode": postcode,
                "verified": False,
                "verification_failures": failures,
                **lookups.slots(),
            }
        # Keep the number and re-ask only the postcode; which part was wrong is not said, so the answer does not
        # tell a stranger whether an account number exists.
        tries_left = VERIFICATION_FAILURES - failures
        if tries_left == 1:
            dispatcher.utter_message(response="utter_details_do_not_match_last_try")
        else:
            dispatcher.utter_message(response="utter_details_do_not_match", tries=str(tries_left))
        return {"customer_ref": ref, "postcode": None, "verification_failures": failures, **lookups.slots()}


class ValidateIdentifyForm(IdentifyCustomer, FormValidationAction):
    def name(self) -> str:
        return "validate_identify_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return await self.identification_slots(tracker)


class ValidateAreaForm(IdentifyCustomer, FormValidationAction):
    def name(self) -> str:
        return "validate_area_form"


async def _services_of(lookups: Lookups, customer_id: str) -> list[str]:
    """The customer's services for the person a case may reach ("SVC-1 broadband, active, Fibre 500"); the
    lookup is in the evidence like any other, and a failure leaves the list empty without stopping the chat."""
    try:
        services = await lookups.client.list_services(customer_id, journal=lookups.journal)
    except OssError:
        return []
    return [", ".join(part for part in (f"{s.id} {s.kind}", s.state, s.plan) if part) for s in services]
