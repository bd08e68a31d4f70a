"""Replace personal data with typed placeholders (``<PHONE>``, ``<NAME>``...) before anything is stored.

Overlapping finds are merged into one region labelled by the most specific type, so "born 12.03.1985" becomes
``born <DOB>`` rather than a ``<NUMBER>`` inside a date. Placeholders already in a text are left as they are,
so redacting twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

from learning.redaction.names import NameFinder, load_ner
from learning.redaction.patterns import pattern_spans
from learning.redaction.spans import Span

# Most specific first: when finds overlap, the region takes the earliest label of this list.
PRIORITY = ("EMAIL", "PASSWORD", "USERNAME", "ACCOUNT", "TICKET", "ORDER", "CUSTOMER", "IBAN", "NINO", "DOB", "CARD",
            "CVV", "EXPIRY", "PIN", "IMEI", "IMSI", "ICCID", "MAC", "IP", "PHONE", "ADDRESS", "POSTCODE", "NAME",
            "NUMBER")  # fmt: skip
PLACEHOLDERS = frozenset(f"<{label}>" for label in PRIORITY)
_RANK = {label: rank for rank, label in enumerate(PRIORITY)}
_PLACEHOLDER = re.compile(r"<(?:" + "|".join(PRIORITY) + r")>")
_VOCABULARY_WORD = re.compile(r"[a-z][a-z']+")
_ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]+\)|\[([^\]]+)\]\{[^}]+\}")


def merge(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching-inside spans become one, labelled by the highest-priority label among them."""
    merged: list[Span] = []
    for span in sorted(spans):
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            label = min(last.label, span.label, key=lambda name: _RANK.get(name, len(PRIORITY)))
            merged[-1] = Span(last.start, max(last.end, span.end), label)
        else:
            merged.append(span)
    return merged


def apply(text: str, spans: Iterable[Span]) -> str:
    out: list[str] = []
    cursor = 0
    for span in merge(spans):
        out.append(text[cursor : span.start])
        out.append(f"<{span.label}>")
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


def _outside_placeholders(text: str, spans: list[Span]) -> list[Span]:
    taken = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    return [s for s in spans if not any(s.start < end and start < s.end for start, end in taken)]


class Redactor:
    """Redacts texts one by one or in batches (batches are much faster with the spaCy pipeline)."""

    def __init__(self, names: NameFinder, today: date | None = None) -> None:
        self._names = names
        self._today = today

    def redact_many(self, texts: list[str]) -> list[str]:
        name_spans = self._names.spans_many(texts)
        redacted = []
        for text, names in zip(texts, name_spans, strict=True):
            spans = _outside_placeholders(text, pattern_spans(text, self._today) + names)
            redacted.append(apply(text, spans))
        return redacted

    def redact(self, text: str) -> str:
        return self.redact_many([text])[0]


def training_vocabulary(nlu_dir: Path) -> set[str]:
    """Lower-case words of the bot's NLU examples (entity values left out): the words themes are made of."""
    words: set[str] = set()
    for path in sorted(nlu_dir.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- ") and "intent:" not in stripped:
                plain = _ENTITY_MARKUP.sub(" ", stripped[2:])
                words.update(_VOCABULARY_WORD.findall(plain.lower()))
    return words


@lru_cache(maxsize=2)
def build_redactor(model_path: str | None, nlu_dir: str | None = None) -> Redactor:
    """The process-wide redactor: spaCy NER from ``model_path`` (``None``: phrasing heuristics only)."""
    nlp = load_ner(model_path) if model_path else None
    vocabulary = training_vocabulary(Path(nlu_dir)) if nlu_dir else set()
    return Redactor(NameFinder(nlp, vocabulary))
