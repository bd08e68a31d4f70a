"""The one adapter between TMF v4 JSON and the client's models; version quirks are handled here only.

Quirks: TMF642 v4 alarm ids are integers and restoration estimates travel in comments
(``Estimated restoration time: <RFC 3339>``); TMF622 v4 fall-out is a note ``<Held|Failed|In progress> at
<step>: <reason>``; TMF676 has no failure reason field, so ``statusReason`` (an extension) is read, else the
description. A resource without an ``id`` or with a list that is not a list raises :class:`Malformed`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from core.oss import fields as f
from core.oss import models as m
from core.oss.fields import Malformed

ETA = re.compile(r"estimated restoration(?: time)?:?\s*(\S+)", re.IGNORECASE)
FALLOUT = re.compile(r"^(held|failed|in progress) at (\w+):\s*(.*)$", re.IGNORECASE)
FAILED_PAYMENT = frozenset({"failed", "denied", "canceled"})

__all__ = ["Malformed", "many", "one"]


def one[T](payload: object, parse: Callable[[dict[str, Any]], T]) -> T:
    if not isinstance(payload, dict):
        raise Malformed(f"expected an object, got {type(payload).__name__}")
    return parse(payload)


def many[T](payload: object, parse: Callable[[dict[str, Any]], T]) -> list[T]:
    if not isinstance(payload, list):
        raise Malformed(f"expected a list, got {type(payload).__name__}")
    return [one(item, parse) for item in payload]


def customer(j: dict[str, Any]) -> m.Customer:
    chars = [c["characteristic"] for c in f.objects(j, "contactMedium") if isinstance(c.get("characteristic"), dict)]
    postal: dict[str, Any] = next((c for c in chars if c.get("postCode")), {})
    address = ", ".join(str(postal[k]) for k in ("street1", "city", "postCode") if postal.get(k)) or None
    return m.Customer(
        id=f.ident(j),
        name=f.text(j, "name") or "",
        status=f.text(j, "status"),
        account_ids=tuple(a["id"] for a in f.objects(j, "account") if isinstance(a.get("id"), str)),
        phones=tuple(c["phoneNumber"] for c in chars if isinstance(c.get("phoneNumber"), str)),
        email=next((c["emailAddress"] for c in chars if isinstance(c.get("emailAddress"), str)), None),
        postcode=f.text(postal, "postCode"),
        address=address,
    )


def billing_account(j: dict[str, Any]) -> m.BillingAccount:
    balances = f.objects(j, "accountBalance")
    owners = f.objects(j, "relatedParty")
    return m.BillingAccount(
        id=f.ident(j),
        name=f.text(j, "name"),
        state=f.text(j, "state"),
        payment_status=f.text(j, "paymentStatus"),
        balance=f.money(balances[0].get("amount")) if balances else None,
        credit_limit=f.money(j.get("creditLimit")),
        customer_id=f.text(owners[0], "id") if owners else None,
    )


def service(j: dict[str, Any]) -> m.Service:
    chars = f.characteristics(j, "serviceCharacteristic")
    return m.Service(
        id=f.ident(j),
        name=f.text(j, "name"),
        kind=f.text(j, "category") or f.text(j, "serviceType") or "unknown",
        state=f.text(j, "state"),
        area=f.as_text(chars.get("area")),
        postcode=f.as_text(chars.get("postcode")),
        node=f.as_text(chars.get("networkNode")),
        technology=f.as_text(chars.get("accessTechnology")),
        plan=f.as_text(chars.get("planName")),
        contracted_down_mbps=f.number(chars.get("contractedDownloadSpeedMbps")),
        min_guaranteed_mbps=f.number(chars.get("minimumGuaranteedSpeedMbps")),
        msisdn=f.as_text(chars.get("msisdn")),
        sim_status=f.as_text(chars.get("simStatus")),
        barring=f.as_text(chars.get("barring")),
        characteristics=chars,
    )


def alarm(j: dict[str, Any]) -> m.Alarm:
    ident = j.get("id")
    if isinstance(ident, bool) or not isinstance(ident, int | str) or ident == "":
        raise Malformed("alarm without an id")
    places = f.objects(j, "place")
    nodes = [p for p in places if p.get("role") == "affectedNode" or p.get("@referredType") == "NetworkNode"]
    comments = [str(c.get("comment", "")) for c in f.objects(j, "comment")]
    eta = next((f.timestamp(match.group(1)) for c in comments if (match := ETA.search(c))), None)
    return m.Alarm(
        id=str(ident),
        severity=f.text(j, "perceivedSeverity"),
        state=f.text(j, "state"),
        service_affecting=j.get("serviceAffecting") is True,
        raised_at=f.timestamp(j.get("alarmRaisedTime")),
        estimated_restoration=eta,
        areas=tuple(str(p["id"]) for p in places if p not in nodes and p.get("id")),
        nodes=tuple(str(p["id"]) for p in nodes if p.get("id")),
        problem=f.text(j, "specificProblem") or f.text(j, "alarmDetails"),
        planned=j.get("plannedOutageIndicator") == "OutOfService",
        affected_service_ids=tuple(str(s["id"]) for s in f.objects(j, "affectedService") if s.get("id")),
        probable_cause=f.text(j, "probableCause"),
    )


def service_test(j: dict[str, Any]) -> m.ServiceTestResult:
    chars = f.characteristics(j, "characteristic")
    measures = tuple(
        m.TestMeasure(
            name=f.text(raw, "metricName") or "",
            value=raw["value"].get("value") if isinstance(raw.get("value"), dict) else raw.get("value"),
            unit=f.text(raw, "unitOfMeasure"),
            violated=bool(f.entries(raw, "ruleViolation")),
        )
        for raw in f.objects(j, "testMeasure")
    )
    return m.ServiceTestResult(
        id=f.ident(j),
        service_id=f.text(f.obj(j, "relatedService"), "id"),
        specification=f.text(f.obj(j, "testSpecification"), "id"),
        state=f.text(j, "state"),
        result=f.as_text(chars.get("testResult")),
        fault_location=f.as_text(chars.get("faultLocation")),
        summary=f.as_text(chars.get("summary")) or f.text(j, "description"),
        measures=measures,
        started_at=f.timestamp(j.get("startDateTime")),
        ended_at=f.timestamp(j.get("endDateTime")),
    )


def bill(j: dict[str, Any]) -> m.Bill:
    due = f.money(j.get("amountDue"))
    if due is None:
        raise Malformed("bill without amountDue")
    period = f.obj(j, "billingPeriod")
    return m.Bill(
        id=f.ident(j),
        bill_no=f.text(j, "billNo"),
        bill_date=f.timestamp(j.get("billDate")),
        period_start=f.timestamp(period.get("startDateTime")),
        period_end=f.timestamp(period.get("endDateTime")),
        amount_due=due,
        remaining=f.money(j.get("remainingAmount")),
        state=f.text(j, "state"),
        due_date=f.timestamp(j.get("paymentDueDate")),
        account_id=f.text(f.obj(j, "billingAccount"), "id"),
    )


def bill_item(j: dict[str, Any]) -> m.BillItem:
    amount = f.money(j.get("taxIncludedAmount"))
    if amount is None:
        raise Malformed("line item without taxIncludedAmount")
    period, product = f.obj(j, "periodCoverage"), f.obj(j, "product")
    return m.BillItem(
        id=f.ident(j),
        bill_id=f.text(f.obj(j, "bill"), "id"),
        name=f.text(j, "name") or "",
        description=f.text(j, "description"),
        kind=f.text(j, "type"),
        amount=amount,
        product_id=f.text(product, "id"),
        product_name=f.text(product, "name"),
        period_start=f.timestamp(period.get("startDateTime")),
        period_end=f.timestamp(period.get("endDateTime")),
        characteristics=f.characteristics(j, "characteristic"),
    )


def payment(j: dict[str, Any]) -> m.Payment:
    items = f.objects(j, "paymentItem")
    status = f.text(j, "status")
    return m.Payment(
        id=f.ident(j),
        account_id=f.text(f.obj(j, "account"), "id"),
        date=f.timestamp(j.get("paymentDate")),
        amount=f.money(j.get("totalAmount")) or f.money(j.get("amount")),
        status=status,
        reason=(f.text(j, "statusReason") or f.text(j, "description")) if status in FAILED_PAYMENT else None,
        description=f.text(j, "description"),
        method=f.text(f.obj(j, "paymentMethod"), "name"),
        bill_id=f.text(f.obj(items[0], "item"), "id") if items else None,
    )


def product_order(j: dict[str, Any]) -> m.ProductOrder:
    notes = sorted(f.objects(j, "note"), key=lambda n: str(n.get("date", "")))
    fallout = next(((n, match) for n in reversed(notes) if (match := FALLOUT.match(str(n.get("text", ""))))), None)
    items = tuple(
        m.OrderItem(
            id=str(i.get("id", "")),
            action=f.text(i, "action"),
            state=f.text(i, "state"),
            offering=f.text(f.obj(i, "productOffering"), "name"),
        )
        for i in f.objects(j, "productOrderItem")
    )
    return m.ProductOrder(
        id=f.ident(j),
        state=f.text(j, "state"),
        description=f.text(j, "description"),
        ordered_at=f.timestamp(j.get("orderDate")),
        expected_completion=f.timestamp(j.get("expectedCompletionDate")),
        fallout_step=fallout[1].group(2) if fallout else None,
        fallout_reason=fallout[1].group(3) if fallout else None,
        fallout_since=f.timestamp(fallout[0].get("date")) if fallout else None,
        items=items,
    )


def trouble_ticket(j: dict[str, Any]) -> m.TroubleTicket:
    parties = f.objects(j, "relatedParty")
    owner = next((p for p in parties if p.get("@referredType") == "Customer"), parties[0] if parties else {})
    return m.TroubleTicket(
        id=f.ident(j),
        status=f.text(j, "status"),
        severity=f.text(j, "severity"),
        ticket_type=f.text(j, "ticketType"),
        description=f.text(j, "description"),
        created_at=f.timestamp(j.get("creationDate")),
        expected_resolution=f.timestamp(j.get("expectedResolutionDate")),
        notes=tuple(
            m.TicketNote(author=f.text(n, "author"), date=f.timestamp(n.get("date")), text=str(n.get("text", "")))
            for n in f.objects(j, "note")
        ),
        customer_id=f.text(owner, "id"),
        service_ids=tuple(
            str(e["id"]) for e in f.objects(j, "relatedEntity") if e.get("@referredType") == "Service" and e.get("id")
        ),
    )
