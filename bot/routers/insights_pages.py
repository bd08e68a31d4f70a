"""The insights dashboard's overview (``/insights``) and backlog pages, and the backlog's forms."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.auth import User
from bot.auth.pages import page, respond
from bot.dependencies import OptionalUserDep
from bot.insights import backlog, theme_model, theme_views, views
from bot.insights.charts import volume_chart
from bot.insights.dashboard import State, guarded, page_filters, read_form
from bot.insights.query import volume
from bot.insights.themes import theme_by_id

router = APIRouter(include_in_schema=False)


@router.get("/insights", response_class=HTMLResponse)
async def overview(request: Request, user: OptionalUserDep, state: State) -> Response:
    async def render(allowed: User) -> Response:
        filters, preset = page_filters(parse_qs(request.url.query))
        series = await volume(state.store, filters)
        flows, channels = await state.store.facet_values("flow"), await state.store.facet_values("channel")
        body = (
            "<h1>Unresolved contacts</h1>"
            + views.section_nav("/insights")
            + f"<p>{views.period_links(filters, '/insights', preset)}</p>"
            + views.filter_form(filters, flows, channels)
            + f"<div class=card>{volume_chart(series)}<p>{views.plural(series.total, 'unresolved moment')}, by "
            + f"{series.bucket}"
            + ' · <a href="/insights/outcomes?'
            + escape(views.query_string(filters))
            + '">what became of every conversation</a></p></div>'
            + await theme_views.themes_section(state, filters)
        )
        return respond(page("Insights", body, allowed))

    return await guarded(request, user, render)


@router.get("/insights/backlog", response_class=HTMLResponse)
async def backlog_page(request: Request, user: OptionalUserDep, state: State) -> Response:
    async def render(allowed: User) -> Response:
        items = await backlog.list_items(state)
        current = set((await theme_model.load(state.store.redis))["themes"])
        saved = (parse_qs(request.url.query).get("saved") or [""])[0]
        known = {item["id"] for item in items}
        notice = f'<p class="notice" role="status">{escape(saved)} saved.</p>' if saved in known else ""
        body = "<h1>Backlog</h1>" + views.section_nav("/insights/backlog") + notice
        return respond(page("Backlog", body + views.backlog_table(items, current), allowed))

    return await guarded(request, user, render)


@router.post("/insights/backlog")
async def promote_form(request: Request, user: OptionalUserDep, state: State) -> Response:
    async def render(allowed: User) -> Response:
        form = await read_form(request)
        body = backlog.PromoteIn(theme_id=form.get("theme_id", ""), owner=form.get("owner", ""),
                                 title=form.get("title") or None)  # fmt: skip
        item = await backlog.promote(state, await theme_by_id(state, body.theme_id), body, allowed.name)
        return RedirectResponse(f"/insights/backlog?{urlencode({'saved': item['id']})}", status_code=303)

    return await guarded(request, user, render)


@router.post("/insights/backlog/{item_id}")
async def update_form(request: Request, user: OptionalUserDep, state: State, item_id: str) -> Response:
    async def render(allowed: User) -> Response:
        form = await read_form(request)
        body = backlog.UpdateIn(owner=form.get("owner") or None, status=form.get("status") or None,
                                note=form.get("note") or None)  # fmt: skip
        item = await backlog.update(state, item_id[:20], body, allowed.name)
        return RedirectResponse(f"/insights/backlog?{urlencode({'saved': item['id']})}", status_code=303)

    return await guarded(request, user, render)
