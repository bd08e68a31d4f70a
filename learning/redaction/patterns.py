"""Personal data that has a shape: found with regular expressions, digit counts and check digits.

Each finder returns :class:`Span` objects over the original text; :mod:`learning.redaction.redactor`
merges them with the names found by :mod:`learning.redaction.names` and replaces each with its typed
placeholder. Ordinary numbers (amounts, speeds, counts, years) are left alone: only digit runs of six or more,
or shapes that are identifiers (``AC`` + 8 digits, postcodes, IBANs...), are replaced. Ticket (``TT-100024``) and
order (``ORD-100017``) references are replaced too: each leads straight to one customer's record. Validators come
from python-stdnum (IBAN, MAC, Luhn) and libphonenumber.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from stdnum import luhn

from learning.redaction.credentials import credential_spans
from learning.redaction.identifiers import iban_spans, ip_spans, mac_spans, nino_spans
from learning.redaction.phones import spoken_spans, written_spans
from learning.redaction.spans import Span

__all__ = ["Span", "classify_digits", "luhn_valid", "pattern_spans"]


MIN_ID_DIGITS = 6
"""A digit run this long is treated as an identifier even when its kind is unknown (bank account, sort code)."""
DOB_MIN_AGE_YEARS = 10
"""A full date at least this many years ago is a date of birth, not a bill or appointment date."""

# Mobile country codes that open an IMSI (UK, Ireland, US, Canada, the larger EU networks, India, Australia).
IMSI_MCC = {"234", "235", "272", "302", *(str(m) for m in range(310, 317)), "262", "208", "222", "214", "204", "404",
            "405", "505", "206", "228", "232", "238", "240", "242", "244", "260", "268", "460", "440"}  # fmt: skip

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_EMAIL_SPOKEN = re.compile(
    r"\b[\w+-]+(?:\s+dot\s+[\w+-]+|\.[\w+-]+)*\s*(?:\(at\)|\[at\]|\s+at\s+)\s*[\w-]+\s*(?:\(dot\)|\[dot\]|\s+dot\s+)\s*(?:com|net|org|co\s*(?:\.|dot)\s*uk|uk)\b",
    re.IGNORECASE,
)
_ACCOUNT = re.compile(r"\bAC[\s-]?\d{4}[\s-]?\d{4}\b", re.IGNORECASE)
_REFERENCE = re.compile(r"\b(TT|ORD)[\s-]?\d{4,}\b", re.IGNORECASE)
"""Ticket and order references: never read as a bare digit run."""
_IPV4_SHAPE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
"""An address is judged by :mod:`learning.redaction.identifiers`, not as a digit run."""
_CUSTOMER = re.compile(r"\bCUST[\s-]?\d{4,}\b", re.IGNORECASE)
_POSTCODE = re.compile(r"\b(?:GIR\s?0AA|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})\b", re.IGNORECASE)
# A run of digits with the separators people type inside numbers: 07700 900123, +44 (0)7700-900-123, 4111 1111 ...
_DIGITS = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[\s\-.()]{0,2}\d){4,}(?![\w])")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{2,4}}"
    rf"|{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})"
)
_DOB_CONTEXT = re.compile(
    rf"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on|\s+in)?|birthday(?:\s+is)?)\s*(?:is\s*|:\s*|-\s*)?"
    rf"({_DATE}|(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
_FULL_DATE = re.compile(rf"\b{_DATE}\b", re.IGNORECASE)
_YEAR_IN_DATE = re.compile(r"(\d{4}|\d{2})\W*$")
_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")

_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|place|pl|crescent|cres|terrace|gardens"
    r"|gdns|grove|hill|square|sq|mews|park|row|walk|parade|boulevard|blvd|green|rise|view|wharf|yard|gate"
)
_ADDRESS = re.compile(
    rf"\b(?:(?:flat|apartment|apt|unit)\s*\d+[a-z]?\s*,?\s*)?\d{{1,4}}[a-z]?,?\s+((?:[a-z][a-z'-]*\s+){{1,3}})"
    rf"(?:{_STREET_WORDS})\b\.?",
    re.IGNORECASE,
)
_FLAT = re.compile(r"\b(?:flat|apartment|apt)\s*\d+[a-z]?\b", re.IGNORECASE)
# Words that make "45 minutes walk" or "2 days by the way" look like an address but never are one.
_NOT_STREET_NAME = {
    "minute", "minutes", "mins", "hour", "hours", "hrs", "day", "days", "week", "weeks", "month", "months", "year",
    "years", "time", "times", "mbps", "gb", "mb", "pounds", "quid", "calls", "texts", "devices", "phones", "people",
    "engineers", "pence", "percent", "miles", "metres", "meters", "the", "a", "an", "of", "to", "by", "in", "on",
    "at", "and", "or", "my", "your", "our", "this", "that", "is", "was", "for", "from", "all", "it", "me", "we",
}  # fmt: skip


_US_STATES_LISTED = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR"
}  # fmt: skip
US_STATES = frozenset(_US_STATES_LISTED)
# ", Austin TX 78701-1234", ", boulder, co 80302": a town after a comma, a state code, then the ZIP.
_STATE_NAMES = (
    r"(?:alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho"
    r"|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|mississippi"
    r"|missouri|montana|nebraska|nevada|new\s+hampshire|new\s+jersey|new\s+mexico|new\s+york|north\s+carolina"
    r"|north\s+dakota|ohio|oklahoma|oregon|pennsylvania|rhode\s+island|south\s+carolina|south\s+dakota|tennessee"
    r"|texas|utah|vermont|virginia|washington|west\s+virginia|wisconsin|wyoming|puerto\s+rico)"
)
_ZIP_AFTER_STATE = re.compile(
    rf",\s*[A-Za-z][A-Za-z .'\-]{{1,30}}?,?\s+([A-Za-z]{{2}}|{_STATE_NAMES})\.?,?\s+(\d{{5}}(?:-\d{{4}})?)\b",
    re.IGNORECASE,
)
_ZIP_NAMED = re.compile(r"\b(?:zip|zip\s*code|zipcode)\s*(?:is|:)?\s*(\d{5}(?:-\d{4})?)\b", re.IGNORECASE)


def luhn_valid(digits: str) -> bool:
    """The Luhn check digit of card numbers and IMEIs."""
    return luhn.is_valid(digits)


def classify_digits(raw: str, before: str) -> str | None:
    """What a run of digits is, from its length, prefix, check digit and the words just before it.

    ``before`` is the lower-cased text preceding the run (a few words), so "IMEI 35..." wins over the guess.
    """
    international = raw.startswith(("+", "00"))
    digits = re.sub(r"\D", "", raw)
    count = len(digits)
    if "imei" in before and count in (15, 16):
        return "IMEI"
    if "imsi" in before and count == 15:
        return "IMSI"
    if ("iccid" in before or "sim" in before) and count in (19, 20):
        return "ICCID"
    if count in (19, 20) and digits.startswith("89"):
        return "ICCID"
    if count == 15 and digits[:3] in IMSI_MCC:
        return "IMSI"
    if count == 15 and luhn_valid(digits) and not digits.startswith(("34", "37")):
        return "IMEI"
    if 13 <= count <= 19 and luhn_valid(digits):
        return "CARD"
    if international and 8 <= count <= 17:
        return "PHONE"
    if digits.startswith("0") and count in (10, 11):
        return "PHONE"
    if (digits.startswith("44") and count == 12) or (digits.startswith("7") and count == 10):
        return "PHONE"
    if count >= MIN_ID_DIGITS:
        return "NUMBER"
    return None


def _regex_spans(pattern: re.Pattern[str], text: str, label: str) -> Iterator[Span]:
    for match in pattern.finditer(text):
        yield Span(match.start(), match.end(), label)


def _digit_spans(text: str) -> Iterator[Span]:
    references = [(m.start(), m.end()) for m in _REFERENCE.finditer(text)]
    for match in _DIGITS.finditer(text):
        if any(start <= match.start() < end for start, end in references) or _IPV4_SHAPE.fullmatch(match.group(0)):
            continue
        before = text[max(0, match.start() - 24) : match.start()].lower()
        label = classify_digits(match.group(0), before)
        if label:
            raw = match.group(0)
            end = match.end() - (len(raw) - len(raw.rstrip(" -.(")))
            yield Span(match.start(), end, label)


def _plausible_numeric_date(fragment: str) -> bool:
    """``12/03/1985`` or ``1985-03-12``; ``12-34-56`` (a sort code) is no date."""
    match = _NUMERIC_DATE.fullmatch(fragment)
    if not match:
        return True
    first, month, last = (int(part) for part in match.groups())
    day = last if len(match.group(1)) == 4 else first
    return (1 <= month <= 12 and 1 <= day <= 31) or (1 <= first <= 12 and 1 <= month <= 31)


def _is_old_date(fragment: str, today: date) -> bool:
    if not _plausible_numeric_date(fragment):
        return False
    match = _YEAR_IN_DATE.search(fragment)
    if not match:
        return False
    year = int(match.group(1))
    if year < 100:
        year += 1900 if year > today.year % 100 else 2000
    return 1900 <= year <= today.year - DOB_MIN_AGE_YEARS


def _date_of_birth_spans(text: str, today: date) -> Iterator[Span]:
    for match in _DOB_CONTEXT.finditer(text):
        yield Span(match.start(1), match.end(1), "DOB")
    for match in _FULL_DATE.finditer(text):
        if _is_old_date(match.group(0), today):
            yield Span(match.start(), match.end(), "DOB")


def _address_spans(text: str) -> Iterator[Span]:
    for match in _ADDRESS.finditer(text):
        words = match.group(1).lower().split()
        if not any(word in _NOT_STREET_NAME for word in words):
            yield Span(match.start(), match.end(), "ADDRESS")
    yield from _regex_spans(_FLAT, text, "ADDRESS")


def _zip_spans(text: str) -> Iterator[Span]:
    """US ZIP codes where an address gives them away: ", Springfield, IL 62704", "zip code 80302"."""
    for match in _ZIP_AFTER_STATE.finditer(text):
        if len(match.group(1)) > 2 or match.group(1).upper() in US_STATES:
            yield Span(match.start(2), match.end(2), "POSTCODE")
    yield from (Span(m.start(1), m.end(1), "POSTCODE") for m in _ZIP_NAMED.finditer(text))


def pattern_spans(text: str, today: date | None = None) -> list[Span]:
    """Every shaped identifier in ``text``, possibly overlapping; the redactor resolves overlaps."""
    today = today or date.today()
    spans: list[Span] = []
    spans += _regex_spans(_EMAIL, text, "EMAIL")
    spans += _regex_spans(_EMAIL_SPOKEN, text, "EMAIL")
    spans += _regex_spans(_ACCOUNT, text, "ACCOUNT")
    spans += _regex_spans(_CUSTOMER, text, "CUSTOMER")
    # Ticket and order references go: each leads straight to one customer's record in the OSS/BSS.
    spans += (
        Span(m.start(), m.end(), "TICKET" if m.group(1).upper() == "TT" else "ORDER") for m in _REFERENCE.finditer(text)
    )
    spans += _date_of_birth_spans(text, today)
    spans += _digit_spans(text)
    spans += _regex_spans(_POSTCODE, text, "POSTCODE")
    spans += _address_spans(text)
    spans += _zip_spans(text)
    spans += written_spans(text)
    spans += spoken_spans(text)
    spans += iban_spans(text)
    spans += nino_spans(text)
    spans += mac_spans(text)
    spans += ip_spans(text)
    spans += credential_spans(text)
    return spans
