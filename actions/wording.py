"""What customers read: plain English for the codes OSS/BSS systems answer with, and sentences that start right.

No code, enum name or identifier of a system ("instructionCancelled", "inProgress") reaches a customer: a
known code has its words here, and an unknown one is spelled out ("someNewCode" -> "some new code") rather
than shown raw.
"""

from __future__ import annotations

import re

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


def sentences(parts: list[str]) -> str:
    """Parts joined as sentences, each starting with a capital letter and ending with a full stop."""
    done = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        part = part[0].upper() + part[1:]
        done.append(part if part[-1] in ".!?" else part + ".")
    return " ".join(done)
