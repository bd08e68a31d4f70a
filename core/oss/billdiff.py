"""Explain why one bill differs from the previous one, line item by line item.

Changes found, largest first: ``roaming`` (roaming usage), ``oneOffCharge``, ``duplicateCharge`` (the same
product charged twice for the same period), ``planChange`` (prorated credit and charge, and the new plan's
price), ``priceChange`` (same product, new recurring price), ``usage`` (other usage), ``newService`` and
``removedService``. Amounts are the change in GBP (VAT included).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from core.oss.models import Bill, BillItem

ZERO = Decimal("0")


@dataclass(frozen=True)
class BillChange:
    kind: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class BillComparison:
    previous: Bill
    current: Bill
    difference: Decimal
    changes: tuple[BillChange, ...]

    @property
    def main_reason(self) -> BillChange | None:
        return self.changes[0] if self.changes else None


def compare_bills(
    previous: Bill, previous_items: list[BillItem], current: Bill, current_items: list[BillItem]
) -> BillComparison:
    changes: list[BillChange] = []
    for item in current_items:
        if item.kind == "usageCharge" and item.characteristics.get("roaming") is True:
            changes.append(BillChange("roaming", item.description or item.name, item.amount.amount))
        elif item.kind == "oneTimeCharge":
            changes.append(BillChange("oneOffCharge", item.description or item.name, item.amount.amount))
    changes += _recurring_changes(previous_items, current_items)
    usage = _usage(current_items) - _usage(previous_items)
    if usage:
        changes.append(BillChange("usage", "Other usage charges changed", usage))
    changes.sort(key=lambda c: abs(c.amount), reverse=True)
    difference = current.amount_due.amount - previous.amount_due.amount
    return BillComparison(previous, current, difference, tuple(changes))


def _recurring_changes(previous_items: list[BillItem], current_items: list[BillItem]) -> list[BillChange]:
    before = _recurring_by_product(previous_items)
    after = _recurring_by_product(current_items)
    changes: list[BillChange] = []
    for product in sorted(set(before) | set(after), key=str):
        old, new = before.get(product, []), after.get(product, [])
        name = (new or old)[0].product_name or (new or old)[0].name
        if not old:
            changes.append(BillChange("newService", f"New charges for {name}", _sum(new)))
            continue
        if not new:
            changes.append(BillChange("removedService", f"No more charges for {name}", -_sum(old)))
            continue
        prorated = [i for i in new if i.characteristics.get("prorated") is True]
        regular = [i for i in new if i not in prorated]
        if prorated:
            changes.append(
                BillChange("planChange", f"{name}: plan changed during the period (prorated)", _sum(new) - _sum(old))
            )
            continue
        duplicates = _duplicates(regular)
        if duplicates:
            changes.append(BillChange("duplicateCharge", f"{name} charged twice for the same period", _sum(duplicates)))
            regular = [i for i in regular if i not in duplicates]
        delta = _sum(regular) - _sum(old)
        if delta:
            changes.append(BillChange("priceChange", f"{name}: monthly price changed", delta))
    return changes


def _recurring_by_product(items: list[BillItem]) -> dict[str | None, list[BillItem]]:
    grouped: dict[str | None, list[BillItem]] = defaultdict(list)
    for item in items:
        if item.kind == "recurringCharge":
            grouped[item.product_id].append(item)
    return grouped


def _duplicates(items: list[BillItem]) -> list[BillItem]:
    """Items repeating an earlier item's name, amount and period."""
    seen: set[tuple[object, ...]] = set()
    repeated = []
    for item in items:
        key = (item.name, item.amount.amount, item.period_start, item.period_end)
        if key in seen:
            repeated.append(item)
        seen.add(key)
    return repeated


def _usage(items: list[BillItem]) -> Decimal:
    return _sum([i for i in items if i.kind == "usageCharge" and i.characteristics.get("roaming") is not True])


def _sum(items: list[BillItem]) -> Decimal:
    return sum((i.amount.amount for i in items), ZERO)
