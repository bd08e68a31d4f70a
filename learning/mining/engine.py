"""Theme mining of a list of redacted utterances: one pure function, run in a worker process.

:func:`mine_texts` takes only texts and paths and returns plain data, so the gateway can run it in a separate
process (:class:`bot.insights.state.MiningPool`) and keep the customers' chat responsive while it computes.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.preprocessing import normalize

from learning.mining import clustering
from learning.mining.features import FeatureSpace, Matrix, WordVectors, fit_features
from learning.mining.intents import training_examples
from learning.mining.labels import key_terms


@dataclass
class MinedGroups:
    labels: list[int]
    """Theme index of each input text (equal texts share one)."""
    closeness: list[float]
    """Cosine similarity of each text to its theme's centre (typical examples are close)."""
    terms: list[list[str]]
    theme_intents: list[tuple[str | None, float]] = field(default_factory=list)
    """Nearest existing intent of each theme and its similarity."""
    text_intents: list[tuple[str | None, float]] = field(default_factory=list)
    """Nearest existing intent of each text: the suggestion for NLU training candidates."""
    probe_themes: list[tuple[int, float]] = field(default_factory=list)
    """Nearest theme (and similarity) of each probe text, e.g. a backlog item's examples."""
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    """Largest resident memory of the process that mined (the worker), in MB."""


def intent_centres(space: FeatureSpace, nlu_dir: Path) -> tuple[list[str], Matrix] | None:
    examples = training_examples(nlu_dir)
    if not examples:
        return None
    names = sorted(examples)
    centres = normalize(np.vstack([space.transform(examples[name]).mean(axis=0) for name in names]))
    return names, centres.astype(np.float32)


def nearest_intents(vectors: Matrix, names: list[str], centres: Matrix) -> list[tuple[str | None, float]]:
    similarity = vectors @ centres.T
    best = np.argmax(similarity, axis=1)
    return [(names[i], round(float(similarity[row, i]), 3)) for row, i in enumerate(best)]


def mine_texts(
    texts: list[str],
    model_path: str | None = None,
    nlu_dir: str | None = None,
    seed: int = 0,
    probes: list[str] | None = None,
    distance: float = clustering.MERGE_DISTANCE,
) -> MinedGroups:
    """Group ``texts`` into themes; ``model_path`` adds spaCy vectors, ``nlu_dir`` suggests intents, and each
    of ``probes`` is placed in its nearest theme."""
    began = time.perf_counter()
    if not texts:
        return MinedGroups([], [], [])
    unique, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    unique_texts = [str(text) for text in unique]
    vectors = WordVectors.load(Path(model_path)) if model_path else None
    if len(unique_texts) < clustering.MIN_THEME_SIZE:
        labels = np.zeros(len(unique_texts), dtype=np.int64)
        probe_themes = [(0, 0.0) for _ in probes or []]
        terms = key_terms(unique_texts, labels, 1)
        return MinedGroups([0] * len(texts), [1.0] * len(texts), terms, probe_themes=probe_themes)
    space, matrix = fit_features(unique_texts, vectors, seed)
    grouping = clustering.group(matrix, distance, seed)
    closeness = np.einsum("ij,ij->i", matrix, grouping.centroids[grouping.labels])
    terms = key_terms(unique_texts, grouping.labels, len(grouping.centroids))
    mined = MinedGroups(
        labels=[int(grouping.labels[i]) for i in inverse],
        closeness=[round(float(closeness[i]), 4) for i in inverse],
        terms=terms,
    )
    centres = intent_centres(space, Path(nlu_dir)) if nlu_dir else None
    if centres is not None:
        names, intent_matrix = centres
        mined.theme_intents = nearest_intents(grouping.centroids, names, intent_matrix)
        per_unique = nearest_intents(matrix, names, intent_matrix)
        mined.text_intents = [per_unique[i] for i in inverse]
    if probes:
        placed = space.transform(probes) @ grouping.centroids.T
        mined.probe_themes = [(int(row.argmax()), round(float(row.max()), 3)) for row in placed]
    mined.seconds = round(time.perf_counter() - began, 3)
    mined.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return mined
