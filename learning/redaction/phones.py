"""Phone numbers in any form: libphonenumber's matcher for written numbers of every country, and numbers
spelled out in words the way people say them ("oh seven seven double nine ... nine hundred ...").

UK-shaped digit runs are also classified in :mod:`learning.redaction.patterns` (it knows the test ranges,
such as 07700 900xxx, that libphonenumber does not count as valid).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from phonenumbers import Leniency

from learning.redaction.spans import Span

DEFAULT_REGION = "GB"
"""How a number without a country code is read: the operator's own country."""
MIN_SPOKEN_DIGITS = 10
"""A spelled-out run this long is a phone number (UK numbers have 10 or 11 digits; shorter runs are counts)."""
MAX_SPOKEN_DIGITS = 15
"""E.164 allows no more."""

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "nil": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEAT = {"double": 2, "triple": 3}
_TIMES = {"hundred": "00", "thousand": "000"}
_TOKEN = re.compile(r"[A-Za-z]+|\d+|\+")
_SEPARATOR = re.compile(r"[\s,.\-()]*")


def written_spans(text: str) -> Iterator[Span]:
    """Numbers libphonenumber finds valid for their country (``+1 415 555 0132``, ``0161 496 0000``)."""
    if sum(char.isdigit() for char in text) < 7:
        return
    for match in phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION, leniency=Leniency.VALID):
        yield Span(match.start, match.end, "PHONE")


def _spoken_value(token: str, repeat: int) -> str | None:
    word = token.lower()
    if word.isdigit() or word == "+":
        return word * repeat if word != "+" else "+"
    if word in _DIGIT_WORDS:
        return _DIGIT_WORDS[word] * repeat
    return None


def spoken_spans(text: str) -> Iterator[Span]:
    """Runs of spoken digits (mixed with written ones) long enough to be a phone number."""
    tokens = list(_TOKEN.finditer(text))
    index = 0
    while index < len(tokens):
        digits, start, end, last, words, repeat = "", None, 0, 0, 0, 1
        cursor = index
        while cursor < len(tokens):
            token = tokens[cursor]
            gap = text[last : token.start()]
            if start is not None and not _SEPARATOR.fullmatch(gap):
                break
            word = token.group(0).lower()
            # A full stop separates digits ("07700.900.123"), not spoken words: "...6512. Oh, and yes".
            if start is not None and "." in gap and not (word.isdigit() and text[last - 1].isdigit()):
                break
            if word in _REPEAT and repeat == 1:
                repeat = _REPEAT[word]
            elif word in _TIMES and digits and repeat == 1:
                digits += _TIMES[word]
                end = token.end()
            else:
                value = _spoken_value(word, repeat)
                if value is None:
                    break
                digits += value
                start = token.start() if start is None else start
                end, repeat = token.end(), 1
                words += word.isalpha()
            last = token.end()
            cursor += 1
        count = len(digits.lstrip("+"))
        if start is not None and words and MIN_SPOKEN_DIGITS <= count <= MAX_SPOKEN_DIGITS:
            yield Span(start, end, "PHONE")
        # A run is judged whole (also when too long for a number): starting again inside it would take quadratic
        # time on a message of nothing but digits.
        index = max(cursor, index + 1)
