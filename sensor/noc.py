"""Telling the NOC in its own systems: a TMF642 alarm or a TMF621 network ticket per suspected incident.

The operator chooses which (``TRIAGE_SENSOR_NOC``). An alarm is ``POST /alarm`` (``alarmType``
qualityOfServiceAlarm, ``probableCause`` customer-reported, the common node or area as ``alarmedObject``, the
evidence as ``specificProblem`` and ``alarmDetails``, ``sourceSystemId`` triage-sensor), merge-patched as the
incident grows and patched ``cleared`` when it ends. A ticket is ``POST /troubleTicket`` (``ticketType``
networkIncident, the node or area as ``relatedEntity``), patched as it grows and ``resolved`` when it ends.
Severity follows the number of customers. Every call is bounded by the OSS timeout; anything but the expected
answer raises :class:`NocError` and the caller tries again later.

A raise retried after a lost answer makes no twin: TMF642 refuses a second active alarm for the same
``externalAlarmId`` (409: the first is looked up), and a ticket is looked up by its ``externalId`` before one is
posted.

The same adapter reads TMF642 for a *real* alarm covering an incident (active, service-affecting, not raised
by this sensor) and what became of what the sensor raised: still open, closed by the NOC, or gone (the NOC's
system lost it, e.g. restarted: the sensor raises it again rather than take it as closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from core.contracts.sensor import Incident, NocReference, RealAlarm
from core.oss.config import ALARM, TROUBLE_TICKET, OssConfig
from sensor.evidence import SYMPTOMS, where

NocKind = Literal["alarm", "ticket"]
Standing = Literal["open", "closed", "gone"]
CAUSE = "customer-reported"
SOURCE = "triage-sensor"
ACTIVE = "raised,updated"
MERGE = {"Content-Type": "application/merge-patch+json"}
SEVERITY_STEPS = ((50, "critical"), (10, "major"), (0, "minor"))
"""Customers affected -> severity: a street's worth is minor, a neighbourhood major, a town critical."""
NODE_TYPES = {"CAB": "StreetCabinet", "EX": "Exchange", "OLT": "OpticalLineTerminal", "CELL": "Cell"}
CLOSED_TICKET = frozenset({"resolved", "closed", "cancelled", "rejected"})


class NocError(Exception):
    """The NOC's API is unreachable or failed (``status`` None or 5xx: try again later), or refused this one call
    (4xx: something about the incident it will not take; the other incidents go on)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def refused(self) -> bool:
        return self.status is not None and 400 <= self.status < 500


def severity(incident: Incident) -> str:
    return next(name for size, name in SEVERITY_STEPS if len(incident.customers) >= size)


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _unix(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _places(incident: Incident) -> list[dict[str, str]]:
    places = []
    if incident.area:
        places.append({"id": incident.area, "role": "affectedArea", "@referredType": "GeographicArea"})
    if incident.scope == "node":
        places.append({"id": incident.target, "role": "affectedNode", "@referredType": "NetworkNode"})
    return places


@dataclass(frozen=True)
class Cover:
    """An active real alarm and what it covers."""

    id: str
    raised_at: float | None
    area_wide: bool
    nodes: frozenset[str]

    def covers(self, incident: Incident) -> bool:
        if incident.scope == "node":
            return self.area_wide or incident.target in self.nodes
        return incident.scope == "area" and self.area_wide

    def real_alarm(self, now: float) -> RealAlarm:
        return RealAlarm(id=self.id, raised_at=self.raised_at, seen_at=now)


class Noc:
    def __init__(self, config: OssConfig, kind: NocKind, client: httpx.AsyncClient | None = None) -> None:
        self.kind = kind
        self.alarms_url = config.api_url(ALARM)
        self.tickets_url = config.api_url(TROUBLE_TICKET)
        headers = {"Authorization": f"Bearer {config.token}"} if config.token else {}
        self._client = client or httpx.AsyncClient(timeout=config.timeout_s, headers=headers)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, url: str, ok: tuple[int, ...], **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise NocError(f"{method} {url}: {type(exc).__name__}") from None
        if response.status_code not in ok:
            message = f"{method} {url} answered {response.status_code}: {response.text[:200]}"
            raise NocError(message, response.status_code)
        try:
            body = response.json()
        except ValueError:
            raise NocError(f"{method} {url} answered malformed JSON") from None
        return body if isinstance(body, dict) else {"items": body}

    # ---------------------------------------------------------------- raising, updating, clearing ours

    async def raise_for(self, incident: Incident, now: float) -> NocReference:
        if self.kind == "alarm":
            body = {
                **self._alarm_fields(incident),
                "alarmType": "qualityOfServiceAlarm",
                "probableCause": CAUSE,
                "alarmedObject": {"id": incident.target, "@type": self._object_type(incident)},
                "alarmedObjectType": self._object_type(incident),
                "sourceSystemId": SOURCE,
                "reportingSystemId": SOURCE,
                "externalAlarmId": incident.id,
                "state": "raised",
                "alarmRaisedTime": _iso(incident.detected_at),
                "alarmReportingTime": _iso(now),
                "serviceAffecting": True,
                "isRootCause": False,
                "place": _places(incident),
                "@type": "Alarm",
            }
            try:
                created = await self._call("POST", f"{self.alarms_url}/alarm", (201,), json=body)
            except NocError as exc:
                if exc.status != 409:
                    raise
                created = await self._raised_before(incident)  # a raise retried after a lost answer
        else:
            body = {
                **self._ticket_fields(incident),
                "ticketType": "networkIncident",
                "externalId": incident.id,
                "relatedEntity": [self._entity(incident)],
                "@type": "TroubleTicket",
            }
            created = await self._ticket_raised_before(incident) or await self._call(
                "POST", f"{self.tickets_url}/troubleTicket", (201,), json=body
            )
        if not isinstance(created.get("id"), str | int) or created["id"] == "":
            raise NocError(f"the {self.kind} was created without an id")
        return NocReference(kind=self.kind, id=str(created["id"]), raised_at=now, updated_at=now)

    async def _raised_before(self, incident: Incident) -> dict[str, Any]:
        params = {"externalAlarmId": incident.id, "sourceSystemId": SOURCE, "state": ACTIVE}
        reply = await self._call("GET", f"{self.alarms_url}/alarm", (200,), params=params)
        items = reply.get("items")
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            raise NocError(f"TMF642 refused a twin of {incident.id}'s alarm but lists none", 409)
        return items[0]

    async def _ticket_raised_before(self, incident: Incident) -> dict[str, Any] | None:
        """The ticket an earlier raise of this incident created, if its answer was lost (a timeout, a crash)."""
        params = {"ticketType": "networkIncident", "externalId": incident.id}
        reply = await self._call("GET", f"{self.tickets_url}/troubleTicket", (200,), params=params)
        items = reply.get("items")
        return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else None

    async def update(self, incident: Incident, ref: NocReference, now: float) -> NocReference:
        if ref.kind == "alarm":
            await self._patch_alarm(ref.id, {**self._alarm_fields(incident), "state": "updated"})
        else:
            await self._patch_ticket(ref.id, self._ticket_fields(incident))
        return ref.model_copy(update={"updated_at": now})

    async def clear(self, incident: Incident, ref: NocReference) -> None:
        """Clear our alarm or resolve our ticket; one already closed by the NOC counts as done."""
        ended = {"quiet": "contacts stopped", "real_alarm": "a network alarm covers it", "noc": "closed by the NOC"}
        reason = f"Customer reports ended: {ended.get(incident.cleared_reason or 'quiet', 'ended')}"
        try:
            if ref.kind == "alarm":
                await self._patch_alarm(ref.id, {"state": "cleared", "perceivedSeverity": "cleared",
                                                 "clearSystemId": SOURCE, "alarmDetails": reason})  # fmt: skip
            else:
                await self._patch_ticket(ref.id, {"status": "resolved", "statusChangeReason": reason})
        except NocError as exc:
            if exc.status not in (404, 409):  # gone, or already cleared or closed there
                raise

    async def _patch_alarm(self, alarm_id: str, body: dict[str, Any]) -> None:
        await self._call("PATCH", f"{self.alarms_url}/alarm/{alarm_id}", (200,), json=body, headers=MERGE)

    async def _patch_ticket(self, ticket_id: str, body: dict[str, Any]) -> None:
        await self._call("PATCH", f"{self.tickets_url}/troubleTicket/{ticket_id}", (200,), json=body, headers=MERGE)

    def _alarm_fields(self, incident: Incident) -> dict[str, Any]:
        return {
            "perceivedSeverity": severity(incident),
            "specificProblem": f"Suspected silent fault: customers {where(incident)} report "
            f"{SYMPTOMS[incident.symptom]} (incident {incident.id})",
            "alarmDetails": incident.evidence,
        }

    def _ticket_fields(self, incident: Incident) -> dict[str, Any]:
        return {
            "name": f"Suspected silent fault {where(incident)}: {SYMPTOMS[incident.symptom]}",
            "description": incident.evidence,
            "severity": severity(incident).capitalize(),
        }

    @staticmethod
    def _object_type(incident: Incident) -> str:
        if incident.scope == "area":
            return "GeographicArea"
        if incident.scope == "bill_line":
            return "BillLine"
        return NODE_TYPES.get(incident.target.split("-", 1)[0], "NetworkNode")

    def _entity(self, incident: Incident) -> dict[str, str]:
        kinds = {"node": ("affectedNode", "NetworkNode"), "area": ("affectedArea", "GeographicArea")}
        role, referred = kinds.get(incident.scope, ("affectedBillLine", "BillLine"))
        return {"id": incident.target, "name": incident.target, "role": role, "@referredType": referred}

    # ---------------------------------------------------------------- reading the NOC's side

    async def standing(self, ref: NocReference) -> Standing:
        """What became of our alarm or ticket: ``open``; ``closed`` by the NOC (it looked and found nothing, or
        fixed it); or ``gone``, unknown to the NOC (404: it lost its data), which is not a decision by anyone."""
        url = (
            f"{self.alarms_url}/alarm/{ref.id}" if ref.kind == "alarm" else f"{self.tickets_url}/troubleTicket/{ref.id}"
        )
        try:
            found = await self._call("GET", url, (200,))
        except NocError as exc:
            if exc.status == 404:
                return "gone"
            raise
        closed = found.get("state") == "cleared" if ref.kind == "alarm" else found.get("status") in CLOSED_TICKET
        return "closed" if closed else "open"

    async def alarm_cleared(self, alarm_id: str) -> bool:
        """Whether a real alarm is cleared (or gone: nothing is left for its subscribers to wait for)."""
        alarm = await self._call("GET", f"{self.alarms_url}/alarm/{alarm_id}", (200, 404))
        return alarm.get("state") == "cleared" or "id" not in alarm

    async def real_alarms(self, area: str | None, node: str | None) -> list[Cover]:
        """Active service-affecting alarms on ``area`` (or on ``node`` when the area is unknown) that this sensor
        did not raise."""
        params = {"state": ACTIVE, **({"place.id": area} if area else {"alarmedObject.id": node or ""})}
        reply = await self._call("GET", f"{self.alarms_url}/alarm", (200,), params=params)
        found = []
        for alarm in reply.get("items", []) if isinstance(reply.get("items"), list) else []:
            if not isinstance(alarm, dict) or alarm.get("probableCause") == CAUSE:
                continue
            if alarm.get("sourceSystemId") == SOURCE or alarm.get("serviceAffecting") is not True:
                continue
            places = [p for p in alarm.get("place") or [] if isinstance(p, dict) and p.get("id")]
            nodes = {
                str(p["id"])
                for p in places
                if p.get("role") == "affectedNode" or p.get("@referredType") == "NetworkNode"
            }  # as core.oss.adapters reads an alarm: no node named, the whole area
            found.append(Cover(str(alarm.get("id")), _unix(alarm.get("alarmRaisedTime")), not nodes, frozenset(nodes)))
        return found
