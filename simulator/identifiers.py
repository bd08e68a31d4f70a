"""Identifier formats the simulator accepts in paths and filters; anything else is a 400, never a scan."""

from __future__ import annotations

import re

CUSTOMER_ID = re.compile(r"CUST-\d{6}")
ACCOUNT_ID = re.compile(r"AC\d{8}")
SERVICE_ID = re.compile(r"SVC-\d{6}-\d")
ALARM_ID = re.compile(r"\d{1,9}")
SERVICE_TEST_ID = re.compile(r"ST-\d{6}")
BILL_ID = re.compile(r"BILL-\d{6}-\d")
BILL_RATE_ID = re.compile(r"BILL-\d{6}-\d-\d{1,3}")
PAYMENT_ID = re.compile(r"PAY-\d{6}-\d")
ORDER_ID = re.compile(r"ORD-\d{6}")
TICKET_ID = re.compile(r"TT-\d{6}")
AREA = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
NODE = re.compile(r"(EX|CAB|OLT|CELL)-[A-Z]{1,2}\d[A-Z\d]?(-\d{2})?")
PLACE = re.compile(f"{AREA.pattern}|{NODE.pattern}")

_PHONE_NOISE = re.compile(r"[\s\-().]")
_UK_NATIONAL = re.compile(r"0\d{9,10}")


def normalize_phone(value: str) -> str | None:
    """A UK number in any usual spelling as E.164 (``07700 900123`` -> ``+447700900123``), else ``None``."""
    digits = _PHONE_NOISE.sub("", value)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    if not _UK_NATIONAL.fullmatch(digits):
        return None
    return "+44" + digits[1:]
