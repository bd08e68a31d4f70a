"""Who the customer is, checked against TMF629 before any account data is shown.

An account number or phone number, plus the postcode on the account as the verification factor. Wrong details
get a clear retry without saying which part was wrong; after three failures the form ends unverified and the
diagnosis step hands the customer to a person with the failed attempts in the case.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.lookups import Lookups
from actions.oss.errors import OssError, OssNotFound, OssUnavailable
from actions.oss.identifiers import normalize_account, normalize_phone, normalize_postcode
from actions.policy import VERIFICATION_FAILURES

_ACCOUNT_IN_TEXT = re.compile(r"\bac\s?\d{8}\b", re.IGNORECASE)
_PHONE_IN_TEXT = re.compile(r"(?:\+44\s?|0044\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")
_POSTCODE_IN_TEXT = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s?\d[a-z]{2}\b", re.IGNORECASE)


def customer_ref_in(text: str) -> str | None:
    """An account number (``AC12345678``) or a UK phone number in E.164, found anywhere in what was typed."""
    if match := _ACCOUNT_IN_TEXT.search(text):
        return normalize_account(match.group(0))
    if match := _PHONE_IN_TEXT.search(text):
        return normalize_phone(match.group(0))
    return None


def postcode_in(text: str) -> str | None:
    match = _POSTCODE_IN_TEXT.search(text)
    return normalize_postcode(match.group(0)) if match else None


class ActionStartProblem(Action):
    """Remember which problem the customer came with, so identification can resume it."""

    def name(self) -> str:
        return "action_start_problem"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        problem = (tracker.latest_message.get("intent") or {}).get("name")
        return [SlotSet("problem", problem), SlotSet("awaiting", None)]


class IdentifyCustomer:
    """Slot validation shared by every form that needs to know who the customer is."""

    async def identification_slots(self, tracker: Tracker) -> list[str]:
        return [] if tracker.get_slot("verified") else ["customer_ref", "postcode"]

    async def validate_customer_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        ref = customer_ref_in(str(value or ""))
        if ref is None:
            dispatcher.utter_message(
                text="That doesn't look like an account number (AC followed by 8 digits, like AC12345678) "
                "or a UK phone number. Could you check it and type it again?"
            )
            return {"customer_ref": None}
        postcode = postcode_in(tracker.get_slot("postcode") or "")
        if postcode is None or "postcode" in tracker.slots_to_validate():
            return {"customer_ref": ref}  # verified once the postcode is validated
        return await self._verify(ref, postcode, dispatcher, tracker)

    async def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        postcode = postcode_in(str(value or ""))
        if postcode is None:
            dispatcher.utter_message(
                text="That doesn't look like a UK postcode (like M1 1AE). Could you type it again?"
            )
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
            dispatcher.utter_message(
                text="I can't reach our customer records right now, so I can't check your details."
            )
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
                "verified_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "failed_attempts": int(tracker.get_slot("verification_failures") or 0),
                "services": await _services_of(lookups, customer.id),
            }
            first_name = customer.name.split()[0] if customer.name else "there"
            dispatcher.utter_message(text=f"Thanks {first_name}, that's you confirmed.")
            return {
                "customer_ref": ref,
                "postcode": postcode,
                "verified": True,
                "identity": identity,
                **lookups.slots(),
            }
        failures = int(tracker.get_slot("verification_failures") or 0) + 1
        if failures >= VERIFICATION_FAILURES:
            dispatcher.utter_message(text="I'm sorry, those details still don't match what we hold.")
            return {
                "customer_ref": ref,
                "postcode": postcode,
                "verified": False,
                "verification_failures": failures,
                **lookups.slots(),
            }
        dispatcher.utter_message(
            text="Those details don't match what we hold. Let's try again: please check the number and the postcode."
        )
        return {"customer_ref": None, "postcode": None, "verification_failures": failures, **lookups.slots()}


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
