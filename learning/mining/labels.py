"""Key terms of each theme: class-based TF-IDF over words and word pairs (the terms that set a theme apart)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

TERMS_KEPT = 8
LABEL_TERMS = 3
_TERM_TOKENS = r"(?u)\b[a-zA-Z][a-zA-Z']+\b"
"""Placeholders (``<PHONE>``) are left out: they say what was redacted, not what the theme is about."""
# Chat filler that every theme shares: never what a theme is about.
FILLER = frozenset(
    {
        "hi",
        "hello",
        "hey",
        "hiya",
        "thanks",
        "thank",
        "please",
        "need",
        "want",
        "like",
        "help",
        "ok",
        "okay",
        "yes",
        "yeah",
        "really",
        "just",
        "im",
        "i'm",
        "i've",
        "it's",
        "don't",
        "can't",
        "does",
    }
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | FILLER)
_PLACEHOLDER = re.compile(r"<[A-Z]+>")
_WORD = re.compile(_TERM_TOKENS)
# Words of answers to the bot's form questions ("sure, it's <ACCOUNT>"): no need is said in them.
ANSWER_WORDS = frozenset({"sure", "account", "number", "postcode", "phone", "mobile", "yep", "nope", "cheers",
                          "ta", "correct", "right", "thats", "that's"})  # fmt: skip
_NOT_CONTENT = frozenset(STOP_WORDS) | ANSWER_WORDS


def without_placeholders(text: str) -> str:
    return _PLACEHOLDER.sub(" ", text)


def has_content(text: str) -> bool:
    """Whether ``text`` has a word that is not a placeholder, a stop word, chat filler or a form answer."""
    return any(word.lower() not in _NOT_CONTENT for word in _WORD.findall(without_placeholders(text)))


def key_terms(texts: Sequence[str], labels: npt.NDArray[np.int64], themes: int) -> list[list[str]]:
    """The ``TERMS_KEPT`` most distinctive terms of each theme, best first."""
    if not texts:
        return [[] for _ in range(themes)]
    counter = CountVectorizer(ngram_range=(1, 2), stop_words=STOP_WORDS, token_pattern=_TERM_TOKENS)
    try:
        counts = counter.fit_transform([without_placeholders(text) for text in texts])
    except ValueError:
        return [[] for _ in range(themes)]
    vocabulary = counter.get_feature_names_out()
    per_theme = np.zeros((themes, counts.shape[1]), dtype=np.float64)
    for theme in range(themes):
        rows = np.flatnonzero(labels == theme)
        if len(rows):
            per_theme[theme] = np.asarray(counts[rows].sum(axis=0)).ravel()
    frequency = per_theme.sum(axis=0)
    average = max(per_theme.sum() / max(themes, 1), 1.0)
    totals = np.maximum(per_theme.sum(axis=1, keepdims=True), 1.0)
    scores = (per_theme / totals) * np.log1p(average / np.maximum(frequency, 1.0))
    result = []
    for theme in range(themes):
        best = [vocabulary[i] for i in np.argsort(-scores[theme])[: TERMS_KEPT * 3] if per_theme[theme, i] > 0]
        result.append(_without_overlap(best)[:TERMS_KEPT])
    return result


def _without_overlap(terms: list[str]) -> list[str]:
    """Drop a single word when a better-ranked pair already holds it ("red light" hides "light")."""
    kept: list[str] = []
    for term in terms:
        words = set(term.split())
        if any(words <= set(other.split()) or set(other.split()) <= words for other in kept):
            continue
        kept.append(term)
    return kept


def label(terms: list[str]) -> str:
    return " · ".join(terms[:LABEL_TERMS]) if terms else "(no key terms)"
