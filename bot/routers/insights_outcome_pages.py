"""The outcomes page (``/insights/outcomes``) and the conversation drill-down page, for product owners."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.auth import User
from bot.auth.pages import page, respond
from bot.dependencies import OptionalUserDep
from bot.insights import dispositions, outcome_views, views
from bot.insights.conversations import CONVERSATION_ID, conversation_detail
from bot.insights.dashboard import State, guarded, page_filters
from bot.insights.outcome_report import build_report
from bot.insights.themes import mine
from core.errors import DomainError, Invalid, NotFound

router = APIRouter(include_in_schema=False)


@router.get("/insights/outcomes", response_class=HTMLResponse)
async def outcomes_page(request: Request, user: OptionalUserDep, state: State) -> Response:
    async def render(allowed: User) -> Response:
        filters, preset = page_filters(parse_qs(request.url.query))
        report = await build_report(state, filters)
        try:
            themes = dispositions.per_theme(await mine(state, filters), report.disposition_records)
        except DomainError:
            themes = None
        flows, channels = await state.store.facet_values("flow"), await state.store.facet_values("channel")
        body = (
            "<h1>Outcomes</h1>"
            + views.section_nav("/insights/outcomes")
            + f"<p>{views.period_links(filters, '/insights/outcomes', preset)}</p>"
            + views.filter_form(filters, flows, channels, "/insights/outcomes", with_records=False)
            + outcome_views.headline(report.outcomes)
            + outcome_views.funnels(report.outcomes.funnels)
            + outcome_views.dispositions_section(report, themes)
            + outcome_views.models(report.models)
            + outcome_views.comments(report.answers)
            + f'<p><a href="/api/insights/outcomes?{escape(views.query_string(filters))}">These figures as JSON</a></p>'
        )
        return respond(page("Outcomes", body, allowed))

    return await guarded(request, user, render)


@router.get("/insights/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(request: Request, user: OptionalUserDep, state: State, conversation_id: str) -> Response:
    async def render(allowed: User) -> Response:
        if not re.fullmatch(CONVERSATION_ID, conversation_id):
            raise Invalid("invalid_conversation", "That is not a conversation id.")
        detail = await conversation_detail(state.store, conversation_id)
        if detail is None:
            raise NotFound("conversation_not_found", "No such conversation (it may have been deleted).")
        body = "<h1>Conversation</h1>" + views.section_nav("") + views.transcript(detail)
        return respond(page("Conversation", body, allowed))

    return await guarded(request, user, render)
