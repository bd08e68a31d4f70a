"""Small builders for the JSON fragments every TMF resource repeats: money, references, times, hrefs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from simulator.apis import VERSION

Json = dict[str, Any]
PENNY = Decimal("0.01")


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as the TMF examples write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gbp(amount: Decimal) -> Json:
    return {"unit": "GBP", "value": float(amount.quantize(PENNY, rounding=ROUND_HALF_UP))}


def pennies(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def characteristic(name: str, value: object) -> Json:
    value_type = "number" if isinstance(value, int | float) and not isinstance(value, bool) else "string"
    if isinstance(value, bool):
        value_type = "boolean"
    return {"name": name, "valueType": value_type, "value": value}


class Hrefs:
    """Absolute hrefs (the specs type several of them as ``uri``) under the simulator's public root."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")

    def __call__(self, api: str, resource: str, ident: object) -> str:
        return f"{self.root}/{api}/{VERSION}/{resource}/{ident}"


def party_ref(person_id: str, name: str, role: str, href: str) -> Json:
    return {"id": person_id, "href": href, "name": name, "role": role, "@referredType": "Customer"}
