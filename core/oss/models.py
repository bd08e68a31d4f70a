"""Typed results of the client: what the dialogue needs from each TMF resource, nothing more.

Amounts are :class:`~decimal.Decimal` GBP; times are timezone-aware UTC datetimes; speeds are Mbps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from core.oss.identifiers import same_postcode

ACTIVE_ALARM_STATES = frozenset({"raised", "updated"})
CUSTOMER_REPORTED = "customer-reported"
"""The probable cause of the alarms the network sensor raises (issue 21): a suspicion from a surge of
contacts, not a fault the network reported, so the dialogue never tells it as a known outage."""
OPEN_TICKET_STATES = frozenset({"acknowledged", "pending", "held", "inProgress"})
PENDING_ORDER_STATES = frozenset({"acknowledged", "pending", "held", "inProgress", "partial"})


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "GBP"

    def __str__(self) -> str:
        sign = "-" if self.amount < 0 else ""
        symbol = "£" if self.currency == "GBP" else f"{self.currency} "
        return f"{sign}{symbol}{abs(self.amount):.2f}"


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    status: str | None
    account_ids: tuple[str, ...]
    phones: tuple[str, ...]
    """E.164 numbers."""
    email: str | None
    postcode: str | None
    address: str | None

    def postcode_matches(self, typed: str) -> bool:
        return same_postcode(typed, self.postcode)


@dataclass(frozen=True)
class BillingAccount:
    id: str
    name: str | None
    state: str | None
    payment_status: str | None
    balance: Money | None
    credit_limit: Money | None
    customer_id: str | None


@dataclass(frozen=True)
class Service:
    id: str
    name: str | None
    kind: str
    """``broadband``, ``mobile`` or ``tv``."""
    state: str | None
    area: str | None
    postcode: str | None
    node: str | None
    technology: str | None
    plan: str | None
    contracted_down_mbps: float | None = None
    min_guaranteed_mbps: float | None = None
    msisdn: str | None = None
    sim_status: str | None = None
    barring: str | None = None
    characteristics: Mapping[str, object] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.state == "active"


@dataclass(frozen=True)
class Alarm:
    id: str
    severity: str | None
    state: str | None
    service_affecting: bool
    raised_at: datetime | None
    estimated_restoration: datetime | None
    areas: tuple[str, ...]
    nodes: tuple[str, ...]
    """Nodes named by the alarm; empty for an area-wide alarm."""
    problem: str | None
    planned: bool = False
    affected_service_ids: tuple[str, ...] = ()
    probable_cause: str | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_ALARM_STATES

    @property
    def customer_reported(self) -> bool:
        """Raised by the network sensor from customers' contacts, not by the network itself."""
        return self.probable_cause == CUSTOMER_REPORTED

    def affects(self, service: Service) -> bool:
        """An active service-affecting alarm on the service's node, or on its whole area."""
        if not (self.active and self.service_affecting):
            return False
        if service.id in self.affected_service_ids:
            return True
        if self.nodes:
            return service.node in self.nodes
        return service.area in self.areas


@dataclass(frozen=True)
class TestMeasure:
    name: str
    value: object
    unit: str | None
    violated: bool


@dataclass(frozen=True)
class ServiceTestResult:
    id: str
    service_id: str | None
    specification: str | None
    state: str | None
    result: str | None
    """``pass``, ``fail`` or ``degraded``."""
    fault_location: str | None
    """``none``, ``customerPremisesEquipment``, ``homeWiring``, ``accessLine``, ``network``, ``sim``, ``account``
    or ``provisioning``."""
    summary: str | None
    measures: tuple[TestMeasure, ...]
    started_at: datetime | None
    ended_at: datetime | None

    @property
    def passed(self) -> bool:
        return self.result == "pass"

    def measure(self, name: str) -> TestMeasure | None:
        return next((m for m in self.measures if m.name == name), None)


@dataclass(frozen=True)
class Bill:
    id: str
    bill_no: str | None
    bill_date: datetime | None
    period_start: datetime | None
    period_end: datetime | None
    amount_due: Money
    remaining: Money | None
    state: str | None
    due_date: datetime | None
    account_id: str | None


@dataclass(frozen=True)
class BillItem:
    id: str
    bill_id: str | None
    name: str
    description: str | None
    kind: str | None
    """``recurringCharge``, ``oneTimeCharge`` or ``usageCharge``."""
    amount: Money
    product_id: str | None
    product_name: str | None
    period_start: datetime | None
    period_end: datetime | None
    characteristics: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Payment:
    id: str
    account_id: str | None
    date: datetime | None
    amount: Money | None
    status: str | None
    reason: str | None
    """Why it failed (``insufficientFunds``...), when it did."""
    description: str | None
    method: str | None
    bill_id: str | None

    @property
    def failed(self) -> bool:
        return self.status in {"failed", "denied", "canceled"}


@dataclass(frozen=True)
class OrderItem:
    id: str
    action: str | None
    state: str | None
    offering: str | None


@dataclass(frozen=True)
class ProductOrder:
    id: str
    state: str | None
    description: str | None
    ordered_at: datetime | None
    expected_completion: datetime | None
    fallout_step: str | None
    """``creditCheck``, ``numberPort``, ``provisioning``, ``appointment`` or ``shipping``."""
    fallout_reason: str | None
    fallout_since: datetime | None
    items: tuple[OrderItem, ...]

    @property
    def pending(self) -> bool:
        return self.state in PENDING_ORDER_STATES

    def overdue(self, now: datetime) -> bool:
        """Still pending after its expected completion date (an activation stuck in progress)."""
        return self.pending and self.expected_completion is not None and self.expected_completion < now


@dataclass(frozen=True)
class TicketNote:
    author: str | None
    date: datetime | None
    text: str


@dataclass(frozen=True)
class TroubleTicket:
    id: str
    status: str | None
    severity: str | None
    ticket_type: str | None
    description: str | None
    created_at: datetime | None
    expected_resolution: datetime | None
    notes: tuple[TicketNote, ...]
    customer_id: str | None
    service_ids: tuple[str, ...]

    @property
    def open(self) -> bool:
        return self.status in OPEN_TICKET_STATES

    def past_sla(self, now: datetime) -> bool:
        return self.open and self.expected_resolution is not None and self.expected_resolution < now


@dataclass(frozen=True)
class TicketDraft:
    """A ticket the dialogue opens; ``severity`` is Critical, Major or Minor."""

    customer_id: str
    description: str
    severity: str = "Minor"
    ticket_type: str = "incident"
    service_id: str | None = None
    note: str | None = None
    name: str | None = None
