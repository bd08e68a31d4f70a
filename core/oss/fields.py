"""Tolerant readers of TMF JSON attributes: a missing or mistyped optional attribute reads as ``None``.

Only what a resource cannot do without (its ``id``, a list that is not a list) raises :class:`Malformed`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.oss.models import Money

RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|z|[+-]\d{2}:\d{2})?")
PENNY = Decimal("0.01")


class Malformed(ValueError):
    """The body is not the TMF resource it should be."""


def ident(j: dict[str, Any]) -> str:
    value = j.get("id")
    if not isinstance(value, str) or not value:
        raise Malformed("resource without an id")
    return value


def text(j: dict[str, Any], key: str) -> str | None:
    return as_text(j.get(key))


def as_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def entries(j: dict[str, Any], key: str) -> list[Any]:
    """A list attribute; absent reads as empty, anything but a list is malformed."""
    value = j.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(f"{key} is not a list")
    return value


def objects(j: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The objects of a list attribute, skipping anything else in it."""
    return [item for item in entries(j, key) if isinstance(item, dict)]


def obj(j: dict[str, Any], key: str) -> dict[str, Any]:
    value = j.get(key)
    return value if isinstance(value, dict) else {}


def characteristics(j: dict[str, Any], key: str) -> dict[str, object]:
    """``[{"name": n, "value": v}, ...]`` as ``{n: v}``."""
    return {str(c["name"]): c.get("value") for c in objects(j, key) if "name" in c}


def number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def money(value: object) -> Money | None:
    """A TMF ``Money`` (``{"unit": "GBP", "value": 12.5}``) rounded to pennies; ``None`` unless a finite number."""
    if not isinstance(value, dict):
        return None
    raw = value.get("value")
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        amount = Decimal(str(raw))
        if not amount.is_finite():
            return None
        return Money(amount.quantize(PENNY), str(value.get("unit") or "GBP"))
    except InvalidOperation:
        return None


def timestamp(value: object) -> datetime | None:
    """RFC 3339 with any number of fraction digits (Python 3.10 accepts only 3 or 6), as UTC."""
    if not isinstance(value, str) or not (match := RFC3339.fullmatch(value.strip())):
        return None
    base, fraction, zone = match.groups()
    micro = fraction[1:7].ljust(6, "0") if fraction else "000000"
    offset = "+00:00" if zone in (None, "Z", "z") else zone
    try:
        moment = datetime.fromisoformat(f"{base}.{micro}{offset}")
    except ValueError:
        return None
    return moment.astimezone(UTC)
