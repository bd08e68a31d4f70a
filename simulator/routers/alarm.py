"""TMF642 Alarm Management: active alarms and outages by area or node (network data, no identifier needed),
a merge patch that changes (clears) an alarm, and the event hub (``simulator.hub``) that tells listeners.

The spec's v4 file types the alarm id as an integer, so ids are digits; severities and states follow the
TM Forum JSON schemas (X.733 severities; raised, updated, cleared).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Literal, cast

from fastapi import APIRouter, Request
from fastapi.responses import Response

from simulator.apis import ALARM, base_path
from simulator.bodies import Body, Name, Text
from simulator.errors import JSON_TYPE, TmfError, bad_request, not_found
from simulator.hub import CALLBACK, MAX_LISTENERS, EventHub
from simulator.identifiers import ALARM_ID, NODE, PLACE, SERVICE_ID
from simulator.query import Filter, Listing, attributes, check_id
from simulator.routers.common import json_body, read_routes, store_of
from simulator.seed.tmf import iso

FIELDS = attributes(
    "id href ackState ackSystemId ackUserId alarmChangedTime alarmClearedTime alarmDetails alarmEscalation"
    " alarmRaisedTime alarmReportingTime alarmType alarmedObjectType clearSystemId clearUserId externalAlarmId"
    " isRootCause perceivedSeverity plannedOutageIndicator probableCause proposedRepairedActions"
    " reportingSystemId serviceAffecting sourceSystemId specificProblem state affectedService alarmedObject"
    " comment correlatedAlarm crossedThresholdInformation parentAlarm place @baseType @schemaLocation @type"
)
SEVERITIES = frozenset({"critical", "major", "minor", "warning", "indeterminate", "cleared"})
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
    """The part of TMF642 ``Alarm_Update`` a NOC changes when it works an alarm: its state, and who cleared it."""

    state: Literal["raised", "updated", "cleared"] | None = None
    perceivedSeverity: Literal["critical", "major", "minor", "warning", "indeterminate", "cleared"] | None = None
    alarmDetails: Text | None = None
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
    """RFC 7386 merge patch of the state; clearing stamps ``alarmClearedTime`` and tells the hub's listeners."""
    check_id(LISTING, alarm_id)
    collection = store_of(request)["alarm"]
    current = collection.get(alarm_id)
    if current is None:
        raise not_found("alarm", alarm_id)
    body, raw = await json_body(request, AlarmUpdate, patch=True)
    if any(v is None for v in raw.values()):
        raise bad_request("INVALID_BODY", "attributes of an alarm cannot be removed")
    changes = body.model_dump(exclude_none=True, by_alias=True)
    if not changes:
        raise bad_request("INVALID_BODY", "nothing to change")
    if current.get("state") == "cleared" and changes.get("state", "cleared") != "cleared":
        raise TmfError(409, "ALARM_CLEARED", "Conflict", f"alarm {alarm_id} is cleared; raise a new one instead")
    now = iso(datetime.now(UTC))
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
