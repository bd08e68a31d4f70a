"""Insights for product owners: the JSON API, the dashboard at ``/insights``, exports and the CLI.

Wire it in the gateway's lifespan (after :func:`bot.auth.start_auth`)::

    app.state.insights = await start_insights(settings, redis)
    ...
    await stop_insights(app.state.insights)

and ``app.include_router(bot.insights.router)`` (API, dispositions and dashboard in one router).
"""

from fastapi import APIRouter

from bot.insights import api, dashboard, outcome_pages, outcomes_api, theme_pages
from bot.insights.state import InsightsState, start_insights, stop_insights

router = APIRouter()
router.include_router(api.router)
router.include_router(api.dispositions)
router.include_router(dashboard.router)
router.include_router(theme_pages.router)
router.include_router(outcome_pages.router)
router.include_router(outcomes_api.router)

__all__ = ["InsightsState", "router", "start_insights", "stop_insights"]
