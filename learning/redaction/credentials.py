"""Secrets customers type into a chat: passwords (and memorable words, security answers), user names, PINs, a
card's security code and expiry date.

A secret has no shape, so it is found by the words that introduce it ("my password is ...", "username: ...",
"cvv 123", "exp 04/27"). What follows such a phrase is not a secret when it is an everyday word: "my password
is wrong" says nothing private.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from learning.redaction.spans import Span

_NOT_A_SECRET = {
    "wrong", "incorrect", "correct", "right", "not", "no", "the", "my", "a", "an", "still", "now", "just", "being",
    "expired", "locked", "invalid", "valid", "changed", "reset", "same", "different", "blank", "empty", "lost",
    "forgotten", "case", "too", "working", "rejected", "refused", "accepted", "fine", "ok", "okay", "there",
    "what", "on", "in", "for", "required", "needed", "asked", "unknown", "missing", "sent", "set", "it", "this",
    "that", "also", "already", "definitely", "probably", "saved", "stored", "written", "showing", "shown",
}  # fmt: skip
_INTRO = r"\s*(?:is|was|=|:|-)\s*(?:now\s+|still\s+)?"
_QUOTES = "\"'\u201c\u201d\u2018\u2019"
_SECRET_VALUE = rf"[{_QUOTES}]?([^\s,;{_QUOTES}][^\s{_QUOTES}]*?)[{_QUOTES}]?(?=[,;.)]?(?:\s|$))"
_PASSWORD = re.compile(
    rf"\b(?:pass\s?word|passwd|pwd|pw|passphrase|wi-?fi\s+(?:key|password)|network\s+key){_INTRO}{_SECRET_VALUE}",
    re.IGNORECASE,
)
# The answer is the rest of the clause: "the answer to my security question is, my favourite colour is teal".
_ANSWER = re.compile(
    r"\b(?:memorable\s+(?:word|answer|phrase|date|place)|security\s+answer|secret\s+answer|answer\s+to\s+(?:my|the)"
    r"\s+security\s+question|maiden\s+name)\s*(?:is|was|=|:|-)\s*[,:]?\s*(?:now\s+)?([^\s.,;!?][^.;!?\n]{0,60})",
    re.IGNORECASE,
)
_USERNAME = re.compile(
    rf"\b(?:user\s?name|user\s?id|login(?:\s+(?:name|id))?|log-?in\s+name|sign[- ]?in\s+name){_INTRO}{_SECRET_VALUE}",
    re.IGNORECASE,
)
_PIN = re.compile(
    r"\b(?:pin(?:\s+(?:code|number))?|passcode|security\s+pin)\s*(?:is|was|=|:|-)?\s*(?:now\s+)?(\d{4,8})\b",
    re.IGNORECASE,
)
_CVV = re.compile(
    r"\b(?:cvv2?|cvc2?|csc|cv2|card\s+security\s+code|security\s+code|(?:3|three|4|four)[- ]digit\s+"
    r"(?:security\s+)?(?:code|number)|(?:last\s+)?(?:3|three)\s+digits\s+on\s+the\s+back)\b[^\d\n]{0,24}?(?<!\d)(\d{3,4})\b(?![/.\-]\d)",
    re.IGNORECASE,
)
_EXPIRY = re.compile(
    r"\b(?:exp(?:iry|ires|iration|iring)?(?:\s+date)?|valid\s+(?:thru|through|until|till|to)|good\s+thru"
    r"|end\s+date)\.?\s*(?:is|:|on|-|date)?\s*((?:0?[1-9]|1[0-2])\s?[/\-.]\s?(?:\d{4}|\d{2}))\b",
    re.IGNORECASE,
)


def _introduced(pattern: re.Pattern[str], text: str, label: str) -> Iterator[Span]:
    for match in pattern.finditer(text):
        value = match.group(1)
        if value.lower().strip(".,;!?") not in _NOT_A_SECRET:
            yield Span(match.start(1), match.end(1), label)


def credential_spans(text: str) -> Iterator[Span]:
    yield from _introduced(_PASSWORD, text, "PASSWORD")
    yield from _introduced(_ANSWER, text, "PASSWORD")
    yield from _introduced(_USERNAME, text, "USERNAME")
    for pattern, label in ((_PIN, "PIN"), (_CVV, "CVV"), (_EXPIRY, "EXPIRY")):
        for match in pattern.finditer(text):
            yield Span(match.start(1), match.end(1), label)
