"""TMF678 bills with their line items (appliedCustomerBillingRate) and TMF676 payments.

Every established customer has the last three monthly bills, paid by direct debit on the due date. The bill
archetypes change only the latest bill, so comparing it with the previous one explains the difference.
Amounts are GBP with VAT included; each line item also states its VAT-exclusive amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from simulator.apis import ACCOUNT, CUSTOMER, CUSTOMER_BILL, PAYMENT
from simulator.seed.catalog import PRICE_RISE, VAT_RATE, Plan
from simulator.seed.model import Line, Person
from simulator.seed.tmf import Hrefs, Json, characteristic, gbp, iso, party_ref, pennies

BILLS_KEPT = 3
BILL_LEAD_DAYS = 18
"""The latest bill was issued this many days before the anchor, so its direct debit has already run."""
DUE_DAYS = 14
PLAN_CHANGE_DAY = 12
"""Day of the latest period on which prorated customers upgraded."""
FAILED_REASONS = {
    "failed_direct_debit": ("insufficientFunds", "Direct Debit returned unpaid: refer to payer (insufficient funds)"),
    "mobile_barred": ("instructionCancelled", "Direct Debit returned unpaid: instruction cancelled by payer"),
}


@dataclass
class Billing:
    bills: list[Json] = field(default_factory=list)
    rates: list[Json] = field(default_factory=list)
    payments: list[Json] = field(default_factory=list)
    outstanding: Decimal = Decimal("0")
    payment_status: str = "paid"


def billing_for(person: Person, anchor: datetime, hrefs: Hrefs) -> Billing:
    result = Billing()
    dates = _bill_dates(anchor)
    billable = [line for line in person.lines if line.state == "active" or line.barring != "none"]
    for number, (start, end) in enumerate(dates, start=1):
        if start < person.since or not billable:
            continue
        latest = number == len(dates)
        bill_id = f"BILL-{person.index:06d}-{number}"
        items = [
            _rate(bill_id, person, n, item, start, end, hrefs)
            for n, item in enumerate(_items(person, billable, start, end, latest), start=1)
        ]
        total = sum((Decimal(str(i["taxIncludedAmount"]["value"])) for i in items), Decimal("0"))
        unpaid = _unpaid(person.archetype, latest, number == len(dates) - 1)
        payment = _payment(person, bill_id, number, total, end + timedelta(days=DUE_DAYS), unpaid, hrefs)
        result.bills.append(_bill(person, bill_id, start, end, total, unpaid, payment["id"], hrefs))
        result.rates += items
        result.payments.append(payment)
        if unpaid:
            result.outstanding += total
    if result.outstanding:
        result.payment_status = "arrears" if person.archetype == "mobile_barred" else "overdue"
    return result


def _bill_dates(anchor: datetime) -> list[tuple[datetime, datetime]]:
    """Billing periods, oldest first: each ends on the bill date, the same day of successive months."""
    latest = (anchor - timedelta(days=BILL_LEAD_DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    latest = latest.replace(day=min(latest.day, 28))
    ends = [latest]
    for _ in range(BILLS_KEPT):
        prev = ends[-1]
        month, year = (prev.month - 1, prev.year) if prev.month > 1 else (12, prev.year - 1)
        ends.append(prev.replace(year=year, month=month))
    ends.reverse()
    return list(pairwise(ends))


def _unpaid(archetype: str, latest: bool, before_latest: bool) -> bool:
    return (archetype == "failed_direct_debit" and latest) or (
        archetype == "mobile_barred" and (latest or before_latest)
    )


@dataclass
class Item:
    kind: str
    name: str
    amount: Decimal
    line: Line
    chars: list[Json] = field(default_factory=list)
    description: str = ""


def _items(person: Person, lines: list[Line], start: datetime, end: datetime, latest: bool) -> list[Item]:
    rng, archetype = person.rng, person.archetype
    items: list[Item] = []
    for line in lines:
        plan = line.plan if latest or line.previous_plan is None else line.previous_plan
        price = plan.monthly
        description = f"{plan.name}: monthly charge"
        if latest and archetype == "bill_price_rise":
            price = pennies(price * PRICE_RISE)
            description = f"{plan.name}: monthly charge, including the annual price rise of 7.9%"
        items.append(Item("recurringCharge", f"{plan.name} monthly charge", price, line, description=description))
        if latest and archetype == "bill_duplicate" and line.kind == "broadband":
            items.append(Item("recurringCharge", f"{plan.name} monthly charge", price, line, description=description))
        if latest and line.previous_plan is not None:
            items += _prorated(line, line.previous_plan, plan, start, end)
        usage = Decimal(rng.randint(0, 350)) / 100
        if usage and line.kind in {"broadband", "mobile"}:
            name = "Landline calls" if line.kind == "broadband" else "Calls to non-geographic numbers"
            items.append(Item("usageCharge", name, usage, line, description=f"{name} outside your allowance"))
    mobile = next((line for line in lines if line.kind == "mobile"), None)
    if latest and archetype == "bill_roaming" and mobile is not None:
        gb = Decimal(rng.randint(18, 46)) / 10
        chars = [
            characteristic("roaming", True),
            characteristic("country", "United States"),
            characteristic("dataUsedGB", float(gb)),
        ]
        items.append(
            Item(
                "usageCharge",
                "Roaming data: United States",
                pennies(gb * 12),
                mobile,
                chars,
                f"{gb} GB of data used in the United States at £12.00 per GB",
            )
        )
    if latest and archetype == "bill_one_off" and lines:
        items.append(
            Item(
                "oneTimeCharge",
                "Engineer visit",
                Decimal("75.00"),
                lines[0],
                [characteristic("oneOff", True)],
                "Engineer visit: fault found in customer equipment",
            )
        )
    return items


def _prorated(line: Line, old: Plan, new: Plan, start: datetime, end: datetime) -> list[Item]:
    days = (end - start).days
    used = days - PLAN_CHANGE_DAY
    changed = start + timedelta(days=PLAN_CHANGE_DAY)
    chars = [characteristic("prorated", True), characteristic("days", used), characteristic("periodDays", days)]
    credit = -pennies(old.monthly * used / days)
    charge = pennies(new.monthly * used / days)
    return [
        Item(
            "recurringCharge",
            f"Credit: {old.name} ({used} days unused)",
            credit,
            line,
            chars,
            f"Credit for {old.name} from {changed:%d %B}, when you upgraded",
        ),
        Item(
            "recurringCharge",
            f"{new.name} ({used} days)",
            charge,
            line,
            chars,
            f"{new.name} from {changed:%d %B} to the end of the period",
        ),
    ]


def _rate(bill_id: str, person: Person, n: int, item: Item, start: datetime, end: datetime, hrefs: Hrefs) -> Json:
    rate_id = f"{bill_id}-{n}"
    return {
        "id": rate_id,
        "href": hrefs(CUSTOMER_BILL, "appliedCustomerBillingRate", rate_id),
        "name": item.name,
        "description": item.description or item.name,
        "type": item.kind,
        "date": iso(end),
        "isBilled": True,
        "bill": {"id": bill_id, "href": hrefs(CUSTOMER_BILL, "customerBill", bill_id), "@referredType": "CustomerBill"},
        "billingAccount": _account_ref(person, hrefs),
        "product": {"id": f"PRD-{item.line.id[4:]}", "name": item.line.plan.name, "@referredType": "Product"},
        "periodCoverage": {"startDateTime": iso(start), "endDateTime": iso(end)},
        "taxIncludedAmount": gbp(item.amount),
        "taxExcludedAmount": gbp(item.amount / (1 + VAT_RATE)),
        "appliedTax": [
            {
                "taxCategory": "VAT",
                "taxRate": float(VAT_RATE),
                "taxAmount": gbp(item.amount - pennies(item.amount / (1 + VAT_RATE))),
            }
        ],
        "characteristic": item.chars,
        "@type": "AppliedCustomerBillingRate",
    }


def _bill(
    person: Person,
    bill_id: str,
    start: datetime,
    end: datetime,
    total: Decimal,
    unpaid: bool,
    payment_id: str,
    hrefs: Hrefs,
) -> Json:
    excluded = pennies(total / (1 + VAT_RATE))
    bill: Json = {
        "id": bill_id,
        "href": hrefs(CUSTOMER_BILL, "customerBill", bill_id),
        "billNo": f"{end:%Y%m}-{person.index:06d}",
        "billDate": iso(end),
        "lastUpdate": iso(end + timedelta(days=DUE_DAYS, hours=9)),
        "nextBillDate": iso(_next_month(end)),
        "paymentDueDate": iso(end + timedelta(days=DUE_DAYS)),
        "category": "normal",
        "runType": "onCycle",
        "state": "sent" if unpaid else "settled",
        "billingPeriod": {"startDateTime": iso(start), "endDateTime": iso(end)},
        "amountDue": gbp(total),
        "remainingAmount": gbp(total if unpaid else Decimal("0")),
        "taxIncludedAmount": gbp(total),
        "taxExcludedAmount": gbp(excluded),
        "taxItem": [{"taxCategory": "VAT", "taxRate": float(VAT_RATE), "taxAmount": gbp(total - excluded)}],
        "billingAccount": _account_ref(person, hrefs),
        "paymentMethod": {"id": f"PM-DD-{person.index:06d}", "name": "Direct Debit", "@referredType": "PaymentMethod"},
        "relatedParty": [
            party_ref(person.customer_id, person.name, "customer", hrefs(CUSTOMER, "customer", person.customer_id))
        ],
        "@type": "CustomerBill",
    }
    if not unpaid:
        bill["appliedPayment"] = [
            {"appliedAmount": gbp(total), "payment": {"id": payment_id, "@referredType": "Payment"}}
        ]
    return bill


def _payment(
    person: Person, bill_id: str, number: int, total: Decimal, when: datetime, failed: bool, hrefs: Hrefs
) -> Json:
    payment_id = f"PAY-{person.index:06d}-{number}"
    payment: Json = {
        "id": payment_id,
        "href": hrefs(PAYMENT, "payment", payment_id),
        "name": "Direct Debit collection",
        "correlatorId": bill_id,
        "paymentDate": iso(when),
        "statusDate": iso(when + timedelta(days=3 if failed else 0)),
        "status": "failed" if failed else "done",
        "description": f"Direct Debit collected for bill {bill_id}",
        "account": _account_ref(person, hrefs),
        "amount": gbp(total),
        "totalAmount": gbp(total),
        "paymentMethod": {"id": f"PM-DD-{person.index:06d}", "name": "Direct Debit", "@referredType": "PaymentMethod"},
        "paymentItem": [{"item": {"id": bill_id, "@referredType": "CustomerBill"}, "totalAmount": gbp(total)}],
        "@type": "Payment",
    }
    if failed:
        reason, text = FAILED_REASONS.get(person.archetype, FAILED_REASONS["failed_direct_debit"])
        payment["statusReason"] = reason
        payment["description"] = text
    return payment


def _account_ref(person: Person, hrefs: Hrefs) -> Json:
    return {
        "id": person.account_id,
        "href": hrefs(ACCOUNT, "billingAccount", person.account_id),
        "@referredType": "BillingAccount",
    }


def _next_month(moment: datetime) -> datetime:
    return (
        moment.replace(year=moment.year + 1, month=1) if moment.month == 12 else moment.replace(month=moment.month + 1)
    )
