"""The suspected-incident detector: unexplained diagnoses in, incidents opened, grown and cleared out.

Pure: no I/O and no clock of its own. Time is each :class:`Diagnosis`'s ``at`` and the ``now`` given to
:meth:`Detector.tick`, so the process runs it live and the benchmark replays a day in seconds.

Each diagnosis counts towards its grouping keys (``core.contracts.sensor.grouping_keys``: node, area, bill line).
A key opens an incident when its distinct customers in a sliding window are at least ``min_contacts`` and so
many that the chance of as many under its normal rate is below ``p_threshold``: a negative binomial tail, the
Poisson widened by how little the baseline has seen of the key (``sensor.odds``). Windows of 10, 30 and 60
minutes are tested, each at its share of the threshold: a burst on a busier node stands out in the short one,
a slow fault on a quiet node in the long one. An area opens only when its contacts span two nodes or carry none
(one node's surge is that node's incident). A contact whose key has an open incident grows it and counts towards
nothing else. An incident clears after ``quiet_s`` without a contact, when a real alarm covers it
(:meth:`Detector.cover`) or when the NOC closes it (:meth:`Detector.clear`). Finished hours teach the baseline
(``sensor.tally``: contacts in incidents only up to what is plausible).

Tuned on a replayed network of 320 nodes in 40 areas, 1,000-4,000 contacts a day with an evening peak, and a
baseline warmed on a week of it: 0.1-0.4 false incidents a day; 95 % of injected faults found, most by their
4th or 5th contact; a slow fault on a busy node needs more. A cold baseline over-suspects for a day or two:
see ``DetectorConfig.warmup_h``.
"""

from __future__ import annotations

import uuid
from bisect import insort
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from core.contracts.sensor import Diagnosis, Incident, RealAlarm, Scope, grouping_keys
from sensor.baseline import HOUR_S, Baseline
from sensor.evidence import evidence
from sensor.odds import confidence, count_tail
from sensor.tally import HourTally

STATE_VERSION = 1
Reason = Literal["quiet", "real_alarm", "noc"]


@dataclass
class DetectorConfig:
    window_s: float = 3600.0
    """The longest window tested; contacts older than this are forgotten."""
    min_contacts: int = 4
    p_threshold: float = 1e-5
    """Across all the windows tested for one key at one contact (Bonferroni: each gets its share)."""
    quiet_s: float = 3600.0
    burst_windows_s: tuple[float, ...] = (600.0, 1800.0)
    """Shorter windows also tested: a burst on a busier node stands out there sooner; a slow fault on a quiet
    node only in the longest."""

    warmup_h: float = 0.0
    """Hours the baseline learns before anything is suspected. A baseline learns an operator's daily shape in a
    day and its busy nodes in two or three; until then busy evenings look like surges. 0 suspects at once (a
    development run, tests); a first production start wants 24-48 (restarts keep what was learnt)."""

    @property
    def windows(self) -> tuple[float, ...]:
        return (*sorted(w for w in self.burst_windows_s if 0 < w < self.window_s), self.window_s)


@dataclass
class Change:
    kind: Literal["opened", "grew", "cleared"]
    incident: Incident


@dataclass(order=True)
class Contact:
    """One unexplained diagnosis as a window keeps it."""

    at: float
    seq: int
    who: str = field(compare=False)
    node: str | None = field(compare=False)
    finding: str = field(compare=False)
    service_kind: str | None = field(compare=False)
    area: str | None = field(compare=False)

    def row(self) -> list[Any]:
        return [self.at, self.seq, self.who, self.node, self.finding, self.service_kind, self.area]


def new_incident_id() -> str:
    return f"INC-{uuid.uuid4().hex[:8]}"


class Detector:
    def __init__(self, config: DetectorConfig, baseline: Baseline, new_id: Callable[[], str] = new_incident_id) -> None:
        self.config = config
        self.baseline = baseline
        self.new_id = new_id
        self.open: dict[str, Incident] = {}
        """Grouping key -> its open incident."""
        self.windows: dict[str, list[Contact]] = {}
        """Grouping key -> its contacts not in an incident, in time order, within the longest window."""
        self.tally = HourTally()
        self.findings: dict[str, Counter[str]] = {}
        """Incident id -> what the diagnoses in it found."""
        self.nodes: dict[str, set[str]] = {}
        """Incident id -> nodes its contacts came from."""
        self.members: dict[str, set[str]] = {}
        """Incident id -> its customers as a set (a list search per contact is quadratic); rebuilt when missing."""
        self._seq = 0

    # ---------------------------------------------------------------- the API the process and the bench use

    def observe(self, diagnosis: Diagnosis) -> list[Change]:
        """Count one finished diagnosis; returns the incidents it opened or grew, after the clears its time
        brought (as :meth:`tick` at ``diagnosis.at``)."""
        changes = self.tick(diagnosis.at)
        keys = grouping_keys(diagnosis)
        if not keys:
            return changes
        self._seq += 1
        contact = Contact(
            at=diagnosis.at,
            seq=self._seq,
            who=diagnosis.customer or diagnosis.conversation,
            node=diagnosis.node,
            finding=diagnosis.finding,
            service_kind=diagnosis.service_kind,
            area=diagnosis.area,
        )
        growing = [key for _, _, key in keys if key in self.open]
        for scope, _, key in keys:
            self.tally.add(contact.at, scope, key, contact.who, in_incident=bool(growing))
        if growing:
            return changes + [Change("grew", self._grow(self.open[key], contact)) for key in growing]
        for _, _, key in keys:
            insort(self.windows.setdefault(key, []), contact)
        for scope, target, key in keys:
            opened = self._check(scope, target, key, diagnosis, contact.at)
            if opened is not None:
                return [*changes, Change("opened", opened)]
        return changes

    def tick(self, now: float) -> list[Change]:
        """Clear incidents quiet for ``quiet_s``, forget contacts older than the window, teach finished hours."""
        changes = []
        for key, incident in list(self.open.items()):
            if now - incident.latest_contact_at >= self.config.quiet_s:
                changes.append(Change("cleared", self._clear(key, now, "quiet")))
        horizon = now - self.config.window_s
        for key in list(self.windows):
            kept = [c for c in self.windows[key] if c.at >= horizon]
            if kept:
                self.windows[key] = kept
            else:
                del self.windows[key]
        self.tally.teach(self.baseline, now, self.config.window_s)
        return changes

    def cover(self, incident_id: str, alarm: RealAlarm, now: float) -> Change | None:
        """A real alarm covers the incident: clear it with the alarm recorded; ``None`` when it is not open."""
        return self.clear(incident_id, now, "real_alarm", alarm)

    def clear(self, incident_id: str, now: float, reason: Reason, alarm: RealAlarm | None = None) -> Change | None:
        """Clear an open incident for ``reason`` (``noc``: the NOC closed what the sensor raised)."""
        key = next((k for k, i in self.open.items() if i.id == incident_id), None)
        if key is None:
            return None
        return Change("cleared", self._clear(key, now, reason, alarm))

    # ---------------------------------------------------------------- deciding

    def _check(self, scope: Scope, target: str, key: str, diagnosis: Diagnosis, now: float) -> Incident | None:
        if self.baseline.hours < self.config.warmup_h:
            return None
        windows = self.config.windows
        threshold = self.config.p_threshold / len(windows)
        rate = self.baseline.rate(key, scope, now)
        for window in windows:
            group = [c for c in self.windows.get(key, []) if now - window <= c.at <= now]
            who = {c.who for c in group}
            if len(who) < self.config.min_contacts:
                continue
            if scope == "area" and len({c.node for c in group}) < 2 and all(c.node for c in group):
                continue
            shape, _ = self.baseline.certainty(key, scope)
            tail = count_tail(len(who), self._expected(key, scope, now, window), shape)
            if tail < threshold:
                return self._open(scope, target, key, diagnosis, group, rate, confidence(tail, threshold), now)
        return None

    def _expected(self, key: str, scope: Scope, now: float, window: float) -> float:
        """Contacts expected in ``window`` up to ``now``: the rate averaged over the window, since an hour on the
        evening's rising or falling slope differs from its ends."""
        rate = self.baseline.rate
        mean = (rate(key, scope, now - window) + 2 * rate(key, scope, now - window / 2) + rate(key, scope, now)) / 4
        return mean * window / HOUR_S

    def _open(
        self,
        scope: Scope,
        target: str,
        key: str,
        diagnosis: Diagnosis,
        group: list[Contact],
        rate: float,
        sure: float,
        now: float,
    ) -> Incident:
        incident_id = self.new_id()
        self.findings[incident_id] = Counter(c.finding for c in group)
        self.nodes[incident_id] = {c.node for c in group if c.node}
        customers = list(dict.fromkeys(c.who for c in group))
        self.members[incident_id] = set(customers)
        areas = {c.area for c in group}
        incident = Incident(
            id=incident_id,
            key=key,
            scope=scope,
            target=target,
            area=areas.pop() if len(areas) == 1 else None,  # a bill line's accounts may live anywhere
            symptom=diagnosis.symptom,
            services=sorted({c.service_kind for c in group if c.service_kind}),
            evidence="",
            first_contact_at=group[0].at,
            latest_contact_at=group[-1].at,
            detected_at=now,
            contacts=len(group),
            customers=customers,
            confidence=sure,
            baseline_per_hour=round(rate, 6),
        )
        self.open[key] = incident.model_copy(update={"evidence": self._evidence(incident)})
        self._absorb(group)
        return self.open[key]

    def _grow(self, incident: Incident, contact: Contact) -> Incident:
        self.findings.setdefault(incident.id, Counter())[contact.finding] += 1
        if contact.node:
            self.nodes.setdefault(incident.id, set()).add(contact.node)
        if incident.id not in self.members:  # after a restart
            self.members[incident.id] = set(incident.customers)
        members = self.members[incident.id]
        customers = incident.customers if contact.who in members else [*incident.customers, contact.who]
        members.add(contact.who)
        services = sorted({*incident.services, *([contact.service_kind] if contact.service_kind else [])})
        grown = incident.model_copy(
            update={
                "contacts": incident.contacts + 1,
                "customers": customers,
                "services": services,
                "latest_contact_at": max(incident.latest_contact_at, contact.at),
                "first_contact_at": min(incident.first_contact_at, contact.at),
            }
        )
        grown.evidence = self._evidence(grown)
        self.open[incident.key] = grown
        return grown

    def _absorb(self, group: list[Contact]) -> None:
        """The group's contacts belong to the incident now: out of every window (they open nothing else), and
        apart in the hours that will teach the baseline."""
        seqs = {c.seq for c in group}
        for key in list(self.windows):
            kept = [c for c in self.windows[key] if c.seq not in seqs]
            if kept:
                self.windows[key] = kept
            else:
                del self.windows[key]
        for contact in group:
            self.tally.absorb(contact.at, contact.who)

    def _clear(self, key: str, now: float, reason: Reason, alarm: RealAlarm | None = None) -> Incident:
        incident = self.open.pop(key)
        self.windows.pop(key, None)
        self.findings.pop(incident.id, None)
        self.nodes.pop(incident.id, None)
        self.members.pop(incident.id, None)
        return incident.model_copy(
            update={"state": "cleared", "cleared_at": now, "cleared_reason": reason, "real_alarm": alarm}
        )

    def _evidence(self, incident: Incident) -> str:
        return evidence(incident, self.findings.get(incident.id, Counter()), self.nodes.get(incident.id, set()))

    # ---------------------------------------------------------------- state the process keeps across restarts

    def state(self) -> dict[str, Any]:
        """Everything but the open incidents (kept as incidents) and the baseline (kept on its own), as JSON."""
        return {
            "v": STATE_VERSION,
            "seq": self._seq,
            "windows": {k: [c.row() for c in w] for k, w in self.windows.items()},
            "tally": self.tally.to_dict(),
            "findings": {i: dict(c) for i, c in self.findings.items()},
            "nodes": {i: sorted(n) for i, n in self.nodes.items()},
        }

    def restore(self, state: dict[str, Any], open_incidents: list[Incident]) -> None:
        """Take back what :meth:`state` gave and the open incidents, after a restart."""
        if state.get("v") != STATE_VERSION:
            raise ValueError(f"detector state version {state.get('v')!r} is not {STATE_VERSION}")
        self._seq = int(state["seq"])
        self.windows = {k: [Contact(*row) for row in w] for k, w in state["windows"].items()}
        self.tally = HourTally.from_dict(state["tally"])
        self.findings = {i: Counter(c) for i, c in state["findings"].items()}
        self.nodes = {i: set(n) for i, n in state["nodes"].items()}
        self.open = {i.key: i for i in open_incidents if i.state == "open"}
