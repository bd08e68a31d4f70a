"""Person names: spaCy's named-entity recogniser (PERSON) plus the phrasings customers use to give a name.

The pipeline is the project's offline English model (``.cache/spacy/en_triage_md``), loaded once per process
with only the components NER needs. The heuristics catch what NER misses in chat text: "my name is tom",
"this is Priya", "Mr Patel". A PERSON guess made only of lower-case words of the bot's own vocabulary ("bill",
"sky") is not a name: those are the words themes are made of.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.learning.redaction.patterns import Span

UNUSED_COMPONENTS = ("parser", "tagger", "attribute_ruler", "lemmatizer", "senter")
"""Everything but tokeniser, tok2vec and NER: finding names needs no more, and each costs time per text."""

_STOP = {
    "a", "an", "the", "on", "in", "at", "to", "of", "and", "or", "but", "not", "no", "yes", "my", "your", "with",
    "from", "for", "is", "was", "are", "be", "been", "still", "just", "here", "there", "calling", "writing",
    "ringing", "trying", "having", "getting", "really", "very", "so", "too", "about", "again", "also", "it",
    "this", "that", "down", "up", "off", "out", "over", "under", "customer", "account", "holder", "unable",
    "sorry", "afraid", "fed", "annoyed", "angry", "upset", "frustrated", "happy", "glad", "fine", "ok", "okay",
    "done", "going", "looking", "waiting", "moving", "paying", "stuck", "confused", "sure", "new", "old",
}  # fmt: skip
_WORD = r"[A-Za-z][A-Za-z'\-]+"
# "my name is tom bradley": whatever the case, the words after the phrase until a common word.
_NAME_IS = re.compile(rf"\b(?:my\s+name\s+is|my\s+name's|name\s*:\s*|call\s+me)\s+((?:{_WORD}\s*){{1,3}})", re.I)
# "this is Priya", "I'm Tom Bradley": only capitalised words, since "I'm annoyed" is no name.
_INTRO = re.compile(
    r"\b(?i:this\s+is|it's|it\s+is|i\s+am|i'm|im|speaking\s+to|speak\s+to|ask\s+for|regards,?|thanks,?|cheers,?)\s+"
    r"([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+){0,2})\b",
)
# The same phrases in any case, for text typed in capitals, where a name cannot be told by its capital letter.
_INTRO_ANY_CASE = re.compile(
    rf"\b(?:this\s+is|it's|it\s+is|i\s+am|i'm|im|speaking\s+to|speak\s+to|ask\s+for|regards,?|thanks,?)\s+"
    rf"((?:{_WORD}\s*){{1,3}})",
    re.IGNORECASE,
)
SHOUTING_SHARE = 0.8
"""Share of upper-case letters from which a text counts as typed in capitals."""
_TITLE = re.compile(r"\b(?:mr|mrs|ms|miss|mx|dr|sir|madam)\.?\s+([A-Za-z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)?)\b", re.I)
_NOT_A_NAME_AFTER_INTRO = {"The", "A", "An", "It", "My", "Not", "Still", "Just", "Very", "So", "This", "That"}

_load_lock = threading.Lock()


@lru_cache(maxsize=2)
def load_ner(model_path: str) -> Any:
    """The spaCy pipeline with only tokeniser, tok2vec and NER (loaded once per process and path)."""
    with _load_lock:
        import spacy  # imported here: spaCy (and TensorFlow behind thinc) take seconds to import

        return spacy.load(Path(model_path), exclude=list(UNUSED_COMPONENTS))


def _phrase_words(text: str, start: int, group: str) -> Span | None:
    """The leading words of ``group`` that are not common words; ``None`` when the first one is."""
    end = start
    for match in re.finditer(_WORD, group):
        if match.group(0).lower() in _STOP:
            break
        end = start + match.end()
    return Span(start, end, "NAME") if end > start else None


def shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= SHOUTING_SHARE * len(letters)


def heuristic_spans(text: str) -> Iterator[Span]:
    if shouting(text):
        for match in _INTRO_ANY_CASE.finditer(text):
            span = _phrase_words(text, match.start(1), match.group(1).lower())
            if span:
                yield span
    for match in _NAME_IS.finditer(text):
        span = _phrase_words(text, match.start(1), match.group(1))
        if span:
            yield span
    for match in _INTRO.finditer(text):
        first = match.group(1).split()[0]
        if first not in _NOT_A_NAME_AFTER_INTRO and first.lower() not in _STOP:
            yield Span(match.start(1), match.end(1), "NAME")
    for match in _TITLE.finditer(text):
        yield Span(match.start(1), match.end(1), "NAME")


class NameFinder:
    """Finds person names; without a spaCy pipeline only the phrasing heuristics run (tests, tools)."""

    def __init__(self, nlp: Any | None, vocabulary: Iterable[str] = ()) -> None:
        self._nlp = nlp
        self._vocabulary = {word.lower() for word in vocabulary}

    def _keep(self, words: list[str]) -> bool:
        everyday = all(word.islower() and word in self._vocabulary for word in words)
        return not everyday

    def _ner_spans(self, doc: Any) -> Iterator[Span]:
        for ent in doc.ents:
            if ent.label_ == "PERSON" and self._keep([token.text for token in ent]):
                yield Span(ent.start_char, ent.end_char, "NAME")

    def spans_many(self, texts: list[str]) -> list[list[Span]]:
        """Name spans of each text; batched through spaCy's ``pipe`` when a pipeline is loaded."""
        found = [list(heuristic_spans(text)) for text in texts]
        if self._nlp is not None:
            # NER tells names by their capitals, so text in capitals is read in lower case (same offsets).
            readable = [text.lower() if shouting(text) and len(text.lower()) == len(text) else text for text in texts]
            for spans, doc in zip(found, self._nlp.pipe(readable, batch_size=64), strict=True):
                spans.extend(self._ner_spans(doc))
        return found
