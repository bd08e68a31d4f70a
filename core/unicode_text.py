"""Text as people type it, made safe to store and to show: a lone UTF-16 surrogate (valid in JSON's ``\\ud800``
escape, never in UTF-8) would make every later Redis write of that text fail, so it becomes U+FFFD; and the
bidirectional embedding, override and isolate controls, which reorder the text around them (a right-to-left
override in one message reversed the next one in the agent's case), are removed. Right-to-left text itself
(Arabic, Hebrew) needs none of them, and the marks U+200E/U+200F, which reorder nothing beyond a character, stay."""

from __future__ import annotations

import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def scrub(text: str) -> str:
    return _LONE_SURROGATE.sub(REPLACEMENT, text)


def plain_text(text: str) -> str:
    """``scrub`` and without bidirectional controls: for what customers and agents type, shown to the other."""
    return _BIDI_CONTROLS.sub("", scrub(text))
