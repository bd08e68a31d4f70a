"""The escalation policy in one place: when the bot hands a customer to a person, to which team, how urgently.

``ESCALATION_REASONS`` names every reason, split into what the customer asked for or agreed to and what hands
them over without asking (frustration, failed verification, OSS/BSS down, a fault only a person can fix).

Triggers that fire inside a diagnosis (order fall-out, duplicate charge, ticket past SLA, line fault with an
open ticket, OSS/BSS unreachable...) are the diagnosis modules' reason codes; the counts and routing below
decide everything else.
"""

from __future__ import annotations

import re

UNCLEAR_IN_A_ROW = 2
"""Fallbacks or out-of-scope turns in a row before a person is offered (a button; not imposed)."""
COMPLAINTS = 2
"""A repeated complaint is frustration: a person, with high priority."""
VERIFICATION_FAILURES = 3
"""Failed identifications before a person verifies the customer instead."""

# Every reason the bot hands a customer to a person, and why it may. A customer is never handed over for an
# answer the bot did not understand or a "not sure yet": only when they asked or agreed, or when one of the
# situations below means the bot cannot go on. Whoever is queued can still withdraw ("cancel that", or the
# page's button), except where the reason is marked as a person having to act on the account.
ASKED_OR_AGREED = {
    "customer_request": "the customer asked for a person, or took up the offer of one",
    "billing_dispute": "the customer said the explained bill is wrong, after the bot offered the billing team",
    "sales_enquiry": "the customer took up the offer of the sales team",
    "account_change": "a plan change, cancellation or move the customer described, which a person completes",
    "assistant_unavailable": "Rasa did not answer and the customer chose a person or a ticket (the gateway's)",
}
AUTOMATIC = {
    # frustration
    "repeated_complaint": "a second complaint in one conversation",
    "negative_sentiment": "the customer's last turns read as upset (the gateway's trigger, bot/handoff)",
    # failed verification
    "verification_failed": f"{VERIFICATION_FAILURES} failed identifications: a person verifies another way",
    # OSS/BSS down or answering wrongly
    "oss_unavailable": "a system the diagnosis needs did not answer",
    "oss_error": "a system answered in a way the flow cannot use",
    # the diagnosis found something only a person can fix
    "fault_with_open_ticket": "a line fault that already has an open ticket: chase it",
    "home_fix_failed": "the home fix did not help and the re-test needs an engineer or new router",
    "sim_not_provisioned": "the SIM is not provisioned on the network",
    "barred_for_non_payment": "the line is barred: the payment must be taken by billing",
    "order_fallout": "an order fell out of provisioning",
    "activation_stuck": "an order is past its completion date",
    "ticket_past_sla": "a fault ticket is past its promised date",
    "duplicate_charge": "a duplicate charge: a refund needs a person",
    "no_account_found": "no billing account on the customer record",
    "no_service_found": "no service of that kind in the inventory",
    "bot_cannot_finish": "no automated flow exists for the request",
}
ESCALATION_REASONS = {**ASKED_OR_AGREED, **AUTOMATIC}
"""docs/triage.md lists these; a test checks every reason the actions use is here."""

# Which team takes which problem; anything else goes to the general queue.
QUEUE_BY_PROBLEM = {
    "report_internet_down": "technical",
    "report_slow_internet": "technical",
    "report_mobile_no_service": "technical",
    "check_outage": "technical",
    "bill_too_high": "billing",
    "ask_bill": "billing",
    "payment_problem": "billing",
    "order_status": "orders",
    "activation_problem": "orders",
    "ticket_status": "technical",
    "change_plan": "sales",
    "cancel_service": "retention",
    "move_home": "moves",
}

# Reasons whose cases jump the queue, whatever the problem.
HIGH_PRIORITY_REASONS = frozenset({"ticket_past_sla", "repeated_complaint"})

# What an agent should do first when the bot's own diagnosis named no next step, by escalation reason.
NEXT_ACTION_BY_REASON = {
    "customer_request": "Greet the customer and confirm the problem from the transcript and findings; do not ask "
    "again for what the bot already has.",
    "bot_cannot_finish": "Read the transcript: the bot has no automated flow for this request, so handle it "
    "directly and log the gap in the disposition.",
    "repeated_fallback": "The bot did not understand the customer twice: answer their last messages in the "
    "transcript first.",
    "oss_unavailable": "Our systems did not answer the bot: re-run the diagnostic from the console and continue "
    "from its result.",
    "oss_error": "A lookup failed during the diagnosis: re-run it from the console and check the evidence.",
    "billing_dispute": "The customer says something on the bill the bot explained is wrong: ask which charge, "
    "check it and correct or explain it.",
    "sales_enquiry": "Answer the customer's sales question from the transcript.",
}


def next_action_for(reason: str, has_findings: bool) -> str | None:
    """The default next step for ``reason``; a customer who asked for a person mid-diagnosis gets "continue"."""
    if reason == "customer_request" and has_findings:
        return "Continue from what the bot found (findings and evidence below): the customer asked for a person."
    return NEXT_ACTION_BY_REASON.get(reason)


PROBLEM_WORDS = [
    (re.compile(r"\b(outages?|power cut)\b", re.I), "check_outage"),
    (re.compile(r"\b(internet|broadband|wi-?fi|router|connection|online)\b", re.I), "report_internet_down"),
    (re.compile(r"\b(signal|mobile|no service|calls?|texts?|4g|5g|sim)\b", re.I), "report_mobile_no_service"),
    (re.compile(r"\b(bills?|charged?|charges|overcharg\w*|direct debit|payments?)\b", re.I), "bill_too_high"),
    (re.compile(r"\b(orders?|delivery|delivered|installation|activat\w*)\b", re.I), "order_status"),
    (re.compile(r"\b(engineers?|ticket|fault|fixed|repair\w*)\b", re.I), "ticket_status"),
]
"""Words that name a problem area in what a customer says (a complaint, "someone about my bill"), most
specific first."""


def problem_named_in(text: str) -> str | None:
    """The problem area the customer's words name, if any."""
    return next((problem for words, problem in PROBLEM_WORDS if words.search(text)), None)
