"""The normal rate of unexplained contacts per grouping key and hour of day, learnt online.

A single cabinet sees a contact every few days, far too few to estimate each hour of the day on its own, so
the rate is a product of two parts learnt separately:

* the key's **level**, its mean contacts per hour over all hours: an exponentially decayed count of the key's
  distinct customers divided by the decayed number of hours learnt, shrunk towards its scope's prior (a
  gamma-Poisson posterior mean: ``(count + prior * prior_hours) / (hours + prior_hours)``), never below a floor;
* the scope's **daily shape**, how much busier one hour of the day is than the average hour, learnt from every
  key of the scope together (an evening peak in a big area is normal because every area has one).

The detector feeds one finished hour at a time (:meth:`Baseline.learn`), leaving out contacts that belong to an
incident; every hour is learnt, empty ones too, so a key that falls quiet drifts back to its prior. Decay and
prior are in hours; rates are per hour. Pure Python with plain-JSON state (:meth:`to_dict`), so the process keeps
it in Redis and the benchmark replays days in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.contracts.sensor import Scope

HOUR_S = 3600
VERSION = 1
SCOPES: tuple[Scope, ...] = ("node", "area", "bill_line")
DEFAULT_PRIORS: Mapping[Scope, float] = {"node": 0.2, "area": 1.0, "bill_line": 0.5}
"""Contacts per hour of a key the baseline knows nothing about yet: deliberately a busy key's rate, so a new
process is slow to suspect rather than quick to cry wolf, until a day or two of traffic has taught it."""
MIN_KEYS_FOR_LEARNT_PRIOR = 5
"""With fewer keys of a scope seen, their mean level says little: the configured prior stands."""
SHAPE_BOUNDS = (0.2, 5.0)
"""The quietest night hour still counts a fifth of an average hour: a few stray night contacts are no surge."""


def hour_index(at: float) -> int:
    """Hours since the epoch of the hour holding ``at`` (unix s)."""
    return math.floor(at / HOUR_S)


@dataclass
class Baseline:
    half_life_days: float = 14.0
    """Weight of what was learnt halves every this many days (a new estate, a new customer base)."""
    prior_hours: float = 24.0
    """How many hours of observation the prior weighs."""
    floor_per_hour: float = 0.01
    priors: Mapping[Scope, float] = field(default_factory=lambda: dict(DEFAULT_PRIORS))
    hours: float = 0.0
    """Decayed number of hours learnt, as of ``last_hour``."""
    last_hour: int | None = None
    """:func:`hour_index` of the last hour learnt."""
    keys: dict[str, tuple[Scope, float, int]] = field(default_factory=dict)
    """key -> (scope, decayed distinct customers, hour index they are decayed to)."""
    shape: dict[str, list[float]] = field(default_factory=dict)
    """scope -> 24 decayed customer totals by hour of day (UTC)."""
    _sums: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    """scope -> decayed customers of all its keys, as of ``last_hour`` (derived from ``keys``)."""
    _known: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    """scope -> keys seen."""

    def __post_init__(self) -> None:
        for key, (scope, _, _) in self.keys.items():
            self._sums[scope] = self._sums.get(scope, 0.0) + self._count(key)
            self._known[scope] = self._known.get(scope, 0) + 1

    @property
    def _decay(self) -> float:
        """Factor applied per hour."""
        return float(0.5 ** (1 / (self.half_life_days * 24)))

    def _count(self, key: str) -> float:
        known = self.keys.get(key)
        if known is None or self.last_hour is None:
            return 0.0
        _, count, at_hour = known
        return count * self._decay ** (self.last_hour - at_hour)

    def prior(self, scope: Scope) -> float:
        """Per hour: the configured prior, or once enough keys are known the mean level of the scope's keys."""
        known = self._known.get(scope, 0)
        if known < MIN_KEYS_FOR_LEARNT_PRIOR or self.hours <= 0:
            return self.priors.get(scope, DEFAULT_PRIORS[scope])
        learnt = self._sums.get(scope, 0.0) / known / self.hours
        weight = min(1.0, self.hours / self.prior_hours)
        return weight * learnt + (1 - weight) * self.priors.get(scope, DEFAULT_PRIORS[scope])

    def level(self, key: str, scope: Scope) -> float:
        """The key's mean contacts per hour over the day."""
        shape, hours = self.certainty(key, scope)
        return shape / hours

    def certainty(self, key: str, scope: Scope) -> tuple[float, float]:
        """The gamma posterior of the key's level as (shape, rate): pseudo-customers seen over pseudo-hours
        watched. Few hours or few customers mean a wide posterior, so the detector asks for more before it
        suspects anything (a negative binomial instead of a Poisson)."""
        hours = self.hours + self.prior_hours
        shape = self._count(key) + self.prior(scope) * self.prior_hours
        return max(shape, self.floor_per_hour * hours), hours

    def hour_factor(self, scope: Scope, at: float) -> float:
        """How much busier the hour of ``at`` is than the scope's average hour (1 until a day is learnt)."""
        totals = self.shape.get(scope)
        if not totals or self.hours < 24:
            return 1.0
        mean = sum(totals) / 24
        if mean <= 0:
            return 1.0
        smooth = (totals[(_hod(at) - 1) % 24] + 2 * totals[_hod(at)] + totals[(_hod(at) + 1) % 24]) / 4
        low, high = SHAPE_BOUNDS
        return min(max(smooth / mean, low), high)

    def rate(self, key: str, scope: Scope, at: float) -> float:
        """Expected distinct customers per hour for ``key`` at the time of day of ``at``."""
        return self.level(key, scope) * self.hour_factor(scope, at)

    def learn(self, hour_start: float, counts: Mapping[str, tuple[Scope, int]]) -> None:
        """Learn one finished hour: ``counts`` maps every key that had contacts to (scope, distinct customers);
        keys left out had none. Hours must come in order; an hour already learnt is ignored."""
        hour = hour_index(hour_start)
        if self.last_hour is not None and hour <= self.last_hour:
            return
        decay = self._decay
        steps = 1 if self.last_hour is None else hour - self.last_hour
        self.hours = self.hours * decay**steps + 1
        self._sums = {scope: total * decay**steps for scope, total in self._sums.items()}
        self.last_hour = hour
        hod = _hod(hour_start)
        day_decay = decay**24
        for scope in SCOPES:
            if scope in self.shape or any(s == scope for s, _ in counts.values()):
                totals = self.shape.setdefault(scope, [0.0] * 24)
                totals[hod] = totals[hod] * day_decay ** max(1, steps // 24)
        for key, (scope, count) in counts.items():
            if count <= 0:
                continue
            if key not in self.keys:
                self._known[scope] = self._known.get(scope, 0) + 1
            self.keys[key] = (scope, self._count(key) + count, hour)
            self._sums[scope] = self._sums.get(scope, 0.0) + count
            self.shape[scope][hod] += count

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "half_life_days": self.half_life_days,
            "prior_hours": self.prior_hours,
            "floor_per_hour": self.floor_per_hour,
            "priors": dict(self.priors),
            "hours": self.hours,
            "last_hour": self.last_hour,
            "keys": {k: list(v) for k, v in self.keys.items()},
            "shape": self.shape,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Baseline:
        if data.get("v") != VERSION:
            raise ValueError(f"baseline version {data.get('v')!r} is not {VERSION}")
        return cls(
            half_life_days=float(data["half_life_days"]),
            prior_hours=float(data["prior_hours"]),
            floor_per_hour=float(data["floor_per_hour"]),
            priors=dict(data["priors"]),
            hours=float(data["hours"]),
            last_hour=data["last_hour"],
            keys={k: (v[0], float(v[1]), int(v[2])) for k, v in data["keys"].items()},
            shape={k: [float(x) for x in v] for k, v in data["shape"].items()},
        )


def _hod(at: float) -> int:
    """Hour of day (UTC) of ``at``."""
    return hour_index(at) % 24
