"""An agent looks up an unverified customer by account or phone number, the way the bot identifies one.

The same TMF629 path as the bot's identification (``OssClient.find_customer``, the reference normalised by
``core.oss.identifiers``), then the customer's services (TMF638) listed as the bot lists them for a case.
What was found is journaled into the case as a :class:`~bot.handoff.case.DiagnosticRun` of kind
``customer_lookup`` with the calls as its evidence; no postcode, address, e-mail or phone number is shown:
the lookup finds who the customer says they are, and verifying them is still the agent's conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from bot.handoff.case import DiagnosticRun, Evidence, HandoffCase
from core.errors import Unavailable, Unprocessable
from core.oss import models as m
from core.oss.client import OssClient
from core.oss.errors import OssError, OssNotFound, OssUnavailable
from core.oss.identifiers import normalize_account, normalize_phone
from core.oss.journal import CallRecord

LookupKind = Literal["account", "phone"]
LOOKUP_KIND = "customer_lookup"
"""``DiagnosticRun.kind`` of a lookup journaled into a case."""
MAX_REF_CHARS = 40  # "+44 (0) 7700 900 123" with room for spaces; an account number is 10

MAX_SERVICES_SAID = 3  # a case summary line stays readable; the full list is in the result

KIND_WORDS: dict[str, str] = {"account": "account number", "phone": "phone number"}
EXAMPLES: dict[str, str] = {"account": "AC10000003", "phone": "07700 900003"}
SHAPES: dict[str, str] = {
    "account": "That is not an account number: AC followed by 8 digits, e.g. AC10000003.",
    "phone": "That is not a UK phone number: e.g. 07700 900003 or +44 7700 900003.",
}
_TYPED: dict[str, re.Pattern[str]] = {
    "account": re.compile(rf"[A-Za-z0-9 \-]{{1,{MAX_REF_CHARS}}}"),
    # No letters: the phone parser would read them as keypad digits ("9OO" -> 966), i.e. someone else's number.
    "phone": re.compile(rf"[0-9 +().\-]{{1,{MAX_REF_CHARS}}}"),
}
CHARACTERS: dict[str, str] = {
    "account": "An account number has only letters, digits, spaces and hyphens, e.g. AC10000003.",
    "phone": "A phone number has only digits, spaces, +, brackets and hyphens, e.g. 07700 900003.",
}


class LookupRefused(Unavailable):
    """The customer records could not answer: nothing was looked up (the audit records the attempt)."""


def normalise(kind: LookupKind, typed: str) -> str:
    """The reference as TMF629 stores it (``AC10000003``, ``+447700900003``), or :class:`Unprocessable`.

    Only the characters people type in these numbers pass: a control, bidi or other invisible character, which
    a lenient phone parser would skip, is refused rather than silently dropped.
    """
    if not _TYPED[kind].fullmatch(typed):
        raise Unprocessable(f"invalid_{kind}", CHARACTERS[kind])
    normal = normalize_account(typed) if kind == "account" else normalize_phone(typed)
    if normal is None:
        raise Unprocessable(f"invalid_{kind}", SHAPES[kind])
    return normal


def masked(kind: LookupKind, normal: str) -> str:
    """What an audit reader sees of a reference: enough to tell two apart, not enough to reuse.

    ``AC10000003`` -> ``AC******03``; ``+447700900003`` -> ``+44*******003``.
    """
    keep = 2 if kind == "account" else 3
    head = 2 if kind == "account" else 3
    return normal[:head] + "*" * (len(normal) - head - keep) + normal[-keep:]


@dataclass(frozen=True)
class CustomerView:
    """What the agent is shown of the customer: as the bot shows a verified customer in a case."""

    customer_id: str
    name: str
    status: str | None
    account_ids: tuple[str, ...]
    services: tuple[str, ...]
    """``SVC-000003-1 broadband, active, Fibre 500``: id and kind, state, plan."""
    services_unavailable: bool = False
    """The services could not be read (TMF638 down): the customer was still found."""

    def as_dict(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "name": self.name, "status": self.status,
                "account_ids": list(self.account_ids), "services": list(self.services),
                "services_unavailable": self.services_unavailable}  # fmt: skip


@dataclass
class LookupOutcome:
    kind: LookupKind
    ref: str
    """Normalised reference."""
    customer: CustomerView | None
    journal: list[CallRecord] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.customer is not None

    @property
    def summary(self) -> str:
        if self.customer is None:
            return f"No customer has the {KIND_WORDS[self.kind]} {self.ref}."
        c = self.customer
        status = f", {c.status}" if c.status else ""
        accounts = ", ".join(c.account_ids) or "no account"
        if c.services_unavailable:
            services = "services could not be read"
        elif c.services:
            more = f" and {len(c.services) - MAX_SERVICES_SAID} more" if len(c.services) > MAX_SERVICES_SAID else ""
            services = "services: " + "; ".join(c.services[:MAX_SERVICES_SAID]) + more
        else:
            services = "no services"
        return f"Found {c.name} ({c.customer_id}{status}): {accounts}; {services}."


def service_line(service: m.Service) -> str:
    """As ``actions.identity`` lists a verified customer's services for a case."""
    return ", ".join(part for part in (f"{service.id} {service.kind}", service.state, service.plan) if part)


async def look_up(client: OssClient, kind: LookupKind, ref: str) -> LookupOutcome:
    """Find the customer by a normalised ``ref``; :class:`LookupRefused` when TMF629 cannot answer.

    A customer found whose services cannot be read is still found (``services_unavailable``), as in the bot.
    """
    outcome = LookupOutcome(kind, ref, None)
    try:
        customer = await client.find_customer(ref, journal=outcome.journal)
    except OssNotFound:
        return outcome
    except OssError as exc:
        cause = exc.cause if isinstance(exc, OssUnavailable) else (exc.code or "rejected")
        raise LookupRefused(
            "customer_records_unavailable",
            f"The customer records could not be reached ({cause}); nothing was looked up or recorded. "
            "Try again in a minute.",
        ) from exc
    try:
        services = tuple(service_line(s) for s in await client.list_services(customer.id, journal=outcome.journal))
        unavailable = False
    except OssError:
        services, unavailable = (), True
    outcome.customer = CustomerView(customer.id, customer.name, customer.status, customer.account_ids, services,
                                    unavailable)  # fmt: skip
    return outcome


def compared_with_bot(case: HandoffCase, outcome: LookupOutcome) -> list[str]:
    """How the lookup relates to whom the bot verified, for the agent reading the case."""
    if outcome.customer is None:
        return ["Nobody was found: ask the customer to check the number."]
    if case.identity is None:
        return ["The bot did not verify this customer: verify them before discussing the account."]
    if case.identity.customer_id == outcome.customer.customer_id:
        return ["The same customer the bot verified."]
    return [f"Not the customer the bot verified ({case.identity.customer_id}): check who you are talking to."]


def journal_entry(case: HandoffCase, outcome: LookupOutcome, agent: str) -> DiagnosticRun:
    """The lookup as the case keeps it: the result, how it compares with the bot's identification, the calls."""
    result: dict[str, Any] = {"found": outcome.found, "by": outcome.kind, "summary": outcome.summary}
    if outcome.customer is not None:
        result["customer"] = outcome.customer.as_dict()
    return DiagnosticRun(
        at=datetime.now(UTC),
        by=agent,
        kind=LOOKUP_KIND,
        target=outcome.ref,
        result=result,
        before=None,
        changes=compared_with_bot(case, outcome),
        evidence=[Evidence.model_validate(record.as_dict()) for record in outcome.journal],
    )
