"""Words a product owner reads for the store's codes: triggers, channels, flows, outcomes and root causes.

Pages show these labels; filters, exports and the JSON API keep the codes (they are stable identifiers).
"""

from __future__ import annotations

from bot.insights.findings import words

TRIGGERS = {
    "nlu_fallback": "Bot did not understand",
    "low_confidence": "Bot was unsure",
    "out_of_scope": "Outside what the bot does",
    "escalation": "Handed to an agent",
    "abandoned": "Customer left mid-flow",
    "oss_failure": "Network or billing system failed",
    "agent_disposition": "Agent's verdict",
    "withdrawn": "Customer left the agent queue",
}
# The gateway relays its web chat (and its plain HTTP message API, which sends the same metadata) through
# Rasa's REST channel, so "rest" is the web chat as customers see it.
CHANNELS = {
    "rest": "web chat",
    "socketio": "web chat",
    "web": "web chat",
    "cmdline": "Rasa shell (testing)",
}
FLOWS = {
    "report_internet_down": "Internet down",
    "report_slow_internet": "Slow internet",
    "report_mobile_no_service": "No mobile service",
    "check_outage": "Outage check",
    "bill_too_high": "Bill too high",
    "ask_bill": "Bill question",
    "payment_problem": "Payment problem",
    "order_status": "Order status",
    "activation_problem": "Activation problem",
    "ticket_status": "Fault ticket status",
    "change_plan": "Change of plan",
    "cancel_service": "Cancellation",
    "move_home": "Home move",
    "identify_form": "Identification",
    "area_form": "Outage check (area)",
    "change_request_form": "Change request",
}
ROOT_CAUSES = {
    "bot_understanding": "Bot did not understand",
    "bot_flow_missing": "Bot has no flow for it",
    "oss_data": "Network data wrong or missing",
    "bss_data": "Billing, order or account data wrong or missing",
    "product_policy": "Product or policy gap",
    "customer_specific": "Specific to this customer",
    "other": "Other",
}
OUTCOMES = {
    "open": "still open",
    "escalated": "handed to an agent",
    "abandoned": "customer left mid-flow",
    "resolved": "resolved by the bot",
    "ended": "customer said goodbye",
}
"""A conversation's state in the learning store (:class:`learning.records.Outcome`)."""
INTENTS = {"nlu_fallback": "not understood", "out_of_scope": "outside what the bot does"}
NO_FLOW = "No problem named"


def _readable(code: str) -> str:
    text = words(code)
    return text[:1].upper() + text[1:]


def trigger(code: str) -> str:
    return TRIGGERS.get(code) or _readable(code)


def channel(code: str | None) -> str:
    return CHANNELS.get(code or "") or (words(code) if code else "unknown channel")


def flow(code: str | None) -> str:
    return FLOWS.get(code or "") or (_readable(code) if code else NO_FLOW)


def root_cause(code: str | None) -> str:
    return ROOT_CAUSES.get(code or "") or (_readable(code) if code else "not given")


def outcome(code: str | None) -> str:
    return OUTCOMES.get(code or "") or (words(code) if code else "unknown")


def intent(code: str | None) -> str:
    """Intent names stay as they are (they are the NLU's vocabulary), except the two that mean "no intent"."""
    return INTENTS.get(code or "") or str(code)
