"""The sensor's suspected incidents (``core.contracts.sensor``) as the console and the supervisor's view show them.

A case belongs to an incident when its findings name it (``findings["incident"]``: the bot told the customer
"we're investigating") or when the bot's diagnosis in its findings (``symptom`` and ``finding`` with ``node``,
``area`` or ``bill_line``) falls in an open one: so a case queued before the sensor noticed the surge is shown as
part of it too, and the agent does not diagnose the same fault again. A case with no finding, or one on the
customer's side (a passing test, the home wiring: ``NOT_THE_NETWORK``), is not counted in by its node alone: the
agent would be told the network is at fault when the bot found otherwise. Staff see sizes, never the customers'
pseudonyms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, get_args

from pydantic import ValidationError
from redis.asyncio import Redis

from core.contracts.sensor import NOT_THE_NETWORK, Diagnosis, Incident, Symptom, grouping_keys
from core.incident_board import incident, open_incidents

INCIDENT_ID = r"^INC-[0-9A-Fa-f]{8}$"
"""The contract's ids: ``INC-`` and 8 hex digits (either case)."""
SYMPTOMS: frozenset[str] = frozenset(get_args(Symptom))
SYMPTOM_TEXT = {
    "broadband_down": "broadband down",
    "broadband_slow": "broadband slow",
    "mobile_no_service": "no mobile service",
    "bill_increase": "bill increase",
}


def diagnosis_of(findings: Mapping[str, Any]) -> Diagnosis | None:
    """The diagnosis a case's findings record, enough to group it as the sensor does; ``None`` without one.

    A contact the bot explained by a known alarm (``findings["alarm"]``) is no part of a suspected incident; nor
    is one whose finding is missing (a case from before the bot recorded it, or a flow that found nothing) or
    on the customer's side (``NOT_THE_NETWORK``)."""
    symptom = findings.get("symptom")
    finding = _text(findings.get("finding"))
    if symptom not in SYMPTOMS or finding is None or finding in NOT_THE_NETWORK:
        return None
    try:
        return Diagnosis(
            at=0,
            conversation="",
            symptom=symptom,
            node=_text(findings.get("node")),
            area=_text(findings.get("area")),
            bill_line=_text(findings.get("bill_line")),
            finding=finding,
            explained=bool(findings.get("alarm")),
        )
    except ValidationError:
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def named_id(findings: Mapping[str, Any]) -> str | None:
    """The incident id the bot wrote in the findings when it told the customer, if well formed."""
    value = findings.get("incident")
    return value if isinstance(value, str) and re.fullmatch(INCIDENT_ID, value) else None


def match(findings: Mapping[str, Any], open_now: Iterable[Incident]) -> Incident | None:
    """The open incident (of ``open_now``) a case's findings fall in: the one they name, else the narrowest
    group of their diagnosis that has one."""
    by_key = {i.key: i for i in open_now}
    wanted = named_id(findings)
    if wanted:
        for found in by_key.values():
            if found.id == wanted:
                return found
    diagnosis = diagnosis_of(findings)
    for _, _, key in grouping_keys(diagnosis) if diagnosis else []:
        if key in by_key:
            return by_key[key]
    return None


async def for_case(redis: Redis, findings: Mapping[str, Any]) -> Incident | None:
    """The incident a case belongs to: the one its findings name (open or cleared since: the agent reads what
    the customer was told), else the open one its diagnosis falls in."""
    wanted = named_id(findings)
    if wanted:
        named = await incident(redis, wanted)
        if named is not None:
            return named
    return match(findings, await open_incidents(redis))


def view(found: Incident) -> dict[str, Any]:
    """An incident as staff pages read it: sizes and times (Unix seconds), the NOC's reference, no pseudonyms."""
    return {
        "id": found.id,
        "scope": found.scope,
        "target": found.target,
        "area": found.area,
        "symptom": found.symptom,
        "symptom_text": SYMPTOM_TEXT.get(found.symptom, found.symptom.replace("_", " ")),
        "services": found.services,
        "evidence": found.evidence,
        "first_contact_at": found.first_contact_at,
        "latest_contact_at": found.latest_contact_at,
        "detected_at": found.detected_at,
        "contacts": found.contacts,
        "customers": len(found.customers),
        "told": found.told,
        "confidence": found.confidence,
        "state": found.state,
        "cleared_at": found.cleared_at,
        "cleared_reason": found.cleared_reason,
        "noc": {"kind": found.noc.kind, "id": found.noc.id} if found.noc else None,
        "real_alarm": found.real_alarm.id if found.real_alarm else None,
    }
