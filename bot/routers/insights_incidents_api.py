"""The network incidents for product owners as JSON and exports (``/api/insights/incidents``,
``/api/insights/export/incidents.{csv,json}``): period only, as the page."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from bot.handoff.incidents import INCIDENT_ID
from bot.insights import incidents
from bot.insights.filters import PeriodDep
from bot.routers.insights_api import ProductOwner, State
from core.errors import NotFound
from core.incident_board import incident

router = APIRouter(prefix="/api/insights", tags=["insights"])
IncidentId = Annotated[str, Path(pattern=INCIDENT_ID, description="INC- and 8 hex digits, e.g. INC-0a1b2c3d.")]


@router.get("/incidents")
async def listed(_: ProductOwner, state: State, period: PeriodDep) -> dict[str, Any]:
    """Incidents detected in the period (newest first) with the headline figures: how many, the median time
    from the first contact to detection, and the share later covered by a real alarm."""
    return (await incidents.build(state.store.redis, period)).as_dict()


@router.get("/incidents/{incident_id}")
async def one(_: ProductOwner, state: State, incident_id: IncidentId) -> dict[str, Any]:
    found = await incident(state.store.redis, incident_id)
    if found is None:
        raise NotFound("incident_not_found", f"There is no incident {incident_id} (or it is older than 90 days).")
    return {"v": 1, **incidents.row(found)}


@router.get("/export/incidents.{kind}")
async def export(
    _: ProductOwner, state: State, period: PeriodDep, kind: Annotated[str, Path(pattern="^(csv|json)$")]
) -> Response:
    report = await incidents.build(state.store.redis, period)
    if kind == "csv":
        body = "".join([line async for line in incidents.csv_chunks(report)])
        media = "text/csv; charset=utf-8"
    else:
        body = json.dumps(report.as_dict(), ensure_ascii=False)
        media = "application/json"
    headers = {"Content-Disposition": f'attachment; filename="incidents.{kind}"'}
    return Response(body.encode("utf-8", "replace"), media_type=media, headers=headers)
