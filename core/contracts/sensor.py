"""The contract of the network sensor (issue 21): finished diagnoses in, suspected incidents out.

The action server appends one :class:`Diagnosis` per finished diagnosis to ``DIAGNOSES_STREAM`` (``XADD
MAXLEN ~``, field ``d`` = the model as JSON); the sensor process (``sensor/``) reads it, groups unexplained
problems and keeps :class:`Incident` records in Redis under the keys below; the action server, the gateway's
staff pages and the notifier read them. Nothing here names a customer: customers and conversations are keyed
pseudonyms (``core.pseudonyms``), areas are postcode outward codes, nodes are network elements.

Redis keys (all ``triage:sensor:*``):

* ``INCIDENT_KEY.format(id=...)``: the incident as JSON (``Incident.model_dump_json()``), kept ``HISTORY_DAYS``.
* ``OPEN_INCIDENTS``: hash, grouping ``key`` -> incident id, for incidents in state ``open`` only.
* ``INCIDENT_HISTORY``: sorted set, incident id scored by ``detected_at`` (open and cleared).
* ``TOLD_KEY.format(id=...)``: integer, customers told "we're investigating" (the action server counts them).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DIAGNOSES_STREAM = "triage:sensor:diagnoses"
DIAGNOSES_MAXLEN = 100_000
"""About a day of contacts of a mid-size operator; the sensor reads within seconds, so nothing is lost."""
INCIDENT_KEY = "triage:sensor:incident:{id}"
OPEN_INCIDENTS = "triage:sensor:open"
INCIDENT_HISTORY = "triage:sensor:incidents"
TOLD_KEY = "triage:sensor:told:{id}"
HISTORY_DAYS = 90
CONTRACT_VERSION = 1

NOT_THE_NETWORK = frozenset({"pass", "customerPremisesEquipment", "homeWiring", "provisioning", "sim", "account",
                             "usage", "priceChange", "planChange", "removedService"})  # fmt: skip
"""Findings that point at the customer's home, SIM, account or own usage, never at a node or a billing run: they
made nearly all of the false incidents in ``bench/bench_sensor.py``, and leaving them out lost no fault. The bill
kinds (``core.oss.billdiff``) are changes the comparison already explains to the customer: a price rise, a plan
change, a service that ended. ``newService`` stays: a billing run's wrong recurring charge shows as one."""

Symptom = Literal["broadband_down", "broadband_slow", "mobile_no_service", "bill_increase"]
Scope = Literal["node", "area", "bill_line"]


class Diagnosis(BaseModel):
    """One finished diagnosis as the action server saw it, at the moment it told the customer."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    v: int = CONTRACT_VERSION
    at: float
    """Unix seconds."""
    conversation: str
    """Pseudonym of the conversation id."""
    customer: str | None = None
    """Pseudonym of the customer id, when identified."""
    symptom: Symptom
    service_kind: str | None = None
    """``broadband``, ``mobile`` or ``tv``; ``None`` for bills."""
    area: str | None = None
    """Postcode outward code of the service (``M1``)."""
    node: str | None = None
    """Network node the service hangs off (``CAB-M1-01``, ``CELL-M1-02``), from TMF638."""
    finding: str
    """What the lookup found: a line or registration test fault location (``network``, ``accessLine``,
    ``pass``), or for bills the kind of the largest change (``duplicateCharge``, ``newCharge``...)."""
    bill_line: str | None = None
    """For bills: the description of the bill line that changed most (no amounts, no account)."""
    explained: bool = False
    """True when the bot found the cause already known (an active alarm, a bar for non-payment): such a
    contact never counts towards a suspected incident."""
    alarm: str | None = None
    """The known alarm that explained it, if any."""


class NocReference(BaseModel):
    """What the sensor raised in the NOC's own systems for an incident."""

    kind: Literal["alarm", "ticket"]
    id: str
    raised_at: float
    updated_at: float


class RealAlarm(BaseModel):
    """A real network alarm that came to cover the incident (its node or area, active)."""

    id: str
    raised_at: float | None
    seen_at: float


class Incident(BaseModel):
    """A suspected incident: a group of unexplained contacts above its normal rate."""

    model_config = ConfigDict(extra="ignore")

    v: int = CONTRACT_VERSION
    id: str
    """``INC-`` and 8 hex digits."""
    key: str
    """The grouping key, e.g. ``node:CAB-M1-01:broadband_down`` or ``bill_line:Roaming charge:bill_increase``."""
    scope: Scope
    target: str
    """The node id, the area code or the bill line the contacts share."""
    area: str | None = None
    symptom: Symptom
    services: list[str] = Field(default_factory=list)
    """Service kinds affected."""
    evidence: str
    """One sentence for the NOC and agents: what unites the contacts."""
    first_contact_at: float
    latest_contact_at: float
    detected_at: float
    contacts: int
    customers: list[str] = Field(default_factory=list)
    """Pseudonyms of the customers (or conversations, when unidentified) affected, distinct."""
    confidence: float = Field(ge=0, le=1)
    baseline_per_hour: float
    """The normal rate of such contacts for this key at this hour, as the detector learnt it."""
    state: Literal["open", "cleared"] = "open"
    cleared_at: float | None = None
    cleared_reason: Literal["quiet", "real_alarm", "noc"] | None = None
    noc: NocReference | None = None
    real_alarm: RealAlarm | None = None
    told: int = 0
    """Customers told "we're investigating" instead of being queued for this problem."""

    @property
    def notify_key(self) -> str:
        """The key customers subscribe under (``notify.subscriptions``) to hear when the investigation ends."""
        return f"incident:{self.id}"


def grouping_keys(diagnosis: Diagnosis) -> list[tuple[Scope, str, str]]:
    """``(scope, target, key)`` of every group this diagnosis counts towards, narrowest first.

    Explained diagnoses and findings that point at the customer's side (``NOT_THE_NETWORK``) count towards
    nothing. A node groups
    the customers behind one cabinet, exchange or cell; an area groups every node of a postcode district (a
    fault upstream of the cabinets); a bill line groups accounts whose bills changed by the same line."""
    if diagnosis.explained or diagnosis.finding in NOT_THE_NETWORK:
        return []
    keys: list[tuple[Scope, str, str]] = []
    if diagnosis.symptom == "bill_increase":
        if diagnosis.bill_line:
            keys.append(("bill_line", diagnosis.bill_line, f"bill_line:{diagnosis.bill_line}:{diagnosis.symptom}"))
        return keys
    if diagnosis.node:
        keys.append(("node", diagnosis.node, f"node:{diagnosis.node}:{diagnosis.symptom}"))
    if diagnosis.area:
        keys.append(("area", diagnosis.area, f"area:{diagnosis.area}:{diagnosis.symptom}"))
    return keys
