"""The engine's raw event summaries made safe to store: every free text redacted, every customer reference a pseudonym.

Rasa's event broker writes summaries holding the customer's raw text (version 2, shape in
:mod:`core.contracts.learning_events`). The consumer passes each batch read from the stream through
:class:`EventRedaction` (in a worker thread) before anything is applied or stored; the result is the redacted
summary (version 1) that the broker itself wrote before the engine was split out, so the records are exactly as
redacted as they were. Texts of many events are redacted in one call: spaCy is much faster in batches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import setitem
from typing import Any

from core.contracts.learning_events import SUMMARY_VERSION as RAW_VERSION
from core.pseudonyms import pseudonym
from core.unicode_text import scrub
from learning.keys import PAYLOAD_VERSION
from learning.redaction import Redactor

__all__ = ["RAW_VERSION", "EventRedaction", "Pending", "pending_redaction", "redact_batch"]


@dataclass
class Pending:
    """A summary whose ``texts`` still hold raw text; ``setters`` put the redacted ones in place."""

    summary: dict[str, Any]
    texts: list[str] = field(default_factory=list)
    setters: list[Callable[[str], None]] = field(default_factory=list)

    def text(self, raw: Any, put: Callable[[str], None]) -> None:
        self.texts.append(str(raw or ""))
        self.setters.append(put)


def _text_at(container: dict[str, Any], key: str, pending: Pending) -> None:
    raw = container.get(key)
    container[key] = None  # nothing raw stays behind should redaction be skipped by a bug
    pending.text(raw, partial(setitem, container, key))


def _findings(value: Any, pending: Pending) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, item in value.items() if isinstance(value, dict) else ():
        kept[key] = item
        if not (isinstance(item, (bool, int, float)) or item is None):
            _text_at(kept, key, pending)
    return kept


def _evidence(value: Any, pending: Pending) -> list[dict[str, Any]]:
    calls = [dict(call) for call in value if isinstance(call, dict)] if isinstance(value, list) else []
    for call in calls:
        _text_at(call, "summary", pending)
    return calls


def _identity(value: Any, secret: str) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not value.get("customer_id"):
        return None
    accounts = [pseudonym(secret, str(a)) for a in value.get("account_ids") or []]
    return {"customer": pseudonym(secret, str(value["customer_id"])), "refs": accounts}


def pending_redaction(summary: dict[str, Any], secret: str) -> Pending:
    """Turn a raw (version 2) summary, in place, into the version 1 shape, with its free texts still to redact."""
    pending = Pending(summary)
    kind = summary.get("type")
    if kind == "user":
        entities = [dict(e) for e in summary.get("entities") or [] if isinstance(e, dict)]
        summary["entities"] = entities
        for entity in entities:
            _text_at(entity, "value", pending)
        _text_at(summary, "text", pending)
    elif kind == "bot":
        _text_at(summary, "text", pending)
    elif kind == "slot":
        name, value = summary.get("name"), summary.get("value")
        if name == "findings":
            summary["value"] = _findings(value, pending)
        elif name == "evidence":
            summary["value"] = _evidence(value, pending)
        elif name == "identity":
            summary["value"] = _identity(value, secret)
        elif name == "customer_ref":
            summary["value"] = {"ref": pseudonym(secret, str(value))} if value else None
    summary["v"] = PAYLOAD_VERSION
    return pending


def redact_batch(batch: Sequence[Pending], redact_many: Callable[[list[str]], list[str]]) -> list[dict[str, Any]]:
    """Redact the free texts of every summary in one call; return the summaries, safe to store."""
    texts = [scrub(text) for pending in batch for text in pending.texts]  # spaCy refuses lone surrogates
    redacted = iter(redact_many(texts) if texts else [])
    for pending in batch:
        for put in pending.setters:
            put(next(redacted))
        pending.texts.clear()
        pending.setters.clear()
    return [pending.summary for pending in batch]


class EventRedaction:
    """Redacts and pseudonymises raw summaries; the spaCy pipeline is loaded on first use (in the caller's thread)."""

    def __init__(self, redactor: Callable[[], Redactor], secret: str) -> None:
        self._make_redactor = redactor
        self._redactor: Redactor | None = None
        self._lock = threading.Lock()
        self._secret = secret

    @classmethod
    def from_settings(cls) -> EventRedaction:
        """The redaction of the app's settings: ``spacy_model`` and ``learning_pseudonym_secret``."""
        from core.settings import PROJECT_ROOT, get_settings
        from learning.redaction import build_redactor

        settings = get_settings()
        model, nlu = str(settings.spacy_model), str(PROJECT_ROOT / "data" / "nlu")
        return cls(partial(build_redactor, model, nlu), settings.learning_pseudonym_secret.get_secret_value())

    def redactor(self) -> Redactor:
        with self._lock:
            if self._redactor is None:
                self._redactor = self._make_redactor()
            return self._redactor

    def redact(self, summaries: Sequence[dict[str, Any]]) -> None:
        """Make raw (version 2) summaries safe to store, in place; other versions are left as they are."""
        batch = [pending_redaction(s, self._secret) for s in summaries if s.get("v") == RAW_VERSION]
        if batch:
            redact_batch(batch, self.redactor().redact_many)

    def redact_text(self, text: str) -> str:
        return self.redactor().redact_many([scrub(text)])[0]
