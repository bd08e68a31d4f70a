"""What customers type in chat, normalised to what the TMF APIs store."""

from __future__ import annotations

import re

import phonenumbers

ACCOUNT_NUMBER = re.compile(r"AC\d{8}")
TICKET_ID = re.compile(r"TT-\d{6}")
ORDER_ID = re.compile(r"ORD-\d{6}")
POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})")
UK_REGION = "GB"
UK_NATIONAL_DIGITS = (9, 10)  # significant digits after the leading 0; shorter "possible" numbers are short codes
_ACCOUNT_IN_TEXT = re.compile(r"\bac[\s\-]*\d{4}[\s\-]?\d{4}\b", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-]")


_DIALLED = re.compile(r"\s*(\+|00|\(?0)")
"""How a phone number typed by a person starts (+44, 0044, 07..., (07...)); bare digit runs are other numbers."""


def _uk_e164(number: phonenumbers.PhoneNumber) -> str | None:
    """E.164 of a *possible* UK number: the seeded numbers sit in Ofcom's drama ranges, which are never
    "valid", so possibility (right length for the range) is the check, not validity."""
    if number.country_code != 44 or len(str(number.national_number)) not in UK_NATIONAL_DIGITS:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(text: str) -> str | None:
    """A UK number as E.164, in any form people type it: ``07700 900123``, ``07700-900-123``,
    ``+44 (0)7700 900123``, ``0044 7700 900123`` -> ``+447700900123``; ``None`` otherwise."""
    if not _DIALLED.match(text):
        return None
    try:
        return _uk_e164(phonenumbers.parse(text.strip(), UK_REGION))
    except phonenumbers.NumberParseException:
        return None


def phone_in(text: str) -> str | None:
    """The first UK phone number anywhere in ``text`` (account numbers are not read as phone numbers)."""
    text = _ACCOUNT_IN_TEXT.sub(" ", text)
    for match in phonenumbers.PhoneNumberMatcher(text, UK_REGION, leniency=phonenumbers.Leniency.POSSIBLE):
        if _DIALLED.match(match.raw_string) and (e164 := _uk_e164(match.number)):
            return e164
    return None


def normalize_account(text: str) -> str | None:
    """``ac 1000 0042``, ``AC-1000-0042`` -> ``AC10000042``; ``None`` unless it is an account number."""
    compact = _SEPARATORS.sub("", text).upper()
    return compact if ACCOUNT_NUMBER.fullmatch(compact) else None


def account_in(text: str) -> str | None:
    """The first account number anywhere in ``text``, however it is spaced or hyphenated."""
    match = _ACCOUNT_IN_TEXT.search(text)
    return normalize_account(match.group(0)) if match else None


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
