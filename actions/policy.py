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
