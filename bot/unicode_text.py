"""Text as people type it, made safe to store: a lone UTF-16 surrogate (valid in JSON's ``\\ud800`` escape,
never in UTF-8) would make every later Redis write of that text fail, so it becomes U+FFFD."""

from __future__ import annotations

import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def scrub(text: str) -> str:
    return _LONE_SURROGATE.sub(REPLACEMENT, text)
