"""The seeded dataset: every TMF resource the simulator serves, generated from a fixed seed at start.

The same seed and anchor time always give the same dataset. Times are relative to the anchor (by default
the start time truncated to the hour) so outages are current and tickets are within or past their SLA.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from simulator.seed.alarms import alarms_json
from simulator.seed.billing import billing_for
from simulator.seed.model import Line, Person
from simulator.seed.orders import orders_for
from simulator.seed.party import billing_account_json, customer_json
from simulator.seed.population import RANDOM_CUSTOMERS, build_people
from simulator.seed.services import service_json
from simulator.seed.tickets import tickets_for
from simulator.seed.tmf import Hrefs, Json

DEFAULT_SEED = 20240601


@dataclass
class Dataset:
    anchor: datetime
    people: list[Person]
    customers: list[Json] = field(default_factory=list)
    billing_accounts: list[Json] = field(default_factory=list)
    services: list[Json] = field(default_factory=list)
    alarms: list[Json] = field(default_factory=list)
    bills: list[Json] = field(default_factory=list)
    bill_rates: list[Json] = field(default_factory=list)
    payments: list[Json] = field(default_factory=list)
    orders: list[Json] = field(default_factory=list)
    tickets: list[Json] = field(default_factory=list)

    @property
    def lines(self) -> dict[str, tuple[Person, Line]]:
        """Service id -> (holder, line): the hidden truth behind service tests."""
        return {line.id: (person, line) for person in self.people for line in person.lines}


def generate_dataset(
    anchor: datetime, root_url: str, seed: int = DEFAULT_SEED, random_customers: int = RANDOM_CUSTOMERS
) -> Dataset:
    """Build every resource; ``root_url`` is the public ``.../tmf-api`` root that hrefs start with."""
    hrefs = Hrefs(root_url)
    people = build_people(seed, anchor, random_customers)
    data = Dataset(anchor=anchor, people=people)
    for person in people:
        billing = billing_for(person, anchor, hrefs)
        data.customers.append(customer_json(person, hrefs))
        data.billing_accounts.append(
            billing_account_json(person, hrefs, billing.outstanding, billing.payment_status, anchor)
        )
        data.services += [service_json(person, line, hrefs) for line in person.lines]
        data.bills += billing.bills
        data.bill_rates += billing.rates
        data.payments += billing.payments
        data.orders += orders_for(person, anchor, hrefs)
        data.tickets += tickets_for(person, anchor, hrefs)
    data.alarms = alarms_json(people, anchor, hrefs)
    return data
