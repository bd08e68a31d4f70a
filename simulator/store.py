"""In-memory resources by id, with lazily built indexes on dotted attribute paths and cached JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from simulator.seed import Dataset
from simulator.seed.model import Line, Person
from simulator.seed.tmf import Hrefs, Json
from simulator.silent import SilentFaults

FIRST_CREATED_TICKET = 500001
"""Tickets opened through the API are numbered from here, clear of the seeded ones."""
FIRST_CREATED_ALARM = 700001
"""Alarms raised through the API (TMF642 ids are integers) are numbered from here, clear of the seeded ones."""


def values_at(item: object, path: str) -> list[str]:
    """Every value at a dotted path, walking lists: ``relatedParty.id`` -> the ids of all related parties."""
    current: list[object] = [item]
    for part in path.split("."):
        following: list[object] = []
        for node in current:
            if isinstance(node, dict) and part in node:
                value = node[part]
                following.extend(value if isinstance(value, list) else [value])
        current = following
    return [_text(v) for v in current if v is not None and not isinstance(v, dict | list)]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Collection:
    def __init__(self, items: Iterable[Json]) -> None:
        self._items: dict[str, Json] = {str(item["id"]): item for item in items}
        self._bodies: dict[str, bytes] = {}
        self._indexes: dict[str, dict[str, list[str]]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, ident: str) -> Json | None:
        return self._items.get(ident)

    def body(self, ident: str) -> bytes | None:
        """The serialised resource, computed once until it changes."""
        cached = self._bodies.get(ident)
        if cached is None and ident in self._items:
            cached = self._bodies[ident] = json.dumps(self._items[ident]).encode()
        return cached

    def values(self) -> list[Json]:
        return list(self._items.values())

    def put(self, item: Json) -> None:
        ident = str(item["id"])
        self._items[ident] = item
        self._bodies.pop(ident, None)
        self._indexes.clear()

    def remove(self, ident: str) -> None:
        self._items.pop(ident, None)
        self._bodies.pop(ident, None)
        self._indexes.clear()

    def lookup(self, path: str, value: str) -> list[Json]:
        index = self._indexes.get(path)
        if index is None:
            index = {}
            for ident, item in self._items.items():
                for found in set(values_at(item, path)):
                    index.setdefault(found, []).append(ident)
            self._indexes[path] = index
        return [self._items[i] for i in index.get(value, ())]


class Store:
    """Every collection the routers serve, plus the hidden truth service tests read and the silent faults
    (``simulator.silent``) set on top of it, which live and die with this data."""

    def __init__(self, dataset: Dataset, hrefs: Hrefs) -> None:
        self.anchor: datetime = dataset.anchor
        self.hrefs = hrefs
        self.lines: dict[str, tuple[Person, Line]] = dataset.lines
        self.collections: dict[str, Collection] = {
            "customer": Collection(dataset.customers),
            "billingAccount": Collection(dataset.billing_accounts),
            "service": Collection(dataset.services),
            "alarm": Collection(dataset.alarms),
            "serviceTest": Collection(()),
            "customerBill": Collection(dataset.bills),
            "appliedCustomerBillingRate": Collection(dataset.bill_rates),
            "payment": Collection(dataset.payments),
            "productOrder": Collection(dataset.orders),
            "troubleTicket": Collection(dataset.tickets),
        }
        self.silent = SilentFaults()
        self._next_ticket = FIRST_CREATED_TICKET
        self._next_test = 1
        self._next_alarm = FIRST_CREATED_ALARM

    def __getitem__(self, resource: str) -> Collection:
        return self.collections[resource]

    def new_ticket_id(self) -> str:
        ident = f"TT-{self._next_ticket}"
        self._next_ticket += 1
        return ident

    def new_test_id(self) -> str:
        ident = f"ST-{self._next_test:06d}"
        self._next_test += 1
        return ident

    def new_alarm_id(self) -> int:
        ident = self._next_alarm
        self._next_alarm += 1
        return ident
