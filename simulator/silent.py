"""Silent faults: a node whose customers' tests fail, or an area whose bills gain a line, and no alarm says so.

Issue 21's sensor has to find what the network does not report, so the simulator can break things quietly.
Set through the admin API (``simulator.routers.admin``); they belong to the seeded data, so a reset clears them.

* ``<node>`` with ``{"kind": "line" | "registration", "fault_location": "network" | "accessLine"}``: every
  TMF653 test of that kind (line test: exchange, cabinet or fibre head-end; registration check: cell) on a
  service hanging off the node (its ``networkNode`` characteristic) fails at ``fault_location``, whatever the
  line's own state; nothing is raised in TMF642. A real outage alarm on the node still explains its tests first.
* ``bill:<area>`` with ``{"kind": "bill", "line": ..., "amount": ..., "charge": "oneTime" | "recurring"}``:
  the latest bill of every account in the area gains a line item named ``line`` of ``amount`` GBP (VAT
  included), and the bill's totals, the payment that settled it and any outstanding balance rise by as much,
  so comparing the latest two bills (``core.oss`` ``compare_latest_bills``) names the line: a one-off charge
  described ``line``, or a new recurring charge ``New charges for <line>``. Clearing puts every resource back.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from simulator.apis import CUSTOMER_BILL
from simulator.bodies import Name
from simulator.errors import bad_request, not_found
from simulator.seed.catalog import VAT_RATE
from simulator.seed.model import Line, Person
from simulator.seed.network import AREAS_BY_CODE, NODE_AREAS
from simulator.seed.tmf import Json, characteristic, gbp, iso, pennies

if TYPE_CHECKING:
    from simulator.store import Store

BILL_PREFIX = "bill:"
TESTED_KIND = {"line": "broadband", "registration": "mobile"}
"""Fault kind -> the kind of service whose tests it breaks."""
NODE_TYPES = {"line": ("EX", "CAB", "OLT"), "registration": ("CELL",)}
MAX_RATE_NUMBER = 999
"""Line item ids end in up to three digits (``BILL-000001-3-12``)."""


class NodeFaultSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["line", "registration"]
    fault_location: Literal["network", "accessLine"] = "network"


class BillFaultSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["bill"]
    line: Name
    amount: Annotated[Decimal, Field(gt=0, le=1000, max_digits=6, decimal_places=2, allow_inf_nan=False)]
    """GBP, VAT included."""
    charge: Literal["oneTime", "recurring"] = "oneTime"


CUSTOMERS_LISTED = 50


class SilentFaultBody(RootModel[Annotated[NodeFaultSpec | BillFaultSpec, Field(discriminator="kind")]]):
    """The body of ``PUT /admin/silent-faults/{id}``, told apart by ``kind``."""


@dataclass
class SilentFault:
    id: str
    area: str
    spec: NodeFaultSpec | BillFaultSpec
    since: datetime
    affected: int
    """Services whose tests now fail, or accounts whose latest bill changed."""
    customers: list[Json] = field(default_factory=list)
    """Account number and postcode of the customers behind a node fault (the first ``CUSTOMERS_LISTED``), so a
    demo or a test can chat as them."""
    originals: dict[tuple[str, str], Json | None] = field(default_factory=dict)
    """(collection, id) -> the resource before the fault changed it; ``None`` for one the fault added."""

    def body(self) -> Json:
        spec = self.spec
        common: Json = {"id": self.id, "kind": spec.kind, "area": self.area, "since": iso(self.since)}
        if isinstance(spec, NodeFaultSpec):
            return {**common, "node": self.id, "fault_location": spec.fault_location, "services": self.affected,
                    "customers": self.customers}  # fmt: skip
        return {**common, "line": spec.line, "amount": float(spec.amount), "charge": spec.charge,
                "accounts": self.affected}  # fmt: skip


class SilentFaults:
    """The silent faults set on one store, by id (the node, or ``bill:<area>``)."""

    def __init__(self) -> None:
        self.faults: dict[str, SilentFault] = {}

    def location_for(self, line: Line) -> str | None:
        """The fault location a test of ``line`` must report, when a silent fault sits on its node."""
        fault = self.faults.get(line.node)
        if fault is None or not isinstance(fault.spec, NodeFaultSpec):
            return None
        return fault.spec.fault_location if TESTED_KIND[fault.spec.kind] == line.kind else None


def check_target(fault_id: str) -> None:
    """404 unless ``fault_id`` names a node of the network or ``bill:<area>`` of a known area."""
    if fault_id.startswith(BILL_PREFIX):
        area = fault_id.removeprefix(BILL_PREFIX)
        if area not in AREAS_BY_CODE:
            raise not_found("area", area[:40])
    elif fault_id not in NODE_AREAS:
        raise not_found("node", fault_id[:40])


def set_fault(store: Store, fault_id: str, spec: NodeFaultSpec | BillFaultSpec) -> SilentFault:
    """Set (or replace) the silent fault ``fault_id``; 400 when the kind does not fit the target."""
    check_target(fault_id)
    now = datetime.now(UTC)
    if isinstance(spec, BillFaultSpec):
        if not fault_id.startswith(BILL_PREFIX):
            raise bad_request("INCOMPATIBLE_FAULT", f"a bill fault is set on bill:<area>, not on node {fault_id}")
        area = fault_id.removeprefix(BILL_PREFIX)
        clear_fault(store, fault_id)
        fault = SilentFault(fault_id, area, spec, now, 0)
        fault.affected = _add_bill_line(store, fault, spec)
    else:
        _check_node_fault(fault_id, spec)
        clear_fault(store, fault_id)
        behind = [(person, line) for person, line in store.lines.values() if line.node == fault_id]
        tested = [(person, line) for person, line in behind if line.kind == TESTED_KIND[spec.kind]]
        customers = [{"account_id": person.account_id, "postcode": person.postcode, "service": line.id}
                     for person, line in tested[:CUSTOMERS_LISTED]]  # fmt: skip
        fault = SilentFault(fault_id, NODE_AREAS[fault_id].code, spec, now, len(tested), customers=customers)
    store.silent.faults[fault_id] = fault
    return fault


def clear_fault(store: Store, fault_id: str) -> bool:
    """Clear one silent fault, putting back what it changed; ``False`` when none was set."""
    fault = store.silent.faults.pop(fault_id, None)
    if fault is None:
        return False
    for (resource, ident), original in fault.originals.items():
        if original is None:
            store[resource].remove(ident)
        else:
            store[resource].put(original)
    return True


def clear_all(store: Store) -> None:
    for fault_id in list(store.silent.faults):
        clear_fault(store, fault_id)


def _check_node_fault(node: str, spec: NodeFaultSpec) -> None:
    if node.split("-", 1)[0] not in NODE_TYPES[spec.kind]:
        wanted = "an exchange, cabinet or fibre head-end" if spec.kind == "line" else "a cell"
        raise bad_request("INCOMPATIBLE_FAULT", f"a {spec.kind} fault is set on {wanted}, not on {node}")
    if spec.kind == "registration" and spec.fault_location != "network":
        raise bad_request("INCOMPATIBLE_FAULT", "a registration fault is located in the network")


def _add_bill_line(store: Store, fault: SilentFault, spec: BillFaultSpec) -> int:
    """Add the fault's line to the latest bill of every account in its area; the number of accounts changed."""
    people: dict[str, Person] = {p.customer_id: p for p, _ in store.lines.values() if p.area.code == fault.area}
    # Every lookup before the first change: a change drops the collections' indexes, and rebuilding them per
    # account would make a big area's fault slow.
    plans: list[tuple[Json, list[Json], list[Json]]] = []
    for person in sorted(people.values(), key=lambda p: p.index):
        bills = store["customerBill"].lookup("billingAccount.id", person.account_id)
        if bills:
            latest = max(bills, key=lambda b: str(b["billDate"]))
            rates = store["appliedCustomerBillingRate"].lookup("bill.id", str(latest["id"]))
            plans.append((latest, rates, store["payment"].lookup("correlatorId", str(latest["id"]))))
    return sum(_add_to_bill(store, fault, spec, *plan) for plan in plans)


def _add_to_bill(
    store: Store, fault: SilentFault, spec: BillFaultSpec, latest: Json, rates: list[Json], payments: list[Json]
) -> bool:
    bill_id = str(latest["id"])
    number = 1 + max((int(str(r["id"]).rsplit("-", 1)[1]) for r in rates), default=0)
    if not rates or number > MAX_RATE_NUMBER:
        return False
    rate = copy.deepcopy(rates[0])
    rate_id = f"{bill_id}-{number}"
    excluded = pennies(spec.amount / (1 + VAT_RATE))
    rate.update(
        id=rate_id,
        href=store.hrefs(CUSTOMER_BILL, "appliedCustomerBillingRate", rate_id),
        name=spec.line,
        description=spec.line,
        type="oneTimeCharge" if spec.charge == "oneTime" else "recurringCharge",
        taxIncludedAmount=gbp(spec.amount),
        taxExcludedAmount=gbp(excluded),
        appliedTax=[{"taxCategory": "VAT", "taxRate": float(VAT_RATE), "taxAmount": gbp(spec.amount - excluded)}],
        characteristic=[characteristic("oneOff", True)] if spec.charge == "oneTime" else [],
    )
    if spec.charge == "recurring":
        rate["product"] = {"id": f"PRD-EXTRA-{_slug(spec.line)}", "name": spec.line, "@referredType": "Product"}
    _replace(store, fault, "appliedCustomerBillingRate", rate)

    bill = copy.deepcopy(latest)
    total = _value(bill["amountDue"]) + spec.amount
    total_excluded = pennies(total / (1 + VAT_RATE))
    bill.update(amountDue=gbp(total), taxIncludedAmount=gbp(total), taxExcludedAmount=gbp(total_excluded))
    bill["taxItem"] = [{**item, "taxAmount": gbp(total - total_excluded)} for item in bill.get("taxItem", [])]
    unpaid = _value(bill.get("remainingAmount", gbp(Decimal(0)))) > 0
    if unpaid:
        bill["remainingAmount"] = gbp(total)
    for applied in bill.get("appliedPayment", []):
        applied["appliedAmount"] = gbp(total)
    _replace(store, fault, "customerBill", bill)

    for found in payments:
        payment = copy.deepcopy(found)
        payment.update(amount=gbp(total), totalAmount=gbp(total))
        for item in payment.get("paymentItem", []):
            item["totalAmount"] = gbp(total)
        _replace(store, fault, "payment", payment)
    account_id = str(bill["billingAccount"]["id"])
    account = store["billingAccount"].get(account_id)
    if unpaid and account is not None:
        account = copy.deepcopy(account)
        for balance in account.get("accountBalance", []):
            balance["amount"] = gbp(_value(balance["amount"]) + spec.amount)
        _replace(store, fault, "billingAccount", account)
    return True


def _replace(store: Store, fault: SilentFault, resource: str, item: Json) -> None:
    key = (resource, str(item["id"]))
    if key not in fault.originals:
        fault.originals[key] = store[resource].get(key[1])
    store[resource].put(item)


def _value(money: Json) -> Decimal:
    return Decimal(str(money["value"]))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")[:40] or "CHARGE"
