"""The theme pages of the insights dashboard: one theme's figures, findings and conversations, and the refresh.

A theme page shows the theme in the window of the link it was opened from (the overview passes its filters);
"Refresh themes" forgets the kept themes so that the overview mines its window afresh.
"""

from __future__ import annotations

import re
from html import escape
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.auth import User
from bot.auth.pages import page, respond
from bot.auth.same_site import CROSS_SITE_MESSAGE, from_this_site
from bot.dependencies import OptionalUserDep
from bot.insights import stale_themes, theme_model, theme_views, views
from bot.insights.conversations import conversation_detail
from bot.insights.dashboard import DRILL_DOWN, State, guarded, page_filters
from bot.insights.filters import CHANNEL_PATTERN, NAME_PATTERN
from bot.insights.themes import THEME_ID, mine, theme_by_id
from bot.insights.views import plural
from core.errors import Forbidden, Invalid, NotFound, TooLarge

router = APIRouter(include_in_schema=False)
MAX_REFRESH_FORM_BYTES = 2048
MAX_NLU_THEMES = 200
"""More themes than an overview shows; a longer list is cut rather than refused."""


@router.get("/insights/themes/{theme_id}", response_class=HTMLResponse)
async def theme_page(
    request: Request, user: OptionalUserDep, state: State, theme_id: str, page_number: Annotated[int, Query(ge=1)] = 1
) -> Response:
    async def render(allowed: User) -> Response:
        values = parse_qs(request.url.query)
        filters = page_filters(values)[0] if set(values) - {"page_number"} else None
        try:
            theme = await theme_by_id(state, theme_id[:20], filters)
        except NotFound as exc:
            if exc.code != "theme_not_found":
                raise
            body = await stale_themes.stale_theme_body(state, theme_id, filters, exc.message)
            return respond(page(f"Theme {theme_id[:20]}", body, allowed), status_code=404)
        window = urlencode({k: v for k, v in theme["window"].items() if v}, doseq=True) + "&"
        ids = sorted({m["conversation_id"] for m in theme["members"]})
        chosen = ids[(page_number - 1) * DRILL_DOWN : page_number * DRILL_DOWN]
        details = [d for d in [await conversation_detail(state.store, cid) for cid in chosen] if d]
        facts = "".join(f"<li>{escape(f['text'])}</li>" for f in theme["findings"]) or "<li>none shared</li>"
        more = ""
        if page_number * DRILL_DOWN < len(ids):
            more = f'<a href="?{escape(request.url.query)}&amp;page_number={page_number + 1}">more conversations</a>'
        trend = theme["trend"]
        examples = "".join(f"<li>“{escape(e)}”</li>" for e in theme["examples"])
        body = (
            f"<h1>{escape(theme_views.title(theme['label']))}</h1>"
            + views.section_nav("")
            + f'<p class="muted terms">Key terms: {escape(" · ".join(theme["terms"]))}</p>'
            + f'<p class="muted">Theme {escape(theme["id"])}, from {escape(theme["window"]["from"])} to '
            + f'{escape(theme["window"]["to"])} · <a href="/insights?{escape(window[:-1])}">all themes then</a></p>'
            + f"<p>{plural(theme['size'], 'record')} · {plural(theme['conversations'], 'conversation')} · "
            + f"{plural(theme['customers'], 'customer')}"
            + f" · {theme_views.TRENDS.get(trend['direction'], 'steady')} ({trend['earlier']}→{trend['recent']})"
            + f" · {round(theme['escalation_share'] * 100)}% escalated · nearest intent: "
            + f"{theme_views.intent_text(theme)}</p>"
            + f"<h2>What customers said</h2><ul>{examples}</ul><h2>Shared OSS/BSS findings</h2><ul>{facts}</ul>"
            + theme_views.promote_form(theme["id"], theme["label"])
            + f' · <a href="/insights/nlu-candidates?{escape(window)}theme={escape(theme["id"])}">'
            + "NLU training candidates</a>"
            + "<h2>Conversations</h2>"
            + "".join(views.transcript(d) for d in details)
            + more
        )
        return respond(page(theme_views.title(theme["label"]), body, allowed))

    return await guarded(request, user, render)


@router.get("/insights/nlu-candidates", response_class=HTMLResponse)
async def nlu_candidates(request: Request, user: OptionalUserDep, state: State) -> Response:
    """The pages' link to NLU training candidates: the file while its themes are current, else a page saying
    which theme is gone and linking to the current ones (never the export's bare JSON error)."""

    async def render(allowed: User) -> Response:
        values = parse_qs(request.url.query)
        wanted = [t for t in values.get("theme", []) if t][:MAX_NLU_THEMES]
        filters = page_filters({k: v for k, v in values.items() if k != "theme"})[0]
        if not wanted:
            raise Invalid("nothing_selected", "Choose a theme first: no theme was named for the file.")
        shown = {theme["id"] for theme in (await mine(state, filters))["themes"]}
        gone = [t for t in wanted if t not in shown]
        if gone:
            try:
                await theme_by_id(state, gone[0][:20] if re.fullmatch(THEME_ID, gone[0]) else "T0", filters)
                message = ""
            except NotFound as exc:
                message = exc.message
            body = await stale_themes.stale_theme_body(state, gone[0][:20], filters, message)
            return respond(page("NLU training candidates", body, allowed), status_code=404)
        query = urlencode({**{k: v for k, v in filters.as_query().items() if v}, "theme": wanted}, doseq=True)
        return RedirectResponse(f"/api/insights/export/nlu.yml?{query}", status_code=303)

    return await guarded(request, user, render)


@router.post("/insights/themes/refresh")
async def refresh_themes(request: Request, user: OptionalUserDep, state: State) -> Response:
    """Forget the kept themes; the overview it returns to mines its window again (product owners only)."""

    async def render(allowed: User) -> Response:
        if not from_this_site(request.headers):
            raise Forbidden("cross_site", CROSS_SITE_MESSAGE)
        raw = await request.body()
        if len(raw) > MAX_REFRESH_FORM_BYTES:
            raise TooLarge("form_too_large", "That form is too large.")
        back = (parse_qs(raw.decode("utf-8", errors="replace")).get("back") or [""])[0]
        filters, _ = page_filters(parse_qs(back))  # a malformed window is refused before anything is forgotten
        if (filters.flow and not re.fullmatch(NAME_PATTERN, filters.flow)) or (
            filters.channel and not re.fullmatch(CHANNEL_PATTERN, filters.channel)
        ):
            raise Invalid("invalid_filters", "Check the filters: a flow or channel name is invalid.")
        await theme_model.forget(state.store.redis)
        return RedirectResponse(f"/insights?{views.query_string(filters)}", status_code=303)

    return await guarded(request, user, render)
