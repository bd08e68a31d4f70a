"""Request bodies the simulator accepts, following the specs' ``_Create`` and ``_Update`` definitions.

Strict types (no coercion of numbers into strings), bounded lengths, and no attribute the spec does not
define; server-managed attributes (id, href, creationDate, lastUpdate, statusChange) are refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

TicketStatus = Literal["acknowledged", "rejected", "pending", "held", "inProgress", "cancelled", "closed", "resolved"]
Severity = Literal["Critical", "Major", "Minor"]
TicketType = Literal["incident", "complaint", "request", "networkIncident"]
"""``networkIncident``: a ticket for network operations about a node or area, naming no customer."""
AlarmType = Literal[
    "communicationsAlarm", "processingErrorAlarm", "environmentalAlarm", "qualityOfServiceAlarm",
    "equipmentAlarm", "integrityViolation", "operationalViolation", "physicalViolation",
    "securityServiceOrMechanismViolation", "timeDomainViolation",
]  # fmt: skip
"""X.733 event types, as TM Forum's TMF642 JSON schema lists them."""


Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=2000)]
Name = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]


class Body(BaseModel):
    """Attributes are read by their TMF names only (``@referredType``, never ``referred_type``)."""

    model_config = ConfigDict(extra="forbid")

    type_: Name | None = Field(None, alias="@type")
    base_type: Name | None = Field(None, alias="@baseType")
    schema_location: Name | None = Field(None, alias="@schemaLocation")


class Ref(Body):
    id: Name
    href: Name | None = None
    name: Name | None = None
    referred_type: Name | None = Field(None, alias="@referredType")


class PartyRef(Ref):
    role: Name | None = None
    referred_type: Name = Field(..., alias="@referredType")


class EntityRef(Ref):
    role: Name
    referred_type: Name = Field(..., alias="@referredType")


class TestSpecRef(Ref):
    version: Name | None = None


class Note(Body):
    id: Name | None = None
    author: Name | None = None
    date: datetime | None = None
    text: Text


class Characteristic(Body):
    id: Name | None = None
    name: Name
    valueType: Name | None = None
    value: Any = Field(...)


class ServiceTestCreate(Body):
    name: Name
    description: Text | None = None
    mode: Literal["ONDEMAND", "PROACTIVE"] | None = None
    relatedService: Ref
    testSpecification: TestSpecRef
    relatedParty: list[PartyRef] = Field(default_factory=list, max_length=10)
    characteristic: list[Characteristic] = Field(default_factory=list, max_length=20)


class TicketFields(Body):
    name: Name | None = None
    description: Text | None = None
    severity: Severity | None = None
    priority: Literal["Critical", "High", "Medium", "Low"] | None = None
    ticketType: TicketType | None = None
    externalId: Name | None = None
    requestedResolutionDate: datetime | None = None
    channel: Ref | None = None
    note: list[Note] | None = Field(None, max_length=50)
    relatedEntity: list[EntityRef] | None = Field(None, max_length=10)
    relatedParty: list[PartyRef] | None = Field(None, max_length=10)


class TroubleTicketCreate(TicketFields):
    description: Text
    severity: Severity
    ticketType: TicketType
    status: Literal["acknowledged"] | None = None


class TroubleTicketUpdate(TicketFields):
    status: TicketStatus | None = None
    statusChangeReason: Text | None = None
    resolutionDate: datetime | None = None


class AlarmedObject(Body):
    """``@referredType`` is not in the spec's ``AlarmedObject``; it is taken, and stored as ``@type``."""

    id: Name
    href: Name | None = None
    referred_type: Name | None = Field(None, alias="@referredType")


class PlaceRef(Body):
    id: Name
    href: Name | None = None
    name: Name | None = None
    role: Name
    referred_type: Name | None = Field(None, alias="@referredType")


class AffectedService(Body):
    id: Name
    href: Name | None = None
    referred_type: Name | None = Field(None, alias="@referredType")


class Comment(Body):
    comment: Text
    systemId: Name | None = None
    userId: Name | None = None
    time: datetime | None = None


class AlarmCreate(Body):
    """TMF642 ``Alarm_Create``. ``alarmRaisedTime``, required by the spec, defaults to now; ``place`` and
    ``affectedService`` default to what the alarmed node or area covers."""

    alarmType: AlarmType
    perceivedSeverity: Literal["critical", "major", "minor", "warning", "indeterminate"]
    probableCause: Name
    specificProblem: Text | None = None
    alarmDetails: Text | None = None
    state: Literal["raised"]
    alarmedObject: AlarmedObject
    alarmedObjectType: Name | None = None
    sourceSystemId: Name
    reportingSystemId: Name | None = None
    externalAlarmId: Name | None = None
    alarmRaisedTime: datetime | None = None
    alarmReportingTime: datetime | None = None
    ackState: Literal["acknowledged", "unacknowledged"] | None = None
    serviceAffecting: StrictBool | None = None
    isRootCause: StrictBool | None = None
    plannedOutageIndicator: Literal["InService", "OutOfService"] | None = None
    proposedRepairedActions: Text | None = None
    affectedService: list[AffectedService] | None = Field(None, max_length=1000)
    place: list[PlaceRef] | None = Field(None, max_length=20)
    comment: list[Comment] | None = Field(None, max_length=50)
