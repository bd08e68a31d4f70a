"""Text as people type it, made safe to store and to show: a lone UTF-16 surrogate (valid in JSON's ``\\ud800``
escape, never in UTF-8) would make every later Redis write of that text fail, so it becomes U+FFFD; and the
bidirectional embedding, override and isolate controls, which reorder the text around them (a right-to-left
override in one message reversed the next one in the agent's case), are removed. Right-to-left text itself
(Arabic, Hebrew) needs none of them, and the marks U+200E/U+200F, which reorder nothing beyond a character, stay."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def scrub(text: str) -> str:
    return _LONE_SURROGATE.sub(REPLACEMENT, text)


def plain_text(text: str) -> str:
    """``scrub`` and without bidirectional controls: for what customers and agents type, shown to the other."""
    return _BIDI_CONTROLS.sub("", scrub(text))


def _scrubbed(value: object) -> object:
    return scrub(value) if isinstance(value, str) else value


def _as_typed(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    try:
        return handler(value)
    except ValidationError:
        if not isinstance(value, str) or scrub(value) == value:
            raise
        handler(scrub(value))  # the field's length and pattern, checked on the same text with U+FFFD
        return value


# pydantic 2 refuses a string holding a lone surrogate ("unable to parse raw data as a unicode string"), so a
# login with "\ud800" in it would be a 422 about parsing instead of the wrong login it is. A field chooses:
SCRUBBED = BeforeValidator(_scrubbed)
"""The surrogate becomes U+FFFD before validation."""
AS_TYPED = WrapValidator(_as_typed)
"""Kept as typed, for code that says what is wrong with it ("The comment holds broken characters")."""
# Constraints go before them, as in ``Annotated[str, Field(max_length=64), SCRUBBED]``: after them, pydantic
# checks the length as a collection's ("Value should have at most 64 items") instead of a string's.
ScrubbedStr = Annotated[str, SCRUBBED]
TypedStr = Annotated[str, AS_TYPED]
