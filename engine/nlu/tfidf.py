"""TF-IDF weighting of bag-of-words count vectors, learnt from the training messages.

``1 + log(count)`` for repeats, times the smoothed inverse document frequency (scikit-learn's: as if one more
message held every term, so no weight is infinite), scaled to unit length. A long message of character
n-grams then weighs as much as a two-word one, and a word every intent uses ("my", "the") less than the one that
decides it ("refund", "moving").
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse


def fit_idf(counts: scipy.sparse.spmatrix) -> npt.NDArray[np.float64]:
    """Inverse document frequency of each column of a messages x terms count matrix."""
    matrix = scipy.sparse.csr_matrix(counts)
    document_frequency = np.bincount(matrix.nonzero()[1], minlength=matrix.shape[1])
    idf: npt.NDArray[np.float64] = np.log((1 + matrix.shape[0]) / (1 + document_frequency)) + 1.0
    return idf


def weigh(counts: scipy.sparse.spmatrix, idf: npt.NDArray[np.float64]) -> scipy.sparse.csr_matrix:
    """TF-IDF rows of unit length (a row with no known term stays zero)."""
    matrix = scipy.sparse.csr_matrix(counts, dtype=np.float64)
    if matrix.shape[1] != idf.shape[0]:
        raise ValueError(f"{matrix.shape[1]} terms to weigh, but the weights were learnt for {idf.shape[0]}")
    matrix.data = 1.0 + np.log(np.maximum(matrix.data, 1.0))
    matrix = scipy.sparse.csr_matrix(matrix.multiply(idf[np.newaxis, :]))
    return unit_rows(matrix)


def unit_rows(matrix: scipy.sparse.spmatrix) -> scipy.sparse.csr_matrix:
    rows = scipy.sparse.csr_matrix(matrix, dtype=np.float64)
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return scipy.sparse.csr_matrix(scipy.sparse.diags(1.0 / norms) @ rows)
