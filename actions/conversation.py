"""Turns the bot did not understand, or that are outside what it does, and complaints: never a dead end."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.escalation import escalate
from actions.identity import PROBLEM_TOPICS
from actions.offers import billing_dispute, customer_lines, disputes_bill_at_text_offer
from core.policy import COMPLAINTS, UNCLEAR_IN_A_ROW, problem_named_in

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
PERSON = {"title": "Talk to a person", "payload": "/request_human"}
REASK = {"home_fix": "utter_reask_home_fix"}
COMPLAINT_PROBLEM_MIN_CONFIDENCE = 0.15  # a problem this likely beside "complain" is what the complaint is about
FORM_OF_PROBLEM = {"check_outage": "area_form", "change_plan": "change_request_form",
                   "cancel_service": "change_request_form", "move_home": "change_request_form"}  # fmt: skip

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
            # Not understood twice: a person is offered, not imposed (core/policy.py lists what escalates
            # without asking). The offer is a button, so it needs no understanding to take up.
            dispatcher.utter_message(response="utter_offer_person_unclear", buttons=[PERSON, *WHAT_I_CAN_DO[:-1]])
            return []
        latest = (tracker.latest_message.get("intent") or {}).get("name")
        if latest == "nlu_fallback" and tracker.get_slot("awaiting"):
            dispatcher.utter_message(response="utter_yes_or_no", buttons=YES_NO)
            return []
        guesses = suggestions(tracker) if latest == "nlu_fallback" else []
        if guesses:
            dispatcher.utter_message(response="utter_did_you_mean", buttons=[*guesses, PERSON])
            return []
        dispatcher.utter_message(
            response="utter_out_of_scope" if latest == "out_of_scope" else "utter_put_it_another_way",
            buttons=list(WHAT_I_CAN_DO),
        )
        return []


class ActionHandleComplaint(Action):
    """A complaint is acknowledged; one about a fault ("oh brilliant, internet down AGAIN") goes straight to
    checking that fault; a second complaint is frustration and reaches a person. "That charge is wrong!" when
    offered a text about a bill investigation takes up the billing team offered with it."""

    def name(self) -> str:
        return "action_handle_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if disputes_bill_at_text_offer(tracker):  # "that charge is wrong!" when offered a text: the billing team
            return billing_dispute(dispatcher, tracker, " / ".join(customer_lines(tracker)))
        complaints = user_intents(tracker).count("complain")
        if complaints >= COMPLAINTS:
            dispatcher.utter_message(response="utter_complaint_needs_a_person")
            return escalate(
                dispatcher,
                tracker,
                "repeated_complaint",
                f"The customer complained {complaints} times in this conversation.",
                next_action="Acknowledge the complaint, check the contact history, and agree a concrete next step.",
            )
        problem = complained_about(tracker)
        if problem is not None and not tracker.active_loop_name:
            dispatcher.utter_message(response="utter_sorry_checking", topic=PROBLEM_TOPICS[problem])
            return [
                SlotSet("problem", problem),
                SlotSet("awaiting", None),
                FollowupAction(FORM_OF_PROBLEM.get(problem, "identify_form")),
            ]
        dispatcher.utter_message(response="utter_sorry_tell_me")
        return []


def complained_about(tracker: Tracker) -> str | None:
    """The problem a complaint is about: one the model also saw in it (its ranking), else the words that name a
    problem area ("internet down AGAIN" is about broadband). The classifier is trained to be sure of ``complain``
    for sarcasm, so its runners-up are often near zero; the words are the reliable signal."""
    for entry in tracker.latest_message.get("intent_ranking") or []:
        name = entry.get("name")
        if name in PROBLEM_TOPICS and float(entry.get("confidence") or 0) >= COMPLAINT_PROBLEM_MIN_CONFIDENCE:
            return str(name)
    return problem_named_in(str(tracker.latest_message.get("text") or ""))


class ActionHandleNotSure(Action):
    """ "Not sure yet", "can't tell till tonight": the question stays open, the customer is told how to come
    back, and nobody is handed to a person for it. The same chat, reopened within the session (twelve hours),
    still holds the question; a hello then is asked it again (:class:`ActionReaskDeferred`)."""

    def name(self) -> str:
        return "action_handle_not_sure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        awaiting = tracker.get_slot("awaiting")
        if tracker.active_loop_name:
            dispatcher.utter_message(response="utter_not_sure_in_form")
            return []
        if not awaiting:
            dispatcher.utter_message(response="utter_not_sure_nothing_asked")
            return []
        # The question stays open either way; only trying the home fix later gets its own words.
        dispatcher.utter_message(
            response="utter_not_sure_home_fix" if awaiting == "home_fix" else "utter_not_sure_keep_open"
        )
        findings = dict(tracker.get_slot("findings") or {})
        findings["deferred"] = awaiting
        return [SlotSet("findings", findings)]


class ActionHandleWithdrawal(Action):
    """ "Cancel that", "I don't need a person any more": the request is dropped and the bot carries on with what
    it knew. The gateway has already taken a waiting case out of the queue (``metadata.withdrawn_case``);
    ``findings.withdrawn_from_queue`` tells the learning store the customer withdrew."""

    def name(self) -> str:
        return "action_handle_withdrawal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [SlotSet("awaiting", None)]
        problem = tracker.get_slot("problem")
        topic = PROBLEM_TOPICS.get(problem or "")
        # The gateway takes a waiting case out of the queue and names it here; without that, the customer was not
        # waiting for anyone (any earlier case was answered or closed), and only the request in hand is dropped.
        withdrawn_case = (tracker.latest_message.get("metadata") or {}).get("withdrawn_case")
        if withdrawn_case:
            findings = dict(tracker.get_slot("findings") or {})
            findings["withdrawn_from_queue"] = str(withdrawn_case)
            events += [SlotSet("escalation", None), SlotSet("findings", findings)]
            dispatcher.utter_message(response="utter_withdrawn_from_queue")
        else:
            dispatcher.utter_message(response="utter_request_withdrawn")
        if topic and tracker.get_slot("verified"):
            dispatcher.utter_message(response="utter_still_have_details", topic=topic)
        else:
            dispatcher.utter_message(response="utter_what_else")
        return events


class ActionReaskDeferred(Action):
    """The customer who said "I'll try later" comes back and says hello: ask the open question again."""

    def name(self) -> str:
        return "action_reask_deferred"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        awaiting = str(tracker.get_slot("awaiting") or "")
        topic = PROBLEM_TOPICS.get(str(tracker.get_slot("problem") or ""), "your problem")
        dispatcher.utter_message(response=REASK.get(awaiting, "utter_reask_question"), topic=topic, buttons=YES_NO)
        return []
