"""Grouping utterance vectors into themes; the number of themes follows from the data.

Average-linkage agglomerative clustering on cosine distance, cut where the mean distance between two groups
exceeds ``MERGE_DISTANCE``: utterances closer than that on average belong together. The cut, not a count,
is the product's choice, so twenty or two hundred themes come out as the data has them. Groups too small to
be a theme are folded into the nearest theme. Large inputs are clustered on a seeded sample and the rest is
assigned to the nearest theme centre, which keeps mining 50,000 records within seconds and a bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import]
from scipy.spatial.distance import pdist  # type: ignore[import]
from sklearn.preprocessing import normalize

MERGE_DISTANCE = 0.6
"""Mean cosine distance at which two groups stop merging (calibrated on the bot's NLU examples)."""
SAMPLE_MAX = 3000
"""Vectors clustered directly (O(n²) memory: 3,000 → 36 MB of distances); the rest are assigned."""
MIN_THEME_SHARE = 0.005
"""A group smaller than this share of the sample (and than ``MIN_THEME_SIZE``) joins its nearest theme."""
MIN_THEME_SIZE = 3
ASSIGN_CHUNK = 20_000

Matrix = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


@dataclass
class Grouping:
    labels: Labels
    """Theme index of each input vector."""
    centroids: Matrix
    """Unit-length centre of each theme."""


def _centroids(vectors: npt.NDArray[Any], labels: Labels, count: int) -> Matrix:
    sums = np.zeros((count, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, vectors)
    centres: Matrix = normalize(sums).astype(np.float32)
    return centres


def assign(vectors: npt.NDArray[Any], centroids: Matrix) -> Labels:
    """Nearest centre by cosine, in chunks so memory stays flat."""
    labels = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), ASSIGN_CHUNK):
        labels[start : start + ASSIGN_CHUNK] = np.argmax(vectors[start : start + ASSIGN_CHUNK] @ centroids.T, axis=1)
    return labels


def _fold_small(vectors: npt.NDArray[Any], labels: Labels, min_size: int) -> tuple[Labels, Matrix]:
    """Renumber groups of at least ``min_size``; members of smaller ones go to the nearest big centre."""
    _, dense = np.unique(labels, return_inverse=True)
    sizes = np.bincount(dense)
    big = np.flatnonzero(sizes >= min_size)
    if len(big) == 0:
        big = np.array([int(np.argmax(sizes))])
    renumber = np.full(len(sizes), -1)
    renumber[big] = np.arange(len(big))
    kept = renumber[dense]
    centroids = _centroids(vectors[kept >= 0], kept[kept >= 0], len(big))
    stray = kept < 0
    if stray.any():
        kept[stray] = assign(vectors[stray], centroids)
        centroids = _centroids(vectors, kept, len(big))
    return kept, centroids


def group(vectors: Matrix, distance: float = MERGE_DISTANCE, seed: int = 0) -> Grouping:
    """Themes of ``vectors`` (unit rows); deterministic for a given ``seed``."""
    count = len(vectors)
    if count < MIN_THEME_SIZE:
        return Grouping(np.zeros(count, dtype=np.int64), normalize(vectors.sum(axis=0, keepdims=True)))
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(count, SAMPLE_MAX, replace=False)) if count > SAMPLE_MAX else np.arange(count)
    points = vectors[sample].astype(np.float64)
    tree = linkage(pdist(points, metric="cosine"), method="average")
    raw = fcluster(tree, t=distance, criterion="distance")
    min_size = max(MIN_THEME_SIZE, int(np.ceil(MIN_THEME_SHARE * len(sample))))
    sample_labels, centroids = _fold_small(points, raw, min_size)
    if len(sample) == count:
        return Grouping(sample_labels, centroids)
    labels = assign(vectors, centroids)
    return Grouping(labels, _centroids(vectors, labels, len(centroids)))
