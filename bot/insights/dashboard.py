"""The insights dashboard at ``/insights``: server-rendered pages over the same functions as the JSON API.

Anonymous visitors are sent to ``/login``; roles other than product owner and admin get 403. Forms post
back to the gateway only (SameSite=Strict session cookie, and the Origin header is checked when sent).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import escape
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from bot.auth import OptionalUserDep, Role, User
from bot.auth.pages import page, respond
from bot.auth.same_site import CROSS_SITE_MESSAGE, from_this_site
from bot.errors import GatewayError
from bot.insights import backlog, theme_model, theme_views, views
from bot.insights.charts import volume_chart
from bot.insights.filters import Filters, make_filters, preset_window
from bot.insights.query import volume
from bot.insights.state import InsightsState, get_insights
from bot.insights.themes import theme_by_id
from core.unicode_text import plain_text
from learning.records import Trigger

router = APIRouter(include_in_schema=False)
State = Annotated[InsightsState, Depends(get_insights)]
DRILL_DOWN = 10
MAX_FORM_BYTES = 4096
DATE_FIELDS = {"from": "From", "to": "To"}
DATE_FORMS = "Write a day (2026-12-01), a time (2026-12-01T09:30, in UTC) or an ISO timestamp (2026-12-01T09:30:00Z)."
DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
FILTER_PAGES = ("/insights", "/insights/outcomes")
"""Pages whose error answer repeats the filters as typed, so a typo costs one correction, not the whole form."""


class PageError(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _allowed(request: Request, user: User | None) -> User:
    if user is None:
        target = urlencode({"next": str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")})
        raise PageError(RedirectResponse(f"/login?{target}", status_code=303))
    if not user.has_role(Role.product_owner):
        body = "<h1>Not for your role</h1><p>The insights are for product owners.</p>"
        raise PageError(respond(page("Forbidden", body, user), status_code=403))
    return user


def page_filters(values: dict[str, list[str]]) -> tuple[Filters, str | None]:
    """The filters of a page's query string and the date preset chosen (``preset`` wins over empty dates)."""

    def when(name: str) -> datetime | None:
        raw = (values.get(name) or [""])[0].strip()
        if not raw:
            return None
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            message = f"'{DATE_FIELDS[name]}' is not a date: “{plain_text(raw[:40])}”. {DATE_FORMS}"
            raise GatewayError(400, "invalid_date", message) from None
        # a plain day as 'to' includes that day: the window ends at the next midnight
        return moment + timedelta(days=1) if name == "to" and DAY_ONLY.fullmatch(raw) else moment

    def one(name: str) -> str | None:
        return (values.get(name) or [""])[0].strip()[:64] or None

    preset = one("preset")
    start, end = when("from"), when("to")
    if preset and not (start or end):
        start, end = preset_window(preset)
    elif preset:
        preset = None
    known = {t.value for t in Trigger}
    wrong = [t for t in values.get("trigger", []) if t and t not in known]
    if wrong:
        raise GatewayError(400, "invalid_trigger", f"Unknown trigger “{wrong[0][:40]}”; tick the triggers offered.")
    triggers = [Trigger(t) for t in values.get("trigger", []) if t]
    return make_filters(start, end, triggers, one("flow"), one("channel"), one("finding")), preset


async def guarded(request: Request, user: User | None, render: object) -> Response:
    try:
        allowed = _allowed(request, user)
        return await render(allowed)  # type: ignore[operator,no-any-return]
    except PageError as exc:
        return exc.response
    except (GatewayError, ValueError, ValidationError) as exc:
        message = exc.message if isinstance(exc, GatewayError) else "Check the filters: a date or a value is invalid."
        status = exc.status if isinstance(exc, GatewayError) else 400
        body = f'<h1>Insights</h1><p class="error">{escape(message)}</p>'
        if user is not None and request.method == "GET" and request.url.path in FILTER_PAGES:
            body += views.typed_filter_form(parse_qs(request.url.query), request.url.path)
        body += '<p><a href="/insights">Start again</a></p>'
        return respond(page("Insights", body, user), status_code=status)


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


async def _form(request: Request) -> dict[str, str]:
    if not from_this_site(request.headers):
        raise GatewayError(403, "cross_site", CROSS_SITE_MESSAGE)
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise GatewayError(413, "form_too_large", "That form is too large.")
    return {key: values[0] for key, values in parse_qs(raw.decode("utf-8", errors="replace")).items()}


@router.post("/insights/backlog")
async def promote_form(request: Request, user: OptionalUserDep, state: State) -> Response:
    async def render(allowed: User) -> Response:
        form = await _form(request)
        body = backlog.PromoteIn(theme_id=form.get("theme_id", ""), owner=form.get("owner", ""),
                                 title=form.get("title") or None)  # fmt: skip
        item = await backlog.promote(state, await theme_by_id(state, body.theme_id), body, allowed.name)
        return RedirectResponse(f"/insights/backlog?{urlencode({'saved': item['id']})}", status_code=303)

    return await guarded(request, user, render)


@router.post("/insights/backlog/{item_id}")
async def update_form(request: Request, user: OptionalUserDep, state: State, item_id: str) -> Response:
    async def render(allowed: User) -> Response:
        form = await _form(request)
        body = backlog.UpdateIn(owner=form.get("owner") or None, status=form.get("status") or None,
                                note=form.get("note") or None)  # fmt: skip
        item = await backlog.update(state, item_id[:20], body, allowed.name)
        return RedirectResponse(f"/insights/backlog?{urlencode({'saved': item['id']})}", status_code=303)

    return await guarded(request, user, render)
