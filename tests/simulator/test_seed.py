"""The seeded dataset: deterministic, large enough, every archetype present in realistic proportions."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from simulator.scenarios import ARCHETYPES, SCENARIOS
from simulator.seed import Dataset, generate_dataset
from simulator.seed.network import ALARM_SPECS, affects

ANCHOR = datetime(2025, 6, 1, 12, tzinfo=UTC)
ROOT = "http://127.0.0.1:8080/tmf-api"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return generate_dataset(ANCHOR, ROOT)


def _dump(data: Dataset) -> str:
    collections = [data.customers, data.billing_accounts, data.services, data.alarms, data.bills, data.bill_rates,
                   data.payments, data.orders, data.tickets]  # fmt: skip
    return json.dumps(collections, sort_keys=True)


def test_same_seed_and_anchor_give_the_same_dataset(dataset: Dataset) -> None:
    assert _dump(generate_dataset(ANCHOR, ROOT)) == _dump(dataset)


def test_another_seed_changes_the_population_but_not_the_documented_customers(dataset: Dataset) -> None:
    other = generate_dataset(ANCHOR, ROOT, seed=7)
    documented = len(SCENARIOS)
    assert other.customers[:documented] == dataset.customers[:documented]
    assert other.customers[documented:] != dataset.customers[documented:]


def test_at_least_200_customers_with_unique_identifiers(dataset: Dataset) -> None:
    assert len(dataset.customers) >= 200
    people = dataset.people
    for identifiers in ([p.customer_id for p in people], [p.account_id for p in people], [p.mobile for p in people],
                        [p.landline for p in people if p.landline]):  # fmt: skip
        assert len(set(identifiers)) == len(identifiers)


def test_identifiers_use_the_formats_people_type(dataset: Dataset) -> None:
    for person in dataset.people:
        assert person.account_id.startswith("AC") and len(person.account_id) == 10
        assert person.mobile.startswith("+447700900")
        assert person.landline is None or person.landline.startswith("+442079460")
        assert person.postcode.split()[0] == person.area.code


def test_every_archetype_is_in_the_random_population_too(dataset: Dataset) -> None:
    random_part = Counter(p.archetype for p in dataset.people[len(SCENARIOS) :])
    assert set(ARCHETYPES) - {"healthy"} <= set(Counter(p.archetype for p in dataset.people))
    assert random_part["healthy"] == max(random_part.values())
    share = random_part["healthy"] / sum(random_part.values())
    assert 0.25 <= share <= 0.5
    assert all(n / sum(random_part.values()) < 0.1 for k, n in random_part.items() if k != "healthy")


def test_many_customers_hold_several_services(dataset: Dataset) -> None:
    several = [p for p in dataset.people if len(p.lines) >= 2]
    assert len(several) / len(dataset.people) >= 0.2
    assert any({line.kind for line in p.lines} == {"broadband", "mobile", "tv"} for p in dataset.people)


def test_outages_hit_exactly_the_outage_customers(dataset: Dataset) -> None:
    """Customers on an alarmed node or area are outage archetypes; nobody else is affected by an active alarm."""
    for person in dataset.people:
        hit = any(affects(spec, person.area.code, line.node) for spec in ALARM_SPECS for line in person.lines)
        assert hit == (person.archetype in {"outage_area", "mobile_outage"}), person.customer_id


def test_healthy_customers_have_nothing_wrong(dataset: Dataset) -> None:
    for person in (p for p in dataset.people if p.archetype in {"healthy", "multi_service"}):
        assert all(line.state == "active" and line.fault == "none" for line in person.lines)
        assert not any(affects(spec, person.area.code, line.node) for spec in ALARM_SPECS for line in person.lines)
        account = next(a for a in dataset.billing_accounts if a["id"] == person.account_id)
        assert account["paymentStatus"] == "paid"


def test_orders_cover_every_state_the_dialogue_explains(dataset: Dataset) -> None:
    states = Counter(order["state"] for order in dataset.orders)
    assert {"acknowledged", "inProgress", "held", "failed", "completed"} <= set(states)
    assert states["completed"] == max(states.values())
