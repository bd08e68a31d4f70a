"""The sensor's side of the action tests: its stream read back, and open incidents written as the sensor process
writes them (``core.contracts.sensor``), so the action server reads what production would give it."""

from __future__ import annotations

import time

from core.contracts.sensor import (
    DIAGNOSES_STREAM,
    INCIDENT_HISTORY,
    INCIDENT_KEY,
    OPEN_INCIDENTS,
    TOLD_KEY,
    Diagnosis,
    Incident,
    Symptom,
)
from tests.fixtures.redis_server import RedisServer

INCIDENT_ID = "INC-0a1b2c3d"


def stream(server: RedisServer) -> list[tuple[str, Diagnosis]]:
    """``(raw JSON, parsed)`` of every diagnosis on the sensor's stream, oldest first."""
    entries: list[tuple[bytes, dict[bytes, bytes]]] = server.client().xrange(DIAGNOSES_STREAM)  # type: ignore[assignment]
    assert all(set(raw) == {b"d"} for _, raw in entries)  # the contract's one field
    return [(raw[b"d"].decode(), Diagnosis.model_validate_json(raw[b"d"])) for _, raw in entries]


def open_incident(
    server: RedisServer, scope: str, target: str, symptom: Symptom, minutes_ago: float = 12, area: str | None = None
) -> Incident:
    """An open incident written as the sensor writes it (core.contracts.sensor)."""
    now = time.time()
    incident = Incident(
        id=INCIDENT_ID, key=f"{scope}:{target}:{symptom}", scope=scope, target=target, symptom=symptom,  # type: ignore[arg-type]
        area=area or (target if scope == "area" else None),
        evidence=f"6 customers on {target} reported the same in 12 minutes; no alarm",
        first_contact_at=now - minutes_ago * 60, latest_contact_at=now - 60, detected_at=now - 120, contacts=6,
        customers=[f"p{i}" for i in range(6)], confidence=0.99, baseline_per_hour=0.2,
    )  # fmt: skip
    client = server.client()
    client.set(INCIDENT_KEY.format(id=incident.id), incident.model_dump_json())
    client.hset(OPEN_INCIDENTS, incident.key, incident.id)
    client.zadd(INCIDENT_HISTORY, {incident.id: incident.detected_at})
    return incident


def told(server: RedisServer) -> int:
    """Customers the action server told "we're investigating" for the test's incident."""
    return int(server.client().get(TOLD_KEY.format(id=INCIDENT_ID)) or 0)
