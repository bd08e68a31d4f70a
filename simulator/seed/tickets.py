"""TMF621 trouble tickets: the seeded open ones, and the shape of every ticket the simulator creates."""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator.apis import CUSTOMER, SERVICE_INVENTORY, TROUBLE_TICKET
from simulator.scenarios import SCENARIOS
from simulator.seed.model import Person
from simulator.seed.tmf import Hrefs, Json, iso, party_ref

TICKETS: dict[str, tuple[str, float, float]] = {
    "ticket_within_sla": ("Intermittent broadband drop-outs in the evening", -20.0, 28.0),
    "ticket_past_sla": ("Broadband keeps disconnecting; engineer needed", -96.0, -30.0),
}
"""Archetype -> (description, created at, expected resolution), in hours relative to the anchor."""
SLA_HOURS = {"Critical": 4, "Major": 24, "Minor": 72}
"""Hours from creation to expected resolution by severity, for tickets created through the API."""
PRIORITY = {"Critical": "Critical", "Major": "High", "Minor": "Medium"}


def tickets_for(person: Person, anchor: datetime, hrefs: Hrefs) -> list[Json]:
    if person.archetype not in TICKETS or not person.lines:
        return []
    description, created_h, due_h = TICKETS[person.archetype]
    number = 100000 + person.index if person.index <= len(SCENARIOS) else 200000 + person.index
    created = anchor + timedelta(hours=created_h)
    line = person.lines[0]
    notes = [
        {"id": "1", "author": "contactCentre", "date": iso(created), "text": "Customer reported the fault"},
        {
            "id": "2",
            "author": "fieldOperations",
            "date": iso(created + timedelta(hours=6)),
            "text": "Engineer visit scheduled; awaiting parts" if due_h < 0 else "Line monitoring in place",
        },
    ]
    return [
        ticket_json(
            ticket_id=f"TT-{number}",
            hrefs=hrefs,
            description=description,
            severity="Major",
            ticket_type="incident",
            status="inProgress",
            created=created,
            updated=created + timedelta(hours=6),
            expected=anchor + timedelta(hours=due_h),
            customer=party_ref(
                person.customer_id, person.name, "customer", hrefs(CUSTOMER, "customer", person.customer_id)
            ),
            related=[
                {
                    "id": line.id,
                    "href": hrefs(SERVICE_INVENTORY, "service", line.id),
                    "name": line.plan.name,
                    "role": "affectedService",
                    "@referredType": "Service",
                }
            ],
            notes=notes,
        )
    ]


def ticket_json(
    *,
    ticket_id: str,
    hrefs: Hrefs,
    description: str,
    severity: str,
    ticket_type: str,
    status: str,
    created: datetime,
    updated: datetime,
    expected: datetime,
    customer: Json | None,
    related: list[Json],
    notes: list[Json],
    name: str | None = None,
) -> Json:
    return {
        "id": ticket_id,
        "href": hrefs(TROUBLE_TICKET, "troubleTicket", ticket_id),
        "name": name or description[:60],
        "description": description,
        "severity": severity,
        "priority": PRIORITY.get(severity, "Low"),
        "ticketType": ticket_type,
        "status": status,
        "creationDate": iso(created),
        "lastUpdate": iso(updated),
        "statusChangeDate": iso(created),
        "expectedResolutionDate": iso(expected),
        "channel": {"id": "CH-CHAT", "name": "Web chat", "@referredType": "Channel"},
        "relatedEntity": related,
        "relatedParty": [customer] if customer else [],
        "note": notes,
        "statusChange": [{"status": status, "changeDate": iso(created), "changeReason": "Ticket logged"}],
        "@type": "TroubleTicket",
    }
