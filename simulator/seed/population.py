"""Who the customers are: the documented scenario customers first, then a seeded random population.

Random customers get an archetype drawn with realistic weights (most customers have nothing wrong), a home
in one of the areas, services that fit the archetype, and identifiers drawn without replacement.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from simulator.scenarios import SCENARIOS, Scenario
from simulator.seed.catalog import BY_KIND, PLANS_BY_ID, Plan
from simulator.seed.model import Line, Person
from simulator.seed.network import AREAS, AREAS_BY_CODE, Area, node_in_outage

RANDOM_CUSTOMERS = 215
"""With the 25 documented customers this makes 240, above the 200 the issue asks for."""

ARCHETYPE_WEIGHTS: dict[str, int] = {
    "healthy": 34, "multi_service": 5, "outage_area": 5, "access_line_fault": 5, "router_fault": 5,
    "healthy_line": 6, "home_wiring": 3, "slow_line": 5, "mobile_outage": 3, "sim_unprovisioned": 2,
    "mobile_barred": 2, "bill_roaming": 4, "bill_one_off": 3, "bill_price_rise": 5, "bill_duplicate": 1,
    "bill_prorated": 2, "failed_direct_debit": 3, "order_held_credit_check": 1, "order_held_number_port": 1,
    "order_held_provisioning": 1, "order_held_appointment": 1, "order_held_shipping": 1, "order_failed": 1,
    "activation_stuck": 1, "ticket_within_sla": 2, "ticket_past_sla": 1,
}  # fmt: skip

MOBILE_FIRST = frozenset(
    {"mobile_outage", "sim_unprovisioned", "mobile_barred", "bill_roaming", "order_held_number_port", "order_failed"}
)
ANY_MIX = frozenset({"healthy", "bill_price_rise", "failed_direct_debit"})
NEW_CUSTOMER = frozenset(k for k in ARCHETYPE_WEIGHTS if k.startswith("order_") or k == "activation_stuck")
LINE_FAULTS = {
    "access_line_fault": "accessLine",
    "router_fault": "cpe",
    "home_wiring": "homeWiring",
    "slow_line": "slow",
}
UPGRADES = {"PO-BB-FTTC36": "PO-BB-FTTC67", "PO-BB-FTTC67": "PO-BB-FTTP150", "PO-BB-FTTP150": "PO-BB-FTTP500"}
BROADBAND_WEIGHTS = {"PO-BB-ADSL": 10, "PO-BB-FTTC36": 20, "PO-BB-FTTC67": 35, "PO-BB-FTTP150": 25, "PO-BB-FTTP500": 10}
COPPER = ("PO-BB-ADSL", "PO-BB-FTTC36", "PO-BB-FTTC67")
DOCUMENTED_BROADBAND = {
    1: "PO-BB-FTTC67",
    2: "PO-BB-FTTC36",
    3: "PO-BB-FTTP150",
    4: "PO-BB-FTTP500",
    5: "PO-BB-FTTC67",
    6: "PO-BB-FTTC67",
    14: "PO-BB-FTTP150",
}
"""Documented customers whose finding names a speed or a plan keep that plan whatever the draw."""

FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Ivy", "Freya", "Lily", "Florence", "Mia", "Willow", "Rosie", "Sophia",
    "Muhammad", "Noah", "Oliver", "George", "Leo", "Arthur", "Oscar", "Harry", "Archie", "Jack", "Henry",
    "Theo", "Charlie", "Finley", "Aarav", "Zara", "Hannah", "Ruth", "Peter", "Margaret", "David", "Susan",
    "Kwame", "Niamh", "Callum", "Eilidh", "Rhys", "Siobhan",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke",
    "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper", "Hill", "Ward", "Hughes", "Moore",
    "Khan", "Begum", "Ahmed", "Okafor", "Mensah", "O'Neill", "MacDonald", "Campbell", "Reid",
)  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
"""Letters UK postcodes use in the inward code."""


def build_people(seed: int, anchor: datetime, random_count: int = RANDOM_CUSTOMERS) -> list[Person]:
    people = [_documented(s, anchor) for s in SCENARIOS]
    rng = random.Random(seed)
    numbers = list(range(100, 1000))
    rng.shuffle(numbers)
    landlines = list(range(100, 1000))
    rng.shuffle(landlines)
    accounts = rng.sample(range(20_000_000, 99_999_999), random_count)
    keys = list(ARCHETYPE_WEIGHTS)
    archetypes = rng.choices(keys, weights=[ARCHETYPE_WEIGHTS[k] for k in keys], k=random_count)
    for offset, archetype in enumerate(archetypes):
        index = len(SCENARIOS) + 1 + offset
        own = random.Random(rng.getrandbits(64))
        area = _area_for(archetype, own)
        person = Person(
            index=index,
            archetype=archetype,
            name=f"{own.choice(FIRST_NAMES)} {own.choice(SURNAMES)}",
            account_id=f"AC{accounts[offset]}",
            mobile=f"+447700900{numbers[offset]:03d}",
            landline=None,
            area=area,
            street=f"{own.randint(1, 180)} {own.choice(area.streets)}",
            postcode=f"{area.code} {own.randint(1, 9)}{own.choice(INWARD_LETTERS)}{own.choice(INWARD_LETTERS)}",
            since=_since(archetype, anchor, own),
            rng=own,
        )
        _add_lines(person, _kinds_for(archetype, own))
        if person.line("broadband"):
            person.landline = f"+442079460{landlines[offset]:03d}"
        people.append(person)
    return people


def _documented(scenario: Scenario, anchor: datetime) -> Person:
    own = random.Random(f"documented-{scenario.index}")
    area = AREAS_BY_CODE[scenario.area]
    person = Person(
        index=scenario.index,
        archetype=scenario.key,
        name=scenario.name,
        account_id=scenario.account_id,
        mobile="+44" + scenario.mobile.replace(" ", "")[1:],
        landline="+44" + scenario.landline.replace(" ", "")[1:] if scenario.landline else None,
        area=area,
        street=f"{10 + scenario.index} {area.streets[scenario.index % len(area.streets)]}",
        postcode=scenario.postcode,
        since=_since(scenario.key, anchor, own),
        rng=own,
    )
    _add_lines(person, scenario.services)
    return person


def _area_for(archetype: str, rng: random.Random) -> Area:
    if archetype == "outage_area":
        return AREAS_BY_CODE[rng.choice(("G1", "LS1"))]
    if archetype == "mobile_outage":
        return AREAS_BY_CODE["B1"]
    return rng.choice([a for a in AREAS if node_in_outage(a.code, a.exchange) is None])


def _since(archetype: str, anchor: datetime, rng: random.Random) -> datetime:
    if archetype in NEW_CUSTOMER or archetype == "sim_unprovisioned":
        return anchor - timedelta(days=rng.randint(4, 9), hours=rng.randint(0, 12))
    return anchor - timedelta(days=rng.randint(120, 2400))


def _kinds_for(archetype: str, rng: random.Random) -> tuple[str, ...]:
    if archetype == "multi_service":
        return ("broadband", "mobile", "tv")
    if archetype in NEW_CUSTOMER:
        return ("mobile",) if archetype in MOBILE_FIRST else ("broadband",)
    if archetype in MOBILE_FIRST:
        return ("broadband", "mobile") if rng.random() < 0.3 else ("mobile",)
    if archetype in ANY_MIX:
        return rng.choices(
            [("broadband",), ("mobile",), ("broadband", "mobile"), ("broadband", "mobile", "tv"), ("broadband", "tv")],
            weights=[35, 25, 25, 10, 5],
        )[0]
    kinds = ["broadband"]
    if rng.random() < 0.35:
        kinds.append("mobile")
    if rng.random() < 0.15:
        kinds.append("tv")
    return tuple(kinds)


def _add_lines(person: Person, kinds: tuple[str, ...]) -> None:
    for number, kind in enumerate(kinds, start=1):
        plan = _plan_for(person, kind)
        line = Line(id=f"SVC-{person.index:06d}-{number}", plan=plan, node=_node_for(person, plan))
        _apply_archetype(person, line)
        person.lines.append(line)


def _plan_for(person: Person, kind: str) -> Plan:
    rng = person.rng
    if kind != "broadband":
        return rng.choice(BY_KIND[kind])
    if person.index in DOCUMENTED_BROADBAND:
        return PLANS_BY_ID[DOCUMENTED_BROADBAND[person.index]]
    if person.archetype == "home_wiring":
        return PLANS_BY_ID[rng.choice(COPPER)]
    if person.archetype == "slow_line" or (person.archetype == "outage_area" and person.area.code == "LS1"):
        return PLANS_BY_ID[rng.choice(COPPER[1:])]
    if person.archetype == "bill_prorated":
        return PLANS_BY_ID[UPGRADES[rng.choice(list(UPGRADES))]]
    ids = list(BROADBAND_WEIGHTS)
    return PLANS_BY_ID[rng.choices(ids, weights=[BROADBAND_WEIGHTS[i] for i in ids])[0]]


def _node_for(person: Person, plan: Plan) -> str:
    area, rng = person.area, person.rng
    if plan.kind == "mobile":
        if person.archetype == "mobile_outage":
            return "CELL-B1-01"
        candidates = list(area.cells)
    elif plan.technology == "FTTP":
        candidates = [area.olt]
    elif plan.technology == "ADSL2+":
        candidates = [area.exchange]
    else:
        if person.archetype == "outage_area" and area.code == "LS1":
            return "CAB-LS1-02"
        candidates = list(area.cabinets)
    if person.archetype != "outage_area":
        candidates = [n for n in candidates if node_in_outage(area.code, n) is None] or candidates
    return rng.choice(candidates)


def _apply_archetype(person: Person, line: Line) -> None:
    archetype = person.archetype
    if line.kind == "broadband":
        line.fault = LINE_FAULTS.get(archetype, "none")
        if archetype == "bill_prorated":
            line.previous_plan = PLANS_BY_ID[next(k for k, v in UPGRADES.items() if v == line.plan.id)]
    if line.kind == "mobile" and archetype == "sim_unprovisioned":
        line.state, line.sim_status = "inactive", "notProvisioned"
    if line.kind == "mobile" and archetype == "mobile_barred":
        line.state, line.barring = "inactive", "nonPayment"
    if archetype in NEW_CUSTOMER:
        line.state = "inactive" if archetype == "order_failed" else "reserved"
