"""TMF621 Trouble Ticket: create, read, list by customer, and update with a JSON merge patch.

A ticket must name its customer (a related party of type Customer that exists); related services must be
that customer's. A ``networkIncident`` ticket is network operations' (issue 21's sensor raises them): it names
no customer but at least one related entity (a ``NetworkNode``, a ``GeographicArea``, services...), and
``ticketType=networkIncident`` lists them all, as the NOC's queue (``externalId`` narrows it to the ticket of one
sensor incident, so a raise retried after a lost answer finds its ticket). The expected resolution date follows the
severity's SLA when the caller gives none.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import cast

from fastapi import APIRouter, Request
from fastapi.responses import Response

from simulator.apis import CUSTOMER, TROUBLE_TICKET, base_path
from simulator.bodies import TicketFields, TroubleTicketCreate, TroubleTicketUpdate
from simulator.errors import JSON_TYPE, TmfError, bad_request, not_found
from simulator.identifiers import AREA, CUSTOMER_ID, NODE, TICKET_ID
from simulator.query import Filter, Listing, attributes, check_id
from simulator.routers.common import json_body, jsonable, read_routes, store_of
from simulator.seed.network import AREAS_BY_CODE, NODE_AREAS
from simulator.seed.tickets import SLA_HOURS, ticket_json
from simulator.seed.tmf import Json, iso
from simulator.store import Store

FIELDS = attributes(
    "id href creationDate description expectedResolutionDate externalId lastUpdate name priority"
    " requestedResolutionDate resolutionDate severity statusChangeDate statusChangeReason ticketType attachment"
    " channel note relatedEntity relatedParty status statusChange troubleTicketRelationship @baseType"
    " @schemaLocation @type"
)
STATUSES = frozenset({"acknowledged", "rejected", "pending", "held", "inProgress", "cancelled", "closed", "resolved"})
FINAL = frozenset({"closed", "cancelled", "rejected"})
REQUIRED = frozenset({"description", "severity", "ticketType"})
NETWORK = "networkIncident"
EXTERNAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}")
LISTING = Listing(
    resource="troubleTicket",
    id_pattern=TICKET_ID,
    fields=FIELDS,
    filters={
        "id": Filter(TICKET_ID, identifier=True),
        "relatedParty.id": Filter(CUSTOMER_ID, identifier=True),
        "status": Filter(choices=STATUSES),
        "severity": Filter(choices=frozenset(SLA_HOURS)),
        "ticketType": Filter(choices=frozenset({NETWORK}), identifier=True),
        "externalId": Filter(EXTERNAL_ID),  # not an identifier: alone it lists no customer's tickets
    },
    sortable=frozenset({"creationDate", "expectedResolutionDate"}),
    default_sort="-creationDate",
)

router = APIRouter(prefix=base_path(TROUBLE_TICKET), tags=["TMF621 Trouble Ticket"])
read_routes(router, LISTING)


@router.post("/troubleTicket", status_code=201, name="create_troubleTicket")
async def create_ticket(request: Request) -> Response:
    body, _ = await json_body(request, TroubleTicketCreate)
    store = store_of(request)
    customer_id = _check_parties(store, body)
    plain = _plain(body)
    now = datetime.now(UTC)
    name = (store["customer"].get(customer_id) or {}).get("name") if customer_id else None
    for party in plain.get("relatedParty", []):
        if party["@referredType"] == "Customer":
            party.update(href=store.hrefs(CUSTOMER, "customer", party["id"]), name=party.get("name") or name)
    ticket = ticket_json(
        ticket_id=store.new_ticket_id(),
        hrefs=store.hrefs,
        description=body.description,
        severity=body.severity,
        ticket_type=body.ticketType,
        status="acknowledged",
        created=now,
        updated=now,
        expected=now + timedelta(hours=SLA_HOURS[body.severity]),
        customer=None,
        related=plain.get("relatedEntity", []),
        notes=_stamped(plain.get("note", []), now),
        name=body.name,
    )
    ticket.update({k: plain[k] for k in ("relatedParty", "externalId", "requestedResolutionDate", "channel",
                                         "priority") if k in plain})  # fmt: skip
    if body.ticketType == NETWORK and "channel" not in plain:
        del ticket["channel"]  # not a chat's ticket
    store["troubleTicket"].put(ticket)
    return Response(
        store["troubleTicket"].body(ticket["id"]),
        status_code=201,
        media_type=JSON_TYPE,
        headers={"Location": ticket["href"]},
    )


@router.patch("/troubleTicket/{ticket_id}", name="patch_troubleTicket")
async def patch_ticket(ticket_id: str, request: Request) -> Response:
    """RFC 7386 merge patch: given attributes replace the current ones (arrays whole), ``null`` removes one."""
    check_id(LISTING, ticket_id)
    store = store_of(request)
    current = store["troubleTicket"].get(ticket_id)
    if current is None:
        raise not_found("troubleTicket", ticket_id)
    body, raw = await json_body(request, TroubleTicketUpdate, patch=True)
    removed = sorted(k for k, v in raw.items() if v is None and k in REQUIRED)
    if removed:
        raise bad_request("INVALID_BODY", f"{', '.join(removed)} cannot be removed")
    if current["status"] in FINAL:
        raise TmfError(409, "TICKET_CLOSED", "Conflict", f"ticket {ticket_id} is {current['status']}")
    if "relatedParty" in raw or "relatedEntity" in raw or "ticketType" in raw:
        _check_parties(store, body, current)
    now = datetime.now(UTC)
    plain = _plain(body)
    updated = {k: v for k, v in current.items() if raw.get(k, "") is not None}
    updated.update({k: plain[k] for k in raw if k in plain})
    if "note" in plain:
        updated["note"] = _stamped(plain["note"], now)
    if body.status is not None and body.status != current["status"]:
        change = {"status": body.status, "changeDate": iso(now), "changeReason": body.statusChangeReason or ""}
        updated["statusChange"] = [*current.get("statusChange", []), change]
        updated["statusChangeDate"] = iso(now)
        if body.status == "resolved" and "resolutionDate" not in raw:
            updated["resolutionDate"] = iso(now)
    updated["lastUpdate"] = iso(now)
    store["troubleTicket"].put(updated)
    return Response(store["troubleTicket"].body(ticket_id), media_type=JSON_TYPE)


def _check_parties(store: Store, body: TicketFields, current: Json | None = None) -> str | None:
    """The customer the ticket belongs to; 400 unless exactly one existing customer owns every service.

    A network incident belongs to no customer: ``None``, and 400 unless it names none and relates to entities
    that exist."""
    if (body.ticketType or (current or {}).get("ticketType")) == NETWORK:
        _check_network(store, body, current)
        return None
    parties = body.relatedParty if body.relatedParty is not None else None
    customers = [p.id for p in parties or [] if p.referred_type == "Customer"]
    if parties is None and current is not None:
        customers = [p["id"] for p in current.get("relatedParty", []) if p.get("@referredType") == "Customer"]
    if len(customers) != 1:
        raise bad_request("CUSTOMER_REQUIRED", "name exactly one relatedParty with @referredType Customer")
    customer_id = customers[0]
    if not CUSTOMER_ID.fullmatch(customer_id) or store["customer"].get(customer_id) is None:
        raise bad_request("UNKNOWN_CUSTOMER", f"customer {customer_id[:40]!r} does not exist")
    entities = body.relatedEntity if body.relatedEntity is not None else []
    for entity in entities:
        if entity.referred_type != "Service":
            continue
        holder = store.lines.get(entity.id)
        if holder is None or holder[0].customer_id != customer_id:
            raise bad_request("UNKNOWN_SERVICE", f"service {entity.id[:40]!r} is not one of {customer_id}'s")
    return customer_id


def _check_network(store: Store, body: TicketFields, current: Json | None) -> None:
    parties = [p.model_dump(by_alias=True) for p in body.relatedParty] if body.relatedParty is not None else None
    entities = [e.model_dump(by_alias=True) for e in body.relatedEntity] if body.relatedEntity is not None else None
    if current is not None:
        parties = current.get("relatedParty", []) if parties is None else parties
        entities = current.get("relatedEntity", []) if entities is None else entities
    if any(p.get("@referredType") == "Customer" for p in parties or []):
        raise bad_request("CUSTOMER_NOT_ALLOWED", "a networkIncident ticket is about the network and names no customer")
    if not entities:
        raise bad_request("ENTITY_REQUIRED", "name the node, area or services of the incident in relatedEntity")
    for entity in entities:
        ident, kind = str(entity["id"]), entity.get("@referredType")
        if kind == "Service":
            known = ident in store.lines
        elif kind == "NetworkNode":
            known = ident in NODE_AREAS
        elif kind == "GeographicArea":
            known = ident in AREAS_BY_CODE
        else:  # another kind of entity (a bill line...): only what looks like a node or an area can be checked
            looks_checkable = NODE.fullmatch(ident) or AREA.fullmatch(ident)
            known = not looks_checkable or ident in NODE_AREAS or ident in AREAS_BY_CODE
        if not known:
            raise bad_request("UNKNOWN_ENTITY", f"{kind} {ident[:40]!r} does not exist")


def _plain(body: TicketFields) -> Json:
    """The body as JSON with TMF names (``@referredType``) and RFC 3339 datetimes, unset attributes left out."""
    return cast(Json, jsonable(body.model_dump(by_alias=True, exclude_none=True)))


def _stamped(notes: list[Json], now: datetime) -> list[Json]:
    """Notes with an id, an author and a date, filled in where the caller gave none."""
    return [{"id": str(n), "author": "chatbot", "date": iso(now), **note} for n, note in enumerate(notes, start=1)]
