"""A survey comment made safe to keep: refused when it cannot be shown as written, then redacted.

Redaction is the learning store's own redactor (``learning.redaction``: spaCy NER for names, patterns for
shaped identifiers such as phone numbers and IBANs), so a comment is kept as every other text is. Its spaCy pipeline
takes seconds to load, so the gateway starts loading it in a thread when the first customer opens a chat
(:func:`warm_up`), long before any chat ends; answers wait for it only if it is not ready.
"""

from __future__ import annotations

import re
import sys
import threading
import unicodedata

from core.errors import Unprocessable
from core.settings import PROJECT_ROOT, Settings
from core.unicode_text import scrub
from learning.redaction import Redactor, build_redactor
from learning.satisfaction import MAX_COMMENT_CHARS

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters that reorder the text around them (Trojan Source): a comment holding one would read differently
to the product owner than it was written."""

_load_lock = threading.Lock()
_run_lock = threading.Lock()  # one comment at a time through the spaCy pipeline
_warming = threading.Event()


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


def _redactor(settings: Settings) -> Redactor:
    """The process's redactor (cached by ``build_redactor``). TensorFlow, installed for Rasa, is hidden from
    spaCy's thinc while it loads, as the insights' mining worker does: the gateway never needs it, and it would
    add seconds and hundreds of MB."""
    model = settings.spacy_model if (settings.spacy_model / "vocab").exists() else None
    with _load_lock:
        hidden = "tensorflow" not in sys.modules
        if hidden:
            sys.modules["tensorflow"] = None  # type: ignore[assignment]
        try:
            return build_redactor(str(model) if model else None, str(PROJECT_ROOT / "data" / "nlu"))
        finally:
            if hidden and sys.modules.get("tensorflow", 0) is None:
                del sys.modules["tensorflow"]  # anything else in this process may still import it


def warm_up(settings: Settings) -> None:
    """Start loading the redactor in the background, once per process."""
    if _warming.is_set():
        return
    _warming.set()
    threading.Thread(target=_redactor, args=(settings,), name="survey-redactor", daemon=True).start()


def redacted(settings: Settings, text: str) -> str:
    """``text`` without personal data, as the learning store keeps texts. Blocking: run it in a thread."""
    redactor = _redactor(settings)
    with _run_lock:
        result = redactor.redact(text)
    return scrub(result)[:MAX_COMMENT_CHARS]  # a placeholder may be longer than what it replaced
