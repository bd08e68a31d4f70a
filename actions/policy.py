"""The escalation policy in one place: when the bot hands a customer to a person, to which team, how urgently.

Triggers that fire inside a diagnosis (order fall-out, duplicate charge, ticket past SLA, line fault with an
open ticket, OSS/BSS unreachable...) are the diagnosis modules' reason codes; the counts and routing below
decide everything else.
"""

from __future__ import annotations

UNCLEAR_IN_A_ROW = 2
"""Fallbacks or out-of-scope turns in a row before a person takes over."""
COMPLAINTS = 2
"""A repeated complaint is frustration: a person, with high priority."""
VERIFICATION_FAILURES = 3
"""Failed identifications before a person verifies the customer instead."""

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
}


def next_action_for(reason: str, has_findings: bool) -> str | None:
    """The default next step for ``reason``; a customer who asked for a person mid-diagnosis gets "continue"."""
    if reason == "customer_request" and has_findings:
        return "Continue from what the bot found (findings and evidence below): the customer asked for a person."
    return NEXT_ACTION_BY_REASON.get(reason)
