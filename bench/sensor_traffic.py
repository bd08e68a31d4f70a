"""Replayed contact traffic for the network sensor's benchmark (bench_sensor.py): the day's diagnoses an operator's
bot would finish, with and without silent faults, as ``core.contracts.sensor.Diagnosis`` records.

The customers are the simulator's seeded dataset (``simulator.seed.generate_dataset``, as the simulator builds
it): its 16 areas with their exchanges, cabinets, fibre head-ends and cells, and its 240 customers with their
services, the nodes those hang off, the simulator's own line test or registration check of each service
(``simulator.diagnostics.diagnose``: most pass, some fail at the access line, the router, the home wiring; the
real outages of the seeded alarms are explained by their alarm) and the largest change between each account's
last two bills (``core.oss.billdiff``, as the bot explains bills). An operator has far more customers than 240:
each seeded customer stands for ``scale`` customers with the same services on the same nodes, so a cabinet
with one seeded line has ``scale`` lines behind it.

Times are unix seconds from ``START``; the hour of the day (UTC) sets the contact rate (``HOURLY``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from core.contracts.sensor import Diagnosis, Symptom
from core.oss import adapters
from core.oss.billdiff import compare_bills
from core.oss.models import BillItem
from core.pseudonyms import pseudonym
from simulator.diagnostics import diagnose
from simulator.scenarios import SCENARIOS
from simulator.seed import generate_dataset
from simulator.seed.network import node_in_outage
from tools.replay.templates import problem_kind

START = datetime(2024, 6, 3, tzinfo=UTC).timestamp()
"""A Monday at midnight: day 0 of every replay."""
DAY_S = 86_400
HOURLY = (0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.7, 1.2, 1.5, 1.5, 1.4,
          1.3, 1.3, 1.25, 1.25, 1.35, 1.55, 1.75, 1.75, 1.6, 1.25, 0.85, 0.45)  # fmt: skip
"""Contacts per hour of the day relative to the day's mean (mean 1): quiet at night, peaks at 09-11 and 18-20,
the shape of a consumer contact centre's day."""
SECRET = "bench-sensor-pseudonyms"  # noqa: S105 (not a secret)
"""Pseudonyms of made-up customers: any key does."""
SERVICE_OF: dict[Symptom, str | None] = {
    "broadband_down": "broadband",
    "broadband_slow": "broadband",
    "mobile_no_service": "mobile",
    "bill_increase": None,
}
BUSY_FACTOR = 3.0
"""The busy evening: contacts in the biggest areas at three times their usual rate for three hours."""
BUSY_AREAS = 4


def symptom_mix() -> dict[Symptom, float]:
    """Shares of the four symptoms among diagnosed contacts, as the replay's scripted triage draws them
    (``tools.replay.templates``: one scenario customer each; slow_line is the slow broadband)."""
    counts: dict[Symptom, int] = dict.fromkeys(SERVICE_OF, 0)
    for scenario in SCENARIOS:
        kind = problem_kind(scenario)
        if kind == "broadband":
            counts["broadband_slow" if scenario.key == "slow_line" else "broadband_down"] += 1
        elif kind == "mobile":
            counts["mobile_no_service"] += 1
        elif kind == "bill":
            counts["bill_increase"] += 1
    total = sum(counts.values())
    return {symptom: count / total for symptom, count in counts.items()}


@dataclass(frozen=True)
class Line:
    """One seeded service (standing for ``scale`` customers) and what the bot's diagnosis of it finds."""

    person: str
    area: str
    node: str
    kind: str
    plan: str
    finding: str
    alarm: str | None


@dataclass(frozen=True)
class Account:
    person: str
    area: str
    plans: tuple[str, ...]
    finding: str | None
    bill_line: str | None


@dataclass
class Population:
    scale: int
    lines: dict[str, list[Line]] = field(default_factory=dict)
    """Service kind -> lines."""
    accounts: list[Account] = field(default_factory=list)

    @property
    def customers(self) -> int:
        return len(self.accounts) * self.scale

    def nodes(self, kind: str) -> dict[str, list[Line]]:
        grouped: dict[str, list[Line]] = defaultdict(list)
        for line in self.lines[kind]:
            grouped[line.node].append(line)
        return dict(grouped)

    def biggest_areas(self, count: int) -> set[str]:
        sizes: dict[str, int] = defaultdict(int)
        for account in self.accounts:
            sizes[account.area] += 1
        return set(sorted(sizes, key=lambda area: (-sizes[area], area))[:count])


def load_population(scale: int) -> Population:
    dataset = generate_dataset(datetime.fromtimestamp(START, UTC), "http://simulator/tmf-api")
    items: dict[str, list[BillItem]] = defaultdict(list)
    for rate in dataset.bill_rates:
        items[rate["bill"]["id"]].append(adapters.bill_item(rate))
    bills = defaultdict(list)
    for raw in dataset.bills:
        bill = adapters.bill(raw)
        bills[bill.account_id].append(bill)
    population = Population(scale, {"broadband": [], "mobile": []})
    for person in dataset.people:
        for line in person.lines:
            if line.kind not in population.lines:
                continue
            found = diagnose(person, line)
            finding = "pass" if found.result == "pass" else found.fault_location
            outage = node_in_outage(person.area.code, line.node)
            if outage is not None:  # as the actions do: the known alarm explains it, no test is run
                finding = "alarm"
            alarm = f"ALM-{outage.id}" if outage else ("nonPaymentBar" if finding == "account" else None)
            population.lines[line.kind].append(
                Line(person.customer_id, person.area.code, line.node, line.kind, line.plan.name, finding, alarm)
            )
        latest = sorted(bills[person.account_id], key=lambda b: b.bill_date.timestamp() if b.bill_date else 0.0)
        reason = None
        if len(latest) >= 2:  # the bot explains the latest bill against the one before
            previous, current = latest[-2:]
            reason = compare_bills(previous, items[previous.id], current, items[current.id]).main_reason
        plans = tuple(line.plan.name for line in person.lines)
        population.accounts.append(Account(person.customer_id, person.area.code, plans,
                                           reason.kind if reason else None,
                                           reason.description if reason else None))  # fmt: skip
    return population


class Activity:
    """Time as customers live it: an hour at 03:00 holds a tenth of an hour at 10:00. A fault's contacts come
    after delays counted in this time, so a fault at night is reported in the morning."""

    @staticmethod
    def weight(at: float) -> float:
        return HOURLY[int((at - START) // 3600) % 24]

    @classmethod
    def after(cls, at: float, active_hours: float) -> float:
        """The moment ``active_hours`` of activity after ``at``."""
        remaining = active_hours * 3600
        while True:
            hour_end = START + (math.floor((at - START) / 3600) + 1) * 3600
            available = (hour_end - at) * cls.weight(at)
            if available >= remaining:
                return at + remaining / cls.weight(at)
            remaining -= available
            at = hour_end


class Traffic:
    """Builds diagnoses; one seeded generator per replay, so a seed gives the same day every time."""

    def __init__(self, population: Population, rate: float, seed: int | list[int]) -> None:
        self.population, self.rate = population, rate
        self.rng = np.random.default_rng(seed)
        self.mix = symptom_mix()

    def _customer(self, person: str, clone: int) -> str:
        return pseudonym(SECRET, f"{person}/{clone}")

    def _conversation(self) -> str:
        return f"{int(self.rng.integers(1 << 62)):016x}"

    def diagnosis(
        self, at: float, symptom: Symptom, holder: Line | Account, clone: int, **override: object
    ) -> Diagnosis:
        """What the bot records for customer ``clone`` of ``holder``; ``override`` for a fault's findings."""
        if isinstance(holder, Account):
            fields: dict[str, object] = {"area": holder.area, "finding": holder.finding or "unexplained",
                                         "bill_line": holder.bill_line}  # fmt: skip
        else:
            fields = {"service_kind": holder.kind, "area": holder.area, "node": holder.node,
                      "finding": holder.finding, "explained": holder.alarm is not None,
                      "alarm": holder.alarm}  # fmt: skip
        fields.update(override)
        return Diagnosis.model_validate({"at": at, "conversation": self._conversation(), "symptom": symptom,
                                         "customer": self._customer(holder.person, clone), **fields})  # fmt: skip

    def background(self, day: int, busy: bool) -> list[Diagnosis]:
        """One day of ordinary contacts at ``rate`` per 1,000 customers per day (all symptoms); with ``busy``,
        an evening when the biggest areas contact at ``BUSY_FACTOR`` times their rate for three hours (no fault:
        a storm, a big match, an outage elsewhere on the news)."""
        day_factor = float(self.rng.lognormal(0.0, 0.15))
        per_hour = self.rate * self.population.customers / 1000 / 24 * day_factor
        busy_from = int(self.rng.integers(17, 20)) if busy else -1
        busy_areas = self.population.biggest_areas(BUSY_AREAS)
        contacts = []
        for hour in range(24):
            extra = BUSY_FACTOR - 1 if busy_from <= hour < busy_from + 3 else 0.0
            for symptom, share in self.mix.items():
                pool: Sequence[Line | Account] = self._pool(symptom)
                expected = per_hour * share * HOURLY[hour]
                contacts += self._contacts(day, hour, symptom, pool, expected)
                if extra:
                    busy_pool = [p for p in pool if p.area in busy_areas]
                    contacts += self._contacts(
                        day, hour, symptom, busy_pool, expected * extra * len(busy_pool) / len(pool)
                    )
        return sorted(contacts, key=lambda d: d.at)

    def _contacts(
        self, day: int, hour: int, symptom: Symptom, pool: Sequence[Line | Account], expected: float
    ) -> list[Diagnosis]:
        """A Poisson number of contacts (mean ``expected``) in this hour from customers drawn from ``pool``."""
        found = []
        for _ in range(int(self.rng.poisson(expected))):
            at = START + day * DAY_S + (hour + float(self.rng.random())) * 3600
            holder = pool[int(self.rng.integers(len(pool)))]
            found.append(self.diagnosis(at, symptom, holder, int(self.rng.integers(self.population.scale))))
        return found

    def _pool(self, symptom: Symptom) -> Sequence[Line | Account]:
        kind = SERVICE_OF[symptom]
        return self.population.accounts if kind is None else self.population.lines[kind]


@dataclass
class Fault:
    """A silent fault: no alarm, the customers behind ``target`` find their service broken."""

    kind: str
    """``node`` (a cabinet, exchange or fibre head-end), ``area`` (every fixed node of a postcode district),
    ``cell`` or ``billing`` (a bill run that charged the accounts of one area wrongly)."""
    target: str
    area: str
    started_at: float
    ends_at: float
    affected: int
    contacts: list[Diagnosis] = field(default_factory=list)


FAULT_KINDS = {"node": 0.4, "area": 0.15, "cell": 0.25, "billing": 0.2}
"""Mostly fixed-network nodes, a quarter cells, a fifth bill runs."""
CONTACT_SHARE = {"network": (0.02, 0.10), "billing": (0.02, 0.06)}
"""Share of the affected customers who reach the bot about it (uniform in the range): of a dead service perhaps
one in ten contacts at all, and the bot is one channel of several; a wrong bill line fewer (many never read it)."""
MEAN_DELAY_H = {"network": 1.5, "billing": 4.0}
"""Mean delay (exponential, in active hours) from the fault to a customer's contact: the router restarted, the
neighbours asked, the status page read first; bills are read when they arrive, over the day."""
DURATION_H = {"network": (1.5, 8.0), "billing": (24.0, 36.0)}
"""How long until the fault is repaired (network) or the bills corrected (billing), uniform in the range."""
WRONG_CHARGES = ("Late payment fee", "Paper bill charge", "Engineer visit: fault found in customer equipment")
"""One-off lines a bill run may add by mistake (``simulator.silent``'s bill fault); the last one is also a
genuine charge some customers query every day."""
APART_S = 2 * 3600
"""Faults on the same area or bill line are at least this far apart: an incident stays open a while after its
last contact, and a second fault within that time would only grow it."""
ACCESS_LINE_SHARE = 0.25
"""Node faults whose line tests fail at the access line rather than the network (``simulator.silent``)."""


def inject(traffic: Traffic, days: range, per_day: int) -> list[Fault]:
    """``per_day`` silent faults on each of ``days``, at random targets and times (the traffic's generator). Two
    faults never share an area (network) or a bill line (billing) while either lasts: together they would be one
    incident, and the second could not be found apart."""
    rng = traffic.rng
    kinds = list(FAULT_KINDS)
    faults: list[Fault] = []
    for day in days:
        for _ in range(per_day):
            while True:
                kind = kinds[int(rng.choice(len(kinds), p=list(FAULT_KINDS.values())))]
                fault = _fault(traffic, kind, START + day * DAY_S + float(rng.random()) * DAY_S)
                if not any(_overlap(fault, other) for other in faults):
                    break
            faults.append(fault)
    return faults


def _overlap(one: Fault, other: Fault) -> bool:
    same = (one.kind == "billing") == (other.kind == "billing") and (
        one.target == other.target if one.kind == "billing" else one.area == other.area
    )
    return same and one.started_at <= other.ends_at + APART_S and other.started_at <= one.ends_at + APART_S


def _fault(traffic: Traffic, kind: str, started: float) -> Fault:
    rng, population = traffic.rng, traffic.population
    family = "billing" if kind == "billing" else "network"
    finding = "accessLine" if kind == "node" and rng.random() < ACCESS_LINE_SHARE else "network"
    if kind == "billing":
        # As the simulator's bill fault: every account of the area gains a line; or one plan charged twice there.
        pairs = sorted({(a.area, plan) for a in population.accounts for plan in a.plans})
        area, plan = pairs[int(rng.integers(len(pairs)))]
        if rng.random() < 0.5:
            finding, target = "oneOffCharge", WRONG_CHARGES[int(rng.integers(len(WRONG_CHARGES)))]
            holders: Sequence[Line | Account] = [a for a in population.accounts if a.area == area]
        else:
            finding, target = "duplicateCharge", f"{plan} charged twice for the same period"
            holders = [a for a in population.accounts if a.area == area and plan in a.plans]
    else:
        nodes = population.nodes("mobile" if kind == "cell" else "broadband")
        silent = {node: lines for node, lines in nodes.items() if node_in_outage(lines[0].area, node) is None}
        if kind == "area":
            areas = sorted({lines[0].area for lines in silent.values()})
            target = area = areas[int(rng.integers(len(areas)))]
            holders = [line for lines in silent.values() for line in lines if line.area == area]
        else:
            target = sorted(silent)[int(rng.integers(len(silent)))]
            holders = silent[target]
            area = holders[0].area
    low, high = DURATION_H[family]
    fault = Fault(kind, target, area, started, started + float(rng.uniform(low, high)) * 3600,
                  len(holders) * population.scale)  # fmt: skip
    low, high = CONTACT_SHARE[family]
    callers = int(rng.binomial(fault.affected, float(rng.uniform(low, high))))
    for index in rng.choice(fault.affected, size=callers, replace=False):
        holder, clone = holders[int(index) // population.scale], int(index) % population.scale
        at = Activity.after(started, float(rng.exponential(MEAN_DELAY_H[family])))
        if at >= fault.ends_at:
            continue  # repaired before this customer got round to it
        if kind == "billing":
            fault.contacts.append(traffic.diagnosis(at, "bill_increase", holder, clone, finding=finding,
                                                    bill_line=target))  # fmt: skip
        else:
            symptom: Symptom = "mobile_no_service" if kind == "cell" else "broadband_down"
            fault.contacts.append(traffic.diagnosis(at, symptom, holder, clone, finding=finding, explained=False,
                                                    alarm=None))  # fmt: skip
    fault.contacts.sort(key=lambda d: d.at)
    return fault
