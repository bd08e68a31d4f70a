"""A survey comment checked before it is taken: refused when it cannot be shown as written.

The gateway does not redact it (it loads no spaCy: the pipeline takes seconds to load and would stall its event
loop). A comment that passes goes, as typed, to the learning consumer (``SatisfactionStore.record``), which
redacts it with the learning store's redactor before it is kept in the answer (``learning.survey_comments``).
"""

from __future__ import annotations

import re
import unicodedata

from core.errors import Unprocessable
from core.unicode_text import scrub
from learning.satisfaction import MAX_COMMENT_CHARS

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters that reorder the text around them (Trojan Source): a comment holding one would read differently
to the product owner than it was written."""


def checked(comment: str | None) -> str | None:
    """The comment as typed (``None`` when blank), or :class:`Unprocessable` when it is too long or holds broken
    or reordering characters; nothing is kept then."""
    if comment is None:
        return None
    if scrub(comment) != comment:
        raise Unprocessable("invalid_text", "The comment holds broken characters: please type it again.")
    if BIDI_CONTROLS.search(comment):
        raise Unprocessable(
            "invalid_text", "The comment holds invisible characters that reorder text: please type it again."
        )
    text = unicodedata.normalize("NFC", comment).strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise Unprocessable(
            "comment_too_long", f"The comment is {len(text):,} characters; the limit is {MAX_COMMENT_CHARS:,}."
        )
    return text or None
