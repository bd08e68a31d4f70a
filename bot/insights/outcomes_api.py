"""``GET /api/insights/outcomes``: the outcomes page's figures as JSON (product owners and admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bot.insights.api import ProductOwner, State
from bot.insights.filters import FiltersDep
from bot.insights.outcome_report import build_report

router = APIRouter(prefix="/api/insights", tags=["insights"])


@router.get("/outcomes")
async def get_outcomes(_: ProductOwner, state: State, filters: FiltersDep) -> dict[str, Any]:
    """Denominators (conversations, resolved, repeat contacts, contained, handed over, ...), per-flow funnels,
    the agents' dispositions and figures per model version, for the window and the flow and channel filters."""
    return (await build_report(state, filters)).as_dict()
