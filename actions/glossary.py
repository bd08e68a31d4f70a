"""Words for the codes and values the OSS/BSS systems answer with, filled into domain.yml responses.

The sentences customers read live in domain.yml; what goes into their ``{variables}`` is either a value
(an amount, a date, a reference) or one of these words. No code, enum name or identifier of a system
("instructionCancelled", "inProgress") reaches a customer: a known code has its words here, and an unknown one
is spelled out ("someNewCode" -> "some new code") rather than shown raw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from core.oss.billdiff import BillChange

PAYMENT_FAILURES = {
    "insufficientFunds": "there weren't enough funds in the account",
    "mandateCancelled": "the Direct Debit was cancelled at the bank",
    "instructionCancelled": "the Direct Debit instruction was cancelled at the bank",
    "accountClosed": "the bank account is closed",
    "cardExpired": "the card had expired",
    "referToPayer": "the bank refused it",
}
ORDER_STATES = {
    "acknowledged": "received",
    "inProgress": "in progress",
    "pending": "waiting to start",
    "held": "on hold",
    "assessingCancellation": "being checked for cancellation",
    "pendingCancellation": "being cancelled",
    "cancelled": "cancelled",
    "completed": "complete",
    "failed": "failed",
    "partial": "partly done",
    "rejected": "rejected",
}
ORDER_STEPS = {
    "creditCheck": "the credit check",
    "numberPort": "moving your number from your old provider",
    "provisioning": "setting up the service on our network",
    "appointment": "booking the engineer appointment",
    "shipping": "sending out your equipment",
}
TICKET_STATES = {"acknowledged": "logged", "inProgress": "being worked on", "pending": "waiting on an update",
                 "held": "on hold", "resolved": "resolved", "closed": "closed"}  # fmt: skip
FAULT_PLACES = {"accessLine": "on the line between your home and the exchange", "network": "in our network"}
SYSTEM_NAMES = {
    "customerManagement": "customer records",
    "accountManagement": "account system",
    "serviceInventory": "service records",
    "alarmManagement": "network monitoring",
    "serviceTestManagement": "line test system",
    "customerBillManagement": "billing system",
    "paymentManagement": "payments system",
    "productOrderingManagement": "order system",
    "troubleTicket": "fault ticket system",
}
BILL_CHANGES = {
    "roaming": "roaming charges",
    "oneOffCharge": "a one-off charge",
    "duplicateCharge": "a charge that appears twice",
    "planChange": "a plan change part-way through the month (charged pro rata)",
    "priceChange": "a price change",
    "usage": "more usage than last month",
    "newService": "a new service",
    "removedService": "a service that ended",
}
# What a change that made the bill go DOWN is called, where it differs.
BILL_DROPS = {
    "usage": "less usage than last month",
    "roaming": "less roaming than last month",
    "priceChange": "a price reduction",
    "oneOffCharge": "a one-off credit",
}
UNNAMED_FAULT = "network outage"  # an alarm without a problem text
UNNAMED_ORDER = "your order"  # an order without a description
UNNAMED_TICKET = "fault"  # a ticket without a description
UNKNOWN_STEP = "one of the order steps"  # an order held without a fall-out note
DEFAULT_SYSTEM = "systems"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def spelled_out(code: str) -> str:
    """A code nobody mapped, as words: ``someNewCode`` -> ``some new code``, ``NOT_FOUND`` -> ``not found``."""
    return _CAMEL.sub(" ", code).replace("_", " ").strip().lower()


def payment_failure(code: str | None) -> str:
    if not code:
        return "the bank did not say why"
    return PAYMENT_FAILURES.get(code) or f"the bank said: {spelled_out(code)}"


def order_state(code: str | None) -> str:
    if not code:
        return "in progress"
    return ORDER_STATES.get(code) or spelled_out(code)


def fault_place(location: str) -> str:
    return FAULT_PLACES.get(location, "on your line")


def ticket_state(code: str | None) -> str:
    if not code:
        return "open"
    return TICKET_STATES.get(code) or spelled_out(code)


def bill_change(kind: str, amount: Decimal) -> str:
    """What a change of the bill is called, up (``amount`` >= 0) or down."""
    words = BILL_CHANGES if amount >= 0 else {**BILL_CHANGES, **BILL_DROPS}
    return words.get(kind) or spelled_out(kind)


def money(amount: Decimal) -> str:
    """An amount as customers read it: always positive, the sentence says "more" or "less"."""
    return f"£{abs(amount):.2f}"


def bill_change_lines(changes: Sequence[BillChange]) -> str:
    """The bulleted lines of "Here's why:", one change each: what, by how much, up or down, and the bill's words.

    A list of any length cannot be one response; each line's words come from here and ``BillChange``."""
    lines = []
    for change in changes:
        what = bill_change(change.kind, change.amount)
        direction = "more" if change.amount >= 0 else "less"
        lines.append(f"• {what[0].upper()}{what[1:]}: {money(change.amount)} {direction} ({change.description})")
    return "\n".join(lines)


def moment(at: datetime) -> str:
    """``Tuesday 2 December at 14:00``."""
    return at.strftime("%A %-d %B at %H:%M")


def day(at: datetime) -> str:
    """``Tuesday 2 December``."""
    return at.strftime("%A %-d %B")


def date(at: datetime) -> str:
    """``2 December``."""
    return at.strftime("%-d %B")
