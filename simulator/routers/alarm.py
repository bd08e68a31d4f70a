"""TMF642 Alarm Management: active alarms and outages by area or node (network data, no identifier needed).

The spec's v4 file types the alarm id as an integer, so ids are digits; severities and states follow the
TM Forum JSON schemas (X.733 severities; raised, updated, cleared).
"""

from __future__ import annotations

from fastapi import APIRouter

from simulator.apis import ALARM, base_path
from simulator.identifiers import ALARM_ID, NODE, PLACE, SERVICE_ID
from simulator.query import Filter, Listing, attributes
from simulator.routers.common import read_routes

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
