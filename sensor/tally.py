"""What each hour will teach the baseline: distinct customers per grouping key, those in incidents apart.

Contacts that became (or grew) an incident must not teach the baseline, or a surge would become the new normal;
but leaving them out altogether starves it when it starts too low (every busy hour then looks like a surge, its
contacts are left out, and the rate never rises). So an hour teaches its free contacts plus its incident contacts
up to what the baseline itself finds plausible for that hour (its 99.9th percentile): a fault's surge teaches
a couple of contacts, a baseline that is too low still climbs. An hour is taught once no window can reach it.
"""

from __future__ import annotations

import math
from typing import Any

from core.contracts.sensor import Scope
from sensor.baseline import HOUR_S, Baseline, hour_index

PLAUSIBLE = 0.999
LONGEST_GAP_H = 24 * 7
"""Hours without any traffic beyond this (the process was stopped) teach nothing new."""


def poisson_quantile(lam: float, q: float) -> int:
    """Smallest ``k`` with ``P(X <= k) >= q`` for ``X ~ Poisson(lam)``."""
    k, term = 0, math.exp(-lam)
    total = term
    while total < q and k < 10_000:
        k += 1
        term *= lam / k
        total += term
    return k


class HourTally:
    def __init__(self) -> None:
        self.hours: dict[int, dict[str, tuple[set[str], set[str]]]] = {}
        """Hour index -> key -> (free customers, customers in an incident)."""
        self.scopes: dict[str, Scope] = {}
        self.learnt_to: int | None = None
        """Hour index up to which (exclusive) hours were taught."""

    def add(self, at: float, scope: Scope, key: str, who: str, in_incident: bool = False) -> None:
        self.scopes[key] = scope
        free, taken = self.hours.setdefault(hour_index(at), {}).setdefault(key, (set(), set()))
        (taken if in_incident else free).add(who)

    def absorb(self, at: float, who: str) -> None:
        """``who``'s contact at ``at`` belongs to an incident now, under every key it counted for."""
        for free, taken in self.hours.get(hour_index(at), {}).values():
            if who in free:
                free.discard(who)
                taken.add(who)

    def teach(self, baseline: Baseline, now: float, window_s: float) -> None:
        """Hand the baseline every hour no window of ``window_s`` can reach at ``now``, empty hours too."""
        settled = hour_index(now - window_s)
        if self.learnt_to is None:
            self.learnt_to = min([*self.hours, settled])
        for hour in range(max(self.learnt_to, settled - LONGEST_GAP_H), settled):
            counts: dict[str, tuple[Scope, int]] = {}
            for key, (free, taken) in self.hours.get(hour, {}).items():
                scope = self.scopes.get(key, "node")
                extra = len(taken - free)
                if extra:
                    plausible = poisson_quantile(baseline.rate(key, scope, (hour + 0.5) * HOUR_S), PLAUSIBLE)
                    extra = max(0, min(extra, plausible - len(free)))
                counts[key] = (scope, len(free) + extra)
            baseline.learn(hour * HOUR_S, counts)
        for hour in [h for h in self.hours if h < settled]:
            del self.hours[hour]
        self.learnt_to = max(self.learnt_to, settled)
        live = {key for keys in self.hours.values() for key in keys}
        self.scopes = {k: s for k, s in self.scopes.items() if k in live}

    def to_dict(self) -> dict[str, Any]:
        return {
            "learnt_to": self.learnt_to,
            "scopes": dict(self.scopes),
            "hours": {
                str(h): {k: [sorted(free), sorted(taken)] for k, (free, taken) in keys.items()}
                for h, keys in self.hours.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HourTally:
        tally = cls()
        tally.learnt_to = data["learnt_to"]
        tally.scopes = dict(data["scopes"])
        tally.hours = {
            int(h): {k: (set(free), set(taken)) for k, (free, taken) in keys.items()}
            for h, keys in data["hours"].items()
        }
        return tally
