"""New utterances into existing themes: the nearest theme when close enough, else new themes mined from the rest.

Themes keep their identity across windows and days: a theme is remembered by its reference utterances (the
members nearest its centre when it was mined). To place new utterances, one feature space is fitted on the
references and the new texts together, each theme's centre is the mean of its references there, and a new text
joins the nearest theme when its cosine similarity reaches ``ASSIGN_SIMILARITY``. The texts left over are
grouped as a full mining groups them (:func:`learning.mining.clustering.group`) into new themes.
A run with no existing theme is therefore a full mining. Pure function on plain data: it runs in the worker.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.preprocessing import normalize

from learning.mining import clustering
from learning.mining.engine import intent_centres, nearest_intents
from learning.mining.features import Matrix, WordVectors, fit_features
from learning.mining.labels import key_terms

ASSIGN_SIMILARITY = 0.6
"""Cosine similarity to a theme's centre from which a new utterance joins that theme. Measured on DSTC11
(bench/bench_learning.py: half mined with 4 gold intents held back, the rest placed; mean of 3 seeds): at 0.6,
79% of new utterances of known intents join their theme, 85% of the held-back intents' form new themes, and the
whole scores NMI 0.797 (mining all at once: 0.813); at 0.5: 83%, 56%, 0.776; at 0.7: 66%, 93%, 0.780.
A left-over utterance that is nearer an existing theme than the new group it falls in stays with the theme."""
REFERENCES_KEPT = 40
"""Utterances nearest a new theme's centre kept to describe it in later runs (enough for a stable centre)."""


@dataclass
class NewTheme:
    references: list[str]
    """Distinct member texts nearest the centre, nearest first; the first is the theme's title."""
    terms: list[str]
    intent: tuple[str | None, float] | None


@dataclass
class Placed:
    themes: list[int]
    """Per new text: index of an existing theme (< number of existing themes) or ``existing + i`` for new theme i."""
    closeness: list[float]
    """Per new text: cosine similarity to its theme's centre."""
    intents: list[tuple[str | None, float]] = field(default_factory=list)
    """Per new text: nearest existing intent and its similarity (the NLU candidates' suggestion)."""
    new_themes: list[NewTheme] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mb: float = 0.0


def _new_themes(
    vectors: Matrix, nearest_existing: npt.NDArray[np.float32], distance: float, seed: int
) -> tuple[list[int], list[float], Matrix]:
    """Group the left-over texts into new themes: each text's group (-1: it stays with the nearest existing theme,
    being closer to that than to the new group it was folded into), its closeness, and the groups' centres."""
    grouping = clustering.group(vectors, distance, seed)
    closeness = np.einsum("ij,ij->i", vectors, grouping.centroids[grouping.labels])
    labels = np.where(closeness >= nearest_existing, grouping.labels, -1)
    kept = np.unique(labels[labels >= 0])
    renumber = np.full(len(grouping.centroids), -1)
    renumber[kept] = np.arange(len(kept))
    labels = np.where(labels >= 0, renumber[np.maximum(labels, 0)], -1)
    return [int(x) for x in labels], [float(c) for c in closeness], grouping.centroids[kept]


def place_texts(
    texts: list[str],
    references: list[list[str]],
    model_path: str | None = None,
    nlu_dir: str | None = None,
    *,
    threshold: float = ASSIGN_SIMILARITY,
    distance: float = clustering.MERGE_DISTANCE,
    seed: int = 0,
) -> Placed:
    """Place each of ``texts`` in one of the themes described by ``references`` or in a new theme."""
    began = time.perf_counter()
    existing = len(references)
    if not texts:
        return Placed([], [])
    corpus = sorted({*texts, *(r for refs in references for r in refs)})
    vectors = WordVectors.load(Path(model_path)) if model_path else None
    space, matrix = fit_features(corpus, vectors, seed) if len(corpus) > 1 else fit_features(corpus * 2, vectors)
    row = {text: i for i, text in enumerate(corpus)}
    centres = np.zeros((existing, matrix.shape[1]), dtype=np.float32)
    for t, refs in enumerate(references):
        if refs:
            centres[t] = matrix[[row[r] for r in refs]].mean(axis=0)
    centres = normalize(centres).astype(np.float32) if existing else centres
    new = matrix[[row[t] for t in texts]]
    similarity = new @ centres.T if existing else np.zeros((len(texts), 0), dtype=np.float32)
    best = similarity.argmax(axis=1) if existing else np.zeros(len(texts), dtype=np.int64)
    best_similarity = similarity.max(axis=1) if existing else np.full(len(texts), -1.0)
    placed = Placed([int(b) for b in best], [round(float(s), 4) for s in best_similarity])
    left = [i for i in range(len(texts)) if best_similarity[i] < threshold]
    all_centres = centres
    if left:
        left_unique = sorted({texts[i] for i in left})
        nearest_existing = matrix[[row[t] for t in left_unique]] @ centres.T if existing else None
        floor = nearest_existing.max(axis=1) if nearest_existing is not None else np.full(len(left_unique), -1.0)
        groups, closeness, new_centres = _new_themes(
            matrix[[row[t] for t in left_unique]], floor.astype(np.float32), distance, seed
        )
        where = {text: (groups[j], closeness[j]) for j, text in enumerate(left_unique)}
        for i in left:
            group, close = where[texts[i]]
            if group >= 0:
                placed.themes[i], placed.closeness[i] = existing + group, round(close, 4)
        grouped = [j for j, g in enumerate(groups) if g >= 0]
        members = [left_unique[j] for j in grouped]
        labels = np.asarray([groups[j] for j in grouped], dtype=np.int64)
        terms = key_terms(members, labels, len(new_centres))
        by_group: list[list[int]] = [[] for _ in range(len(new_centres))]
        for j in sorted(grouped, key=lambda j: -closeness[j]):
            by_group[groups[j]].append(j)
        for g, rows in enumerate(by_group):
            placed.new_themes.append(NewTheme([left_unique[j] for j in rows[:REFERENCES_KEPT]], terms[g], None))
        all_centres = np.vstack([centres, new_centres]).astype(np.float32)
    intents = intent_centres(space, Path(nlu_dir)) if nlu_dir else None
    if intents is not None:
        names, intent_matrix = intents
        placed.intents = nearest_intents(new, names, intent_matrix)
        if placed.new_themes:
            theme_intents = nearest_intents(all_centres[existing:], names, intent_matrix)
            for theme, intent in zip(placed.new_themes, theme_intents, strict=True):
                theme.intent = intent
    placed.seconds = round(time.perf_counter() - began, 3)
    placed.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return placed
