"""One-line summaries of results for the evidence pack (``CallRecord.summary``)."""

from __future__ import annotations

from core.oss import models as m


def customer(c: m.Customer) -> str:
    return f"customer {c.id} ({c.name})"


def customers(found: list[m.Customer]) -> str:
    return "; ".join(customer(c) for c in found[:3]) or "no customer"


def billing_account(b: m.BillingAccount) -> str:
    return f"account {b.id}: {b.payment_status or 'unknown'}, balance {b.balance or 'unknown'}"


def services(found: list[m.Service]) -> str:
    listed = ", ".join(f"{s.kind} {s.state}" for s in found[:5])
    noun = "service" if len(found) == 1 else "services"
    return f"{len(found)} {noun}: {listed}" if found else "no services"


def alarms(found: list[m.Alarm]) -> str:
    if not found:
        return "no alarms"
    first = found[0]
    eta = f", ETA {first.estimated_restoration:%Y-%m-%d %H:%M}Z" if first.estimated_restoration else ""
    where = ",".join(first.nodes or first.areas)
    return f"{len(found)} alarms; newest {first.severity} on {where}{eta}"


def service_test(t: m.ServiceTestResult) -> str:
    return f"{t.specification}: {t.result} ({t.fault_location})"


def bills(found: list[m.Bill]) -> str:
    return f"{len(found)} bills; latest {found[0].amount_due} ({found[0].state})" if found else "no bills"


def bill_items(found: list[m.BillItem]) -> str:
    return f"{len(found)} line items"


def payments(found: list[m.Payment]) -> str:
    failed = [p for p in found if p.failed]
    reason = f" ({failed[0].reason})" if failed else ""
    return f"{len(found)} payments, {len(failed)} failed{reason}"


def order(o: m.ProductOrder) -> str:
    step = f" at {o.fallout_step}" if o.fallout_step else ""
    return f"order {o.id}: {o.state}{step}"


def orders(found: list[m.ProductOrder]) -> str:
    return "; ".join(order(o) for o in found[:3]) or "no orders"


def ticket(t: m.TroubleTicket) -> str:
    return f"ticket {t.id}: {t.status}, {t.severity}"


def tickets(found: list[m.TroubleTicket]) -> str:
    open_tickets = [t for t in found if t.open]
    return f"{len(found)} tickets, {len(open_tickets)} open"
