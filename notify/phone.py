"""The mobile number a customer gives for outage texts: read in any common UK form, shown back safely."""

from __future__ import annotations

from core.oss.identifiers import normalize_phone, phone_in

UK_MOBILE_PREFIX = "+447"
UK_MOBILE_E164_CHARS = 13  # +44 and ten digits
NOT_MOBILE_PREFIXES = ("+4470", "+4476")  # personal numbers and pagers: 07 but no texts


def mobile_e164(text: str) -> str | None:
    """A possible UK mobile number in ``text`` (alone or in a sentence) as E.164, or ``None``.

    ``+44 (0)7700 900321``, ``07700-900-321``, ``07700900321``, ``+447700900321`` -> ``+447700900321``.
    Possibility, not validity, is checked: the seeded numbers are in Ofcom's drama range.
    """
    found = normalize_phone(text) or phone_in(text)
    if found is None or not is_mobile(found):
        return None
    return found


def any_phone(text: str) -> str | None:
    """A possible UK number in ``text`` outside the mobile range (a landline), to tell "not a mobile" from "not a
    number"; a 07 number with a digit missing is a mistyped mobile, not a landline."""
    found = normalize_phone(text) or phone_in(text)
    return None if found is None or found.startswith(UK_MOBILE_PREFIX) else found


def is_mobile(e164: str) -> bool:
    """A UK mobile: 07 and ten digits after the 0 (+447 and 12 digits), not a personal number or a pager."""
    return (
        e164.startswith(UK_MOBILE_PREFIX)
        and len(e164) == UK_MOBILE_E164_CHARS
        and not e164.startswith(NOT_MOBILE_PREFIXES)
    )


def national(e164: str) -> str:
    """``+447700900321`` -> ``07700 900321``: how the customer would write it."""
    digits = e164.removeprefix("+44")
    return f"0{digits[:4]} {digits[4:]}"


def masked(e164: str) -> str:
    """``+447700900321`` -> ``your mobile ending in 321``: for a number the customer did not type themselves."""
    return f"your mobile ending in {e164[-3:]}"
