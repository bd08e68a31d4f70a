"""Suspected network incidents for the console's header and the supervisor's view (``/api/agent/incidents``).

The sensor process (``sensor/``) writes them; the gateway only reads them (``core.incident_board``). Agents and
supervisors see every open incident whatever queues they serve: a fault behind one cabinet reaches every team.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Path

from bot.dependencies import HandoffDep, StaffDep
from bot.handoff.incidents import INCIDENT_ID, view
from core.errors import NotFound
from core.incident_board import incident, open_incidents

router = APIRouter()

IncidentId = Annotated[str, Path(pattern=INCIDENT_ID, description="INC- and 8 hex digits, e.g. INC-0a1b2c3d.")]


@router.get("/incidents")
async def listed(_: StaffDep, handoff: HandoffDep) -> dict[str, Any]:
    """Every open incident, largest first; ``now`` (Unix s) lets a page tick its ages from the server's clock."""
    found = await open_incidents(handoff.service.redis)
    return {"v": 1, "now": time.time(), "incidents": [view(i) for i in found]}


@router.get("/incidents/{incident_id}")
async def one(incident_id: IncidentId, _: StaffDep, handoff: HandoffDep) -> dict[str, Any]:
    found = await incident(handoff.service.redis, incident_id)
    if found is None:
        raise NotFound("incident_not_found", f"There is no incident {incident_id} (or it is older than 90 days).")
    return {"v": 1, "incident": view(found)}
