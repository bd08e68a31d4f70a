"""The seed's own picture of a customer before it is rendered as TMF resources."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from simulator.seed.catalog import Plan
from simulator.seed.network import Area


@dataclass
class Line:
    """One service a customer holds; ``fault`` is hidden from the TMF resources and drives service tests."""

    id: str
    plan: Plan
    node: str
    state: str = "active"
    fault: str = "none"
    """``none``, ``accessLine``, ``cpe``, ``homeWiring`` or ``slow`` for broadband lines."""
    sim_status: str = "active"
    barring: str = "none"
    previous_plan: Plan | None = None
    """Set when the plan changed during the latest billing period (prorated bill)."""

    @property
    def kind(self) -> str:
        return self.plan.kind


@dataclass
class Person:
    index: int
    archetype: str
    name: str
    account_id: str
    mobile: str
    """E.164, e.g. ``+447700900001``."""
    landline: str | None
    area: Area
    street: str
    postcode: str
    since: datetime
    rng: random.Random
    """This customer's own generator: documented customers use one seeded by their index alone."""
    lines: list[Line] = field(default_factory=list)

    @property
    def customer_id(self) -> str:
        return f"CUST-{self.index:06d}"

    @property
    def address(self) -> str:
        return f"{self.street}, {self.area.city} {self.postcode}"

    @property
    def email(self) -> str:
        local = self.name.lower().replace(" ", ".").replace("'", "")
        return f"{local}{self.index}@example.com"

    def line(self, kind: str) -> Line | None:
        return next((line for line in self.lines if line.kind == kind), None)
