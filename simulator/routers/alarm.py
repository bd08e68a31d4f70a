"""TMF642 Alarm Management: active alarms and outages by area or node (network data, no identifier needed),
raising an alarm, a merge patch that changes (clears) one, and the event hub (``simulator.hub``) that tells
listeners.

Alarms raised with ``POST /alarm`` come from a NOC's own tools or from issue 21's network sensor (probable
cause ``customer-reported``); they are found by the same queries as the seeded ones (``place.id``,
``alarmedObject.id``, ``affectedService.id``), and ``probableCause=customer-reported`` lists what the sensor
told the NOC. They change no service test: a silent fault stays silent to the tests. The spec's v4 file types
the alarm id as an integer, so ids are digits; severities and states follow the TM Forum JSON schemas (X.733
severities; raised, updated, cleared).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Literal, cast, get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from simulator.apis import ALARM, SERVICE_INVENTORY, base_path
from simulator.bodies import AlarmCreate, AlarmType, Body, Comment, Name, Text
from simulator.errors import JSON_TYPE, TmfError, bad_request, not_found
from simulator.hub import CALLBACK, MAX_LISTENERS, EventHub
from simulator.identifiers import ALARM_ID, AREA, NODE, PLACE, SERVICE_ID
from simulator.query import Filter, Listing, attributes, check_id
from simulator.routers.common import json_body, jsonable, read_routes, store_of
from simulator.seed.network import AREAS_BY_CODE, NODE_AREAS, Area
from simulator.seed.services import node_kind
from simulator.seed.tmf import Json, iso
from simulator.store import Store

FIELDS = attributes(
    "id href ackState ackSystemId ackUserId alarmChangedTime alarmClearedTime alarmDetails alarmEscalation"
    " alarmRaisedTime alarmReportingTime alarmType alarmedObjectType clearSystemId clearUserId externalAlarmId"
    " isRootCause perceivedSeverity plannedOutageIndicator probableCause proposedRepairedActions"
    " reportingSystemId serviceAffecting sourceSystemId specificProblem state affectedService alarmedObject"
    " comment correlatedAlarm crossedThresholdInformation parentAlarm place @baseType @schemaLocation @type"
)
SEVERITIES = frozenset({"critical", "major", "minor", "warning", "indeterminate", "cleared"})
CAUSE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,59}")
SYSTEM_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}")
LISTING = Listing(
    resource="alarm",
    id_pattern=ALARM_ID,
    fields=FIELDS,
    filters={
        "id": Filter(ALARM_ID),
        "place.id": Filter(PLACE),
        "alarmedObject.id": Filter(NODE),
        "affectedService.id": Filter(SERVICE_ID),
        "state": Filter(choices=frozenset({"raised", "updated", "cleared"})),
        "perceivedSeverity": Filter(choices=SEVERITIES),
        "serviceAffecting": Filter(choices=frozenset({"true", "false"})),
        "probableCause": Filter(CAUSE),
        "alarmType": Filter(choices=frozenset(get_args(AlarmType))),
        "sourceSystemId": Filter(SYSTEM_REF),
        "externalAlarmId": Filter(SYSTEM_REF),
    },
    requires_identifier=False,
    sortable=frozenset({"alarmRaisedTime", "perceivedSeverity"}),
    default_sort="-alarmRaisedTime",
)

router = APIRouter(prefix=base_path(ALARM), tags=["TMF642 Alarm"])
read_routes(router, LISTING)


class EventSubscriptionInput(Body):
    """TMF642 ``EventSubscriptionInput``: where the hub sends events."""

    callback: Name
    query: Name | None = None


class AlarmUpdate(Body):
    """The part of TMF642 ``Alarm_Update`` a NOC (or the sensor) changes as an alarm evolves: its state and
    severity, what it says, and who cleared it. ``comment`` replaces the whole list (merge patch)."""

    state: Literal["raised", "updated", "cleared"] | None = None
    perceivedSeverity: Literal["critical", "major", "minor", "warning", "indeterminate", "cleared"] | None = None
    alarmDetails: Text | None = None
    specificProblem: Text | None = None
    comment: list[Comment] | None = Field(None, max_length=50)
    clearSystemId: Name | None = None
    clearUserId: Name | None = None


def hub_of(request: Request) -> EventHub:
    """The app's hub, made on first use: it belongs to the app, so a data reset keeps the listeners."""
    hub = getattr(request.app.state, "hub", None)
    if hub is None:
        hub = request.app.state.hub = EventHub()
    return cast(EventHub, hub)


@router.post("/hub", status_code=201, name="registerListener")
async def register_listener(request: Request) -> Response:
    body, _ = await json_body(request, EventSubscriptionInput)
    if not CALLBACK.fullmatch(body.callback):
        raise bad_request("INVALID_BODY", "callback must be an http(s) URL")
    hub = hub_of(request)
    if len(hub.listeners) >= MAX_LISTENERS:
        raise TmfError(409, "TOO_MANY_LISTENERS", "Conflict", f"at most {MAX_LISTENERS} listeners")
    listener = hub.register(body.callback, body.query)
    return Response(json.dumps(listener.body()), status_code=201, media_type=JSON_TYPE)


@router.get("/hub/{listener_id}", name="retrieveListener")
async def read_listener(listener_id: str, request: Request) -> Response:
    listener = hub_of(request).listeners.get(listener_id)
    if listener is None:
        raise not_found("hub", listener_id[:40])
    return Response(json.dumps(listener.body()), media_type=JSON_TYPE)


@router.delete("/hub/{listener_id}", status_code=204, name="unregisterListener")
async def unregister_listener(listener_id: str, request: Request) -> Response:
    if hub_of(request).listeners.pop(listener_id, None) is None:
        raise not_found("hub", listener_id[:40])
    return Response(status_code=204)


@router.patch("/alarm/{alarm_id}", name="patch_alarm")
async def patch_alarm(alarm_id: str, request: Request) -> Response:
    """RFC 7386 merge patch of the state, severity or text; clearing stamps ``alarmClearedTime``; listeners hear
    every change."""
    check_id(LISTING, alarm_id)
    collection = store_of(request)["alarm"]
    current = collection.get(alarm_id)
    if current is None:
        raise not_found("alarm", alarm_id)
    body, raw = await json_body(request, AlarmUpdate, patch=True)
    now = iso(datetime.now(UTC))
    if any(v is None for v in raw.values()):
        raise bad_request("INVALID_BODY", "attributes of an alarm cannot be removed")
    changes = jsonable(body.model_dump(exclude_none=True, by_alias=True))
    if "comment" in changes:
        changes["comment"] = _stamped(changes["comment"], now, current.get("sourceSystemId"))
    if not changes:
        raise bad_request("INVALID_BODY", "nothing to change")
    if current.get("state") == "cleared" and changes.get("state", "cleared") != "cleared":
        raise TmfError(409, "ALARM_CLEARED", "Conflict", f"alarm {alarm_id} is cleared; raise a new one instead")
    updated = {**current, **changes}
    if updated != current:
        updated["alarmChangedTime"] = now
        if changes.get("state") == "cleared" and current.get("state") != "cleared":
            updated.update(perceivedSeverity="cleared", alarmClearedTime=now)
            updated.setdefault("clearSystemId", "NOC-OSS")
        collection.put(updated)
        state_changed = updated.get("state") != current.get("state")
        hub_of(request).publish("AlarmStateChangeEvent" if state_changed else "AlarmAttributeValueChangeEvent", updated)
    return Response(collection.body(alarm_id), media_type=JSON_TYPE)


@router.post("/alarm", status_code=201, name="create_alarm")
async def create_alarm(request: Request) -> Response:
    """Raise an alarm; listeners hear an ``AlarmCreateEvent``. 409 while an alarm with the same
    ``externalAlarmId`` from the same ``sourceSystemId`` is active, so a retried raise makes no twin."""
    body, _ = await json_body(request, AlarmCreate)
    store = store_of(request)
    collection = store["alarm"]
    if body.externalAlarmId:
        for other in collection.lookup("externalAlarmId", body.externalAlarmId):
            if other.get("sourceSystemId") == body.sourceSystemId and other.get("state") != "cleared":
                message = f"alarm {other['id']} is active for {body.externalAlarmId}; patch it instead"
                raise TmfError(409, "ALARM_EXISTS", "Conflict", message)
    target = body.alarmedObject.id
    node_area = NODE_AREAS.get(target)
    area, is_node = node_area or AREAS_BY_CODE.get(target), node_area is not None
    if area is None and (NODE.fullmatch(target) or AREA.fullmatch(target)):
        raise bad_request("UNKNOWN_ALARMED_OBJECT", f"{target[:40]} is not a node or area of this network")
    for place in body.place or []:
        if (NODE.fullmatch(place.id) or AREA.fullmatch(place.id)) and not _known_place(place.id):
            raise bad_request("UNKNOWN_PLACE", f"{place.id[:40]} is not a node or area of this network")
    for service in body.affectedService or []:
        if service.id not in store.lines:
            raise bad_request("UNKNOWN_SERVICE", f"service {service.id[:40]!r} does not exist")
    now = datetime.now(UTC)
    plain = cast(Json, jsonable(body.model_dump(by_alias=True, exclude_none=True)))
    ident = store.new_alarm_id()
    alarm: Json = {"id": ident, "href": store.hrefs(ALARM, "alarm", ident), "@type": "Alarm", **plain}
    alarm.update(
        alarmRaisedTime=plain.get("alarmRaisedTime", iso(now)),
        alarmReportingTime=plain.get("alarmReportingTime", iso(now)),
        ackState=body.ackState or "unacknowledged",
        reportingSystemId=body.reportingSystemId or body.sourceSystemId,
        place=plain.get("place") or _places(target, area, is_node),
        affectedService=_services(store, plain.get("affectedService"), target, area, is_node),
        comment=_stamped(plain.get("comment", []), iso(now), body.sourceSystemId),
    )
    alarmed = alarm["alarmedObject"]
    if "@referredType" in alarmed:
        alarmed.setdefault("@type", alarmed.pop("@referredType"))
    if area is not None:
        kind = node_kind(target) if is_node else "GeographicArea"
        alarm.setdefault("alarmedObjectType", kind)
        alarmed.setdefault("@type", kind)
    collection.put(alarm)
    hub_of(request).publish("AlarmCreateEvent", alarm)
    return Response(
        collection.body(str(ident)), status_code=201, media_type=JSON_TYPE, headers={"Location": alarm["href"]}
    )


def _known_place(ident: str) -> bool:
    return ident in NODE_AREAS or ident in AREAS_BY_CODE


def _places(target: str, area: Area | None, is_node: bool) -> list[Json]:
    """``place[]`` as the seeded alarms write it: the area, and the node for a node alarm."""
    if area is None:
        return []
    places: list[Json] = [
        {"id": area.code, "name": f"{area.city} {area.code}", "role": "affectedArea", "@referredType": "GeographicArea"}
    ]
    if is_node:
        places.append({"id": target, "name": target, "role": "affectedNode", "@referredType": "NetworkNode"})
    return places


def _services(store: Store, given: list[Json] | None, target: str, area: Area | None, is_node: bool) -> list[Json]:
    """The services given, with their hrefs; else every service on the node, or in the area."""
    if given is not None:
        ids = [str(s["id"]) for s in given]
    elif area is None:
        ids = []
    else:
        ids = sorted(
            ident
            for ident, (person, line) in store.lines.items()
            if (line.node == target if is_node else person.area.code == area.code)
        )
    return [{"id": ident, "href": store.hrefs(SERVICE_INVENTORY, "service", ident)} for ident in ids]


def _stamped(comments: list[Json], now: str, system: object) -> list[Json]:
    """Comments with a time and a system, filled in where the caller gave none."""
    return [{"time": now, "systemId": str(system or "NOC-OSS"), **comment} for comment in comments]
