"""What customers type in chat, normalised to what the TMF APIs store."""

from __future__ import annotations

import re

ACCOUNT_NUMBER = re.compile(r"AC\d{8}")
TICKET_ID = re.compile(r"TT-\d{6}")
ORDER_ID = re.compile(r"ORD-\d{6}")
POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})")
_PHONE_NOISE = re.compile(r"[\s\-().]")
_UK_NATIONAL = re.compile(r"0\d{9,10}")


def normalize_phone(text: str) -> str | None:
    """A UK number as E.164: ``07700 900123``, ``+44 7700 900123``, ``0044...`` -> ``+447700900123``."""
    digits = _PHONE_NOISE.sub("", text.strip())
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return "+44" + digits[1:] if _UK_NATIONAL.fullmatch(digits) else None


def normalize_account(text: str) -> str | None:
    """``ac 1000 0042`` -> ``AC10000042``; ``None`` unless it is an account number."""
    compact = re.sub(r"\s", "", text).upper()
    return compact if ACCOUNT_NUMBER.fullmatch(compact) else None


def normalize_postcode(text: str) -> str | None:
    """``sw1a1aa`` -> ``SW1A 1AA``; ``None`` unless it is shaped like a UK postcode."""
    compact = re.sub(r"\s", "", text).upper()
    match = POSTCODE.fullmatch(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def outward_code(postcode: str) -> str | None:
    """The area part of a postcode (``M1 1AE`` -> ``M1``), which alarms are raised against."""
    normal = normalize_postcode(postcode)
    return normal.split()[0] if normal else None


def same_postcode(typed: str, on_record: str | None) -> bool:
    """The verification check: both normalise to the same postcode."""
    typed_normal = normalize_postcode(typed)
    return typed_normal is not None and on_record is not None and typed_normal == normalize_postcode(on_record)
