"""Suspected incidents and cases for the staff pages' tests, written as their own processes write them.

Incidents go into Redis exactly as ``core.contracts.sensor`` says the sensor process keeps them (the JSON under
``INCIDENT_KEY``, the open index, the history, the told counter): that is the contract between the processes,
so the pages read what production would give them. Cases are queued with the gateway's own ``CaseQueues`` from a
handoff request carrying the findings the action server writes (``node``, ``area``, ``symptom``, ``incident``).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from redis.asyncio import Redis

from bot.handoff.case import HandoffCase, Queue, case_from_request
from bot.handoff.queues import CaseQueues
from core.contracts.handoff import HandoffRequest, Identity
from core.contracts.sensor import INCIDENT_HISTORY, INCIDENT_KEY, OPEN_INCIDENTS, TOLD_KEY, Incident, NocReference

XSS_EVIDENCE = 'Line tests fail at <img src=x onerror="alert(1)"> "network" with no alarm'


async def clear_sensor(redis: Redis) -> None:
    async for key in redis.scan_iter(match="triage:sensor:*", count=1000):
        await redis.delete(key)


def new_incident(**fields: Any) -> Incident:
    """A node incident on broadband, detected a minute ago after four minutes of contacts; ``fields`` override."""
    now = time.time()
    values: dict[str, Any] = {
        "id": "INC-" + secrets.token_hex(4),
        "key": "node:CAB-M1-01:broadband_down",
        "scope": "node",
        "target": "CAB-M1-01",
        "area": "M1",
        "symptom": "broadband_down",
        "services": ["broadband"],
        "evidence": "Line tests of 3 customers behind CAB-M1-01 fail at the network side with no alarm",
        "first_contact_at": now - 300,
        "latest_contact_at": now - 20,
        "detected_at": now - 60,
        "contacts": 4,
        "customers": ["c-a1", "c-b2", "c-c3"],
        "confidence": 0.8,
        "baseline_per_hour": 0.2,
    }
    values.update(fields)
    if "noc" not in fields:
        values["noc"] = NocReference(kind="alarm", id="ALM-9001", raised_at=now - 55, updated_at=now - 20)
    return Incident(**values)


async def write_incident(redis: Redis, incident: Incident, told: int | None = None) -> Incident:
    """Keep ``incident`` as the sensor does: open ones in the open index, every one in the history."""
    await redis.set(INCIDENT_KEY.format(id=incident.id), incident.model_dump_json())
    await redis.zadd(INCIDENT_HISTORY, {incident.id: incident.detected_at})
    if incident.state == "open":
        await redis.hset(OPEN_INCIDENTS, incident.key, incident.id)
    elif await redis.hget(OPEN_INCIDENTS, incident.key) in (incident.id, incident.id.encode()):
        await redis.hdel(OPEN_INCIDENTS, incident.key)
    if told is not None:
        await redis.set(TOLD_KEY.format(id=incident.id), told)
    return incident


async def queue_case(
    redis: Redis, findings: dict[str, Any], name: str = "Ada Lovelace", queue: Queue = Queue.technical
) -> HandoffCase:
    """A case waiting in ``queue`` whose bot diagnosis recorded ``findings``, as the gateway queues one."""
    request = HandoffRequest(
        reason="fault_unresolved",
        queue=queue,
        problem="broadband_down",
        summary=f"{name}'s broadband is down; the line test failed at the network side.",
        identity=Identity(customer_id="CUST-" + secrets.token_hex(3), name=name, method="account number + postcode"),
        findings=findings,
    )
    case = case_from_request("conv-" + secrets.token_hex(8), request, [])
    queued, created = await CaseQueues(redis).enqueue(case)
    assert created
    return queued
