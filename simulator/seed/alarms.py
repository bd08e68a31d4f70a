"""TMF642 alarms rendered from the fixed network picture, with the services each one affects.

TMF642 v4 has no field for an estimated restoration time; like real NOCs, the simulator writes it as a
comment ``Estimated restoration time: <RFC 3339>`` (the client's adapter reads it from there).
"""

from __future__ import annotations

from datetime import datetime

from simulator.apis import ALARM, SERVICE_INVENTORY
from simulator.seed.model import Person
from simulator.seed.network import ALARM_SPECS, AREAS_BY_CODE, AlarmSpec, affects, at
from simulator.seed.services import node_kind
from simulator.seed.tmf import Hrefs, Json, iso

ETA_PREFIX = "Estimated restoration time: "
ALARM_TYPES = {
    "powerProblem": "equipmentAlarm",
    "cableTamper": "communicationsAlarm",
    "transmissionError": "communicationsAlarm",
    "highTemperature": "environmentalAlarm",
    "lossOfSignal": "communicationsAlarm",
    "other": "qualityOfServiceAlarm",
}


def alarms_json(people: list[Person], anchor: datetime, hrefs: Hrefs) -> list[Json]:
    return [_alarm(spec, people, anchor, hrefs) for spec in ALARM_SPECS]


def _alarm(spec: AlarmSpec, people: list[Person], anchor: datetime, hrefs: Hrefs) -> Json:
    raised = at(anchor, spec.raised_h)
    area = AREAS_BY_CODE[spec.area]
    place: list[Json] = [
        {"id": spec.area, "name": f"{area.city} {spec.area}", "role": "affectedArea", "@referredType": "GeographicArea"}
    ]
    if spec.node is not None:
        place.append({"id": spec.node, "name": spec.node, "role": "affectedNode", "@referredType": "NetworkNode"})
    affected = [
        {"id": line.id, "href": hrefs(SERVICE_INVENTORY, "service", line.id)}
        for person in people
        for line in person.lines
        if affects_line(spec, person, line.node)
    ]
    comments: list[Json] = [
        {"comment": spec.specific_problem, "time": iso(raised), "systemId": "NOC", "userId": "noc-duty"}
    ]
    if spec.eta_h is not None and spec.cleared_h is None:
        comments.append(
            {
                "comment": f"{ETA_PREFIX}{iso(at(anchor, spec.eta_h))}",
                "time": iso(at(anchor, min(spec.raised_h + 0.5, 0))),
                "systemId": "NOC",
                "userId": "noc-duty",
            }
        )
    alarm: Json = {
        "id": spec.id,
        "href": hrefs(ALARM, "alarm", spec.id),
        "externalAlarmId": f"NOC-{spec.id}",
        "alarmType": ALARM_TYPES[spec.probable_cause],
        "perceivedSeverity": spec.severity,
        "probableCause": spec.probable_cause,
        "specificProblem": spec.specific_problem,
        "state": spec.state,
        "ackState": "acknowledged",
        "serviceAffecting": spec.service_affecting,
        "isRootCause": True,
        "plannedOutageIndicator": "OutOfService" if spec.planned else "InService",
        "alarmRaisedTime": iso(raised),
        "alarmReportingTime": iso(raised),
        "alarmChangedTime": iso(at(anchor, min(spec.raised_h + 0.5, 0))),
        "sourceSystemId": "NOC-OSS",
        "reportingSystemId": "NOC-OSS",
        "alarmedObjectType": node_kind(spec.alarmed_object),
        "alarmedObject": {"id": spec.alarmed_object, "@type": node_kind(spec.alarmed_object)},
        "place": place,
        "affectedService": affected,
        "comment": comments,
        "@type": "Alarm",
    }
    if spec.cleared_h is not None:
        alarm["alarmClearedTime"] = iso(at(anchor, spec.cleared_h))
        alarm["clearSystemId"] = "NOC-OSS"
    return alarm


def affects_line(spec: AlarmSpec, person: Person, node: str) -> bool:
    return affects(spec, person.area.code, node)
