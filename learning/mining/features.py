"""Utterances as vectors: sparse word and character n-grams (reduced with SVD) beside spaCy word vectors.

The sparse part sees the exact words and survives typos (character n-grams); the word vectors let "no
signal" and "no service" meet. Each part is L2-normalised, the vectors part weighted by ``VECTOR_WEIGHT``, and
the whole row normalised again, so a dot product is a cosine similarity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import]
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

SVD_DIMENSIONS = 50
"""Enough to keep the topics apart, few enough that cosine distances stay meaningful (checked on DSTC11)."""
VECTOR_WEIGHT = 0.5
"""Weight of the spaCy word-vector part against the n-gram part."""
TOKENS = r"(?u)<?\b[a-zA-Z][a-zA-Z']+\b>?"
Matrix = npt.NDArray[np.float32]
"""Words of two or more letters; placeholders such as ``<PHONE>`` count as one word."""


@dataclass(frozen=True)
class WordVectors:
    """The 300-d vectors of the project's spaCy pipeline, looked up by lower-case word."""

    table: Matrix
    key2row: Mapping[int, int]

    @classmethod
    def load(cls, model_path: Path) -> WordVectors:
        return _load_vectors(str(model_path))

    def rows(self, words: Sequence[str]) -> Matrix:
        from spacy.strings import hash_string  # type: ignore[attr-defined]

        out = np.zeros((len(words), self.table.shape[1]), dtype=np.float32)
        for i, word in enumerate(words):
            row = self.key2row.get(hash_string(word.lower().strip("<>")), -1)
            if row >= 0:
                out[i] = self.table[row]
        return out


@lru_cache(maxsize=1)
def _load_vectors(model_path: str) -> WordVectors:
    from spacy.vectors import Vectors  # imported here: spaCy's import takes seconds

    vectors = Vectors().from_disk(Path(model_path) / "vocab")
    return WordVectors(np.asarray(vectors.data, dtype=np.float32), vectors.key2row)


@dataclass
class FeatureSpace:
    """Fitted on one set of utterances; :meth:`transform` places other texts in the same space."""

    words: TfidfVectorizer
    chars: TfidfVectorizer
    svd: TruncatedSVD
    word_vectors: Matrix | None
    """Row per word of ``words``' vocabulary (zeros for words without a vector), or ``None``."""

    def transform(self, texts: Sequence[str]) -> Matrix:
        word_matrix = self.words.transform(texts)
        grams = sparse.hstack([word_matrix, self.chars.transform(texts)]).tocsr()
        parts = [normalize(self.svd.transform(grams))]
        if self.word_vectors is not None:
            parts.append(VECTOR_WEIGHT * normalize(np.asarray(word_matrix @ self.word_vectors)))
        combined: Matrix = normalize(np.hstack(parts)).astype(np.float32)
        return combined

    @property
    def vocabulary(self) -> npt.NDArray[np.str_]:
        return np.asarray(self.words.get_feature_names_out())


def fit_features(texts: Sequence[str], vectors: WordVectors | None, seed: int = 0) -> tuple[FeatureSpace, Matrix]:
    """Fit the space on ``texts`` and return it with their vectors (one row each)."""
    words = TfidfVectorizer(sublinear_tf=True, stop_words="english", token_pattern=TOKENS, lowercase=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=True)
    try:
        word_matrix = words.fit_transform(texts)
    except ValueError:  # only stop words: fall back to every word
        words = TfidfVectorizer(sublinear_tf=True, token_pattern=TOKENS)
        word_matrix = words.fit_transform(texts)
    try:
        char_matrix = chars.fit_transform(texts)
    except ValueError:  # too few texts for min_df
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        char_matrix = chars.fit_transform(texts)
    grams = sparse.hstack([word_matrix, char_matrix]).tocsr()
    dimensions = max(1, min(SVD_DIMENSIONS, grams.shape[1] - 1, grams.shape[0] - 1))
    svd = TruncatedSVD(dimensions, random_state=seed, algorithm="randomized", n_iter=5)
    with np.errstate(invalid="ignore", divide="ignore"):  # explained_variance_ratio_ (unused) of equal rows: 0/0
        svd.fit(grams)
    table = vectors.rows(list(words.get_feature_names_out())) if vectors is not None else None
    space = FeatureSpace(words, chars, svd, table)
    return space, space.transform(texts)
