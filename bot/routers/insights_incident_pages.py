"""The network incidents pages (``/insights/incidents`` and one incident's page), for product owners."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.auth import User
from bot.auth.pages import page, respond
from bot.dependencies import OptionalUserDep
from bot.handoff.incidents import INCIDENT_ID
from bot.insights import incident_views, incidents, views
from bot.insights.dashboard import State, guarded, page_filters
from core.errors import Invalid, NotFound
from core.incident_board import incident

router = APIRouter(include_in_schema=False)
PERIOD_FIELDS = ("from", "to", "preset")
"""The only filters of these pages: an incident is no conversation, so flows and channels do not apply."""


@router.get(incident_views.PATH, response_class=HTMLResponse)
async def incidents_page(request: Request, user: OptionalUserDep, state: State) -> Response:
    async def render(allowed: User) -> Response:
        query = parse_qs(request.url.query)
        filters, preset = page_filters({k: v for k, v in query.items() if k in PERIOD_FIELDS})
        report = await incidents.build(state.store.redis, filters)
        body = (
            "<h1>Network incidents</h1>"
            + views.section_nav(incident_views.PATH)
            + '<p class="muted">Faults the customers revealed: surges of unexplained contacts about one network '
            "node, area or bill line, detected by the sensor and reported to the NOC.</p>"
            + f"<p>{views.period_links(filters, incident_views.PATH, preset)}</p>"
            + incident_views.period_form(filters)
            + incident_views.headline(report)
            + incident_views.table(report)
            + incident_views.links(filters)
        )
        return respond(page("Network incidents", body, allowed))

    return await guarded(request, user, render)


@router.get(incident_views.PATH + "/{incident_id}", response_class=HTMLResponse)
async def incident_page(request: Request, user: OptionalUserDep, state: State, incident_id: str) -> Response:
    async def render(allowed: User) -> Response:
        if not re.fullmatch(INCIDENT_ID, incident_id):
            raise Invalid("invalid_incident", "That is not an incident id (INC- and 8 hex digits).")
        found = await incident(state.store.redis, incident_id)
        if found is None:
            raise NotFound("incident_not_found", f"There is no incident {incident_id} (or it is older than 90 days).")
        body = (
            f"<h1>Incident {found.id}</h1>"
            + views.section_nav("")
            + incident_views.detail(found)
            + f'<p><a href="{incident_views.PATH}">All incidents</a></p>'
        )
        return respond(page(f"Incident {found.id}", body, allowed))

    return await guarded(request, user, render)
