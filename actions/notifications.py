"""Outage notifications: the customer asked to be told when the fault in their area is cleared.

After the outage offer (``awaiting: outage_notification``): yes, from a verified customer with a mobile on
record, subscribes a text and the web chat; yes from anyone else asks which mobile to text, or to be told in
the chat (``awaiting: notify_number``); no subscribes nothing. The subscription (``notify``) is kept in
Redis keyed by the alarm in ``findings["alarm"]``; the notifier process sends when the alarm clears. The key may
instead be a suspected incident's (``incident:<id>``, ``actions.sensor``): the customer then hears when the
investigation ends, and is told so. ``findings["notification"]`` records what was subscribed, with a pseudonym for
the number, never the number.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from redis.asyncio import Redis
from redis.exceptions import RedisError

from actions.lookups import Lookups
from actions.offers import billing_dispute, customer_lines, disputes_bill_at_text_offer
from core.oss.errors import OssError
from core.pseudonyms import pseudonym
from core.redis.connect import connect
from core.settings import get_settings
from notify import phone
from notify.subscriptions import Subscription, SubscriptionsFull, SubscriptionStore

log = logging.getLogger(__name__)

# The offer of a text when a fault is cleared or an investigation ends (awaiting: outage_notification).
TEXT_ME: list[dict[str, str]] = [{"title": "Yes please", "payload": "/affirm"},
                                 {"title": "No thanks", "payload": "/deny"}]  # fmt: skip
INCIDENT_KEY_PREFIX = "incident:"  # core.contracts.sensor.Incident.notify_key
# A suspected incident ends when the investigation does, not when a fault is cleared: its own words.
INCIDENT_DONE = {"utter_will_notify_sms": "utter_will_notify_sms_incident",
                 "utter_will_notify_chat": "utter_will_notify_chat_incident"}  # fmt: skip


def intent_of(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def typed_number(tracker: Tracker) -> str:
    """The ``phone_number`` entity if the NLU found one, else the whole message (phonenumbers reads it)."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "phone_number" and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return str(tracker.latest_message.get("text") or "")


def subscriptions(redis: Redis) -> SubscriptionStore:
    settings = get_settings()
    return SubscriptionStore(redis, settings.notify_ttl_s, settings.notify_max_per_alarm)


def redis_client() -> Redis:
    """A client per action run: cheap next to the lookups, and never tied to another run's event loop."""
    return connect(get_settings().effective_redis_url, socket_timeout=3, socket_connect_timeout=3)


async def subscribe(tracker: Tracker, alarm_id: str, mobile: str | None) -> dict[str, Any] | None:
    """Keep the subscription; return what to record in ``findings``, or ``None`` when it could not be kept."""
    channels = ("chat", "sms") if mobile else ("chat",)
    sub = Subscription(alarm_id=alarm_id, conversation_id=tracker.sender_id, channels=channels, sms_to=mobile)
    redis = redis_client()
    try:
        await subscriptions(redis).subscribe(sub)
    except (RedisError, OSError, SubscriptionsFull) as exc:
        log.warning("notify: cannot subscribe conversation to alarm %s: %s", alarm_id, type(exc).__name__)
        return None
    finally:
        await redis.aclose()
    record: dict[str, Any] = {"alarm": alarm_id, "channels": list(channels), "subscribed_at": sub.created_at}
    if mobile:
        secret = get_settings().learning_pseudonym_secret.get_secret_value()
        record["sms_to"] = pseudonym(secret, mobile)
    return record


async def mobile_on_record(tracker: Tracker, lookups: Lookups) -> str | None:
    """The verified customer's mobile number from TMF629, or ``None`` (not verified, none held, or unreachable)."""
    if not tracker.get_slot("verified"):
        return None
    customer_id = (tracker.get_slot("identity") or {}).get("customer_id")
    if not customer_id:
        return None
    try:
        customer = await lookups.client.get_customer(str(customer_id), journal=lookups.journal)
    except OssError:
        return None
    return next((p for p in customer.phones if phone.is_mobile(p)), None)


class ActionNotifyWhenRestored(Action):
    def name(self) -> str:
        return "action_notify_when_restored"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        findings = dict(tracker.get_slot("findings") or {})
        alarm_id = findings.get("alarm")
        intent = intent_of(tracker)
        asking_number = tracker.get_slot("awaiting") == "notify_number"
        lookups = Lookups(tracker)
        events: list[EventType] = [SlotSet("awaiting", None)]
        if intent == "deny" and disputes_bill_at_text_offer(tracker):
            return billing_dispute(dispatcher, tracker, " / ".join(customer_lines(tracker)))
        if intent == "deny" or not alarm_id:
            findings["notification"] = {"alarm": alarm_id, "declined": True}
            dispatcher.utter_message(response="utter_no_notification")
            return [*events, SlotSet("findings", findings)]
        if asking_number:
            mobile = phone.mobile_e164(typed_number(tracker))
            if mobile is None and intent != "affirm":
                landline = phone.any_phone(typed_number(tracker))
                dispatcher.utter_message(
                    response="utter_notify_number_landline" if landline else "utter_notify_number_invalid"
                )
                return [SlotSet("awaiting", "notify_number")]
            shown = phone.national(mobile) if mobile else None
        else:
            mobile = await mobile_on_record(tracker, lookups)
            if mobile is None:
                dispatcher.utter_message(response="utter_ask_notify_number")
                return [SlotSet("awaiting", "notify_number"), *self._evidence(lookups)]
            shown = phone.masked(mobile)
        record = await subscribe(tracker, str(alarm_id), mobile)
        if record is None:
            dispatcher.utter_message(response="utter_notify_unavailable")
            findings["notification"] = {"alarm": alarm_id, "failed": True}
        elif mobile:
            dispatcher.utter_message(response=self._done("utter_will_notify_sms", alarm_id), number=shown)
            findings["notification"] = record
        else:
            dispatcher.utter_message(response=self._done("utter_will_notify_chat", alarm_id))
            findings["notification"] = record
        return [*events, *self._evidence(lookups), SlotSet("findings", findings)]

    @staticmethod
    def _done(response: str, alarm_id: object) -> str:
        return INCIDENT_DONE[response] if str(alarm_id).startswith(INCIDENT_KEY_PREFIX) else response

    @staticmethod
    def _evidence(lookups: Lookups) -> list[EventType]:
        return [SlotSet("evidence", lookups.slots()["evidence"])] if lookups.journal else []


class ActionStopNotifications(Action):
    """ "Stop alerts": remove every subscription of this conversation."""

    def name(self) -> str:
        return "action_stop_notifications"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        redis = redis_client()
        try:
            stopped = await subscriptions(redis).stop(tracker.sender_id)
        except (RedisError, OSError) as exc:
            log.warning("notify: cannot stop subscriptions: %s", type(exc).__name__)
            dispatcher.utter_message(response="utter_notify_stop_failed")
            return []
        finally:
            await redis.aclose()
        findings = dict(tracker.get_slot("findings") or {})
        if not stopped:
            dispatcher.utter_message(response="utter_no_notifications_to_stop")
            return []
        findings["notification"] = {**(findings.get("notification") or {}), "stopped": stopped}
        dispatcher.utter_message(response="utter_notify_stopped")
        return [SlotSet("findings", findings)]
