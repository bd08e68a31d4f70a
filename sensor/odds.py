"""How unlikely a group of contacts is under the baseline: count tails, and the confidence shown for them.

Tails are summed term by term in logs from ``n`` upwards (or as one minus the head when ``n`` is below the
mean), so values far below 1e-10 stay accurate where ``1 - cdf`` would round to zero.
"""

from __future__ import annotations

import math


def poisson_tail(n: int, lam: float) -> float:
    """``P(X >= n)`` for ``X ~ Poisson(lam)``, accurate far into the tail (summed upwards, in logs)."""
    if n <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    log_term = -lam + n * math.log(lam) - math.lgamma(n + 1)
    if n > lam:
        total, k, term = 0.0, n, math.exp(log_term)
        while term > total * 1e-15 and k < n + 10_000:
            total += term
            k += 1
            term *= lam / k
        return min(total, 1.0)
    below, term = 0.0, math.exp(-lam)
    for k in range(n):
        below += term
        term *= lam / (k + 1)
    return max(0.0, 1.0 - below)


def count_tail(n: int, mean: float, shape: float | None) -> float:
    """``P(X >= n)`` for counts with ``mean`` whose rate is only known up to a gamma posterior of ``shape``:
    negative binomial (``shape`` ``None``: the rate is exact, Poisson). Summed in logs like the Poisson."""
    if shape is None or shape > 1e6:
        return poisson_tail(n, mean)
    if n <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    p = shape / (shape + mean)
    log_pmf0 = shape * math.log(p)
    if n > mean:
        log_term = math.lgamma(n + shape) - math.lgamma(n + 1) - math.lgamma(shape) + log_pmf0 + n * math.log1p(-p)
        total, k, term = 0.0, n, math.exp(log_term)
        while term > total * 1e-15 and k < n + 100_000:
            total += term
            term *= (k + shape) / (k + 1) * (1 - p)
            k += 1
        return min(total, 1.0)
    below, term = 0.0, math.exp(log_pmf0)
    for k in range(n):
        below += term
        term *= (k + shape) / (k + 1) * (1 - p)
    return max(0.0, 1.0 - below)


def confidence(tail: float, p_threshold: float) -> float:
    """0.5 at the threshold, 1.0 at its square, on a log scale: how far beyond chance the group is."""
    if tail <= 0:
        return 1.0
    score = 0.5 + 0.5 * (math.log10(p_threshold) - math.log10(tail)) / -math.log10(p_threshold)
    return round(min(max(score, 0.0), 1.0), 4)
