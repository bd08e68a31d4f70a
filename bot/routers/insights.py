"""Every insights route in one router: the JSON API, the agents' dispositions and the dashboard's pages."""

from fastapi import APIRouter

from bot.routers import (
    insights_api,
    insights_incident_pages,
    insights_incidents_api,
    insights_outcome_pages,
    insights_pages,
    insights_theme_pages,
)

router = APIRouter()
router.include_router(insights_api.router)
router.include_router(insights_incidents_api.router)
router.include_router(insights_api.dispositions)
router.include_router(insights_pages.router)
router.include_router(insights_theme_pages.router)
router.include_router(insights_outcome_pages.router)
router.include_router(insights_incident_pages.router)
