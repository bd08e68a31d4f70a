"""What a page says about a theme id that is no longer current, instead of an error.

"Refresh themes" renumbers the themes; a bookmark, the Back button, an open tab or a backlog item still name the
old id. Such a page says when the themes were re-mined, where the old theme's records are now (while the run that
showed it is still kept, ``RUN_TTL_S``), and links to the current themes of the same window.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html import escape
from typing import Any

from bot.insights import theme_model, theme_views, views
from bot.insights.filters import Filters, make_filters
from bot.insights.state import InsightsState
from bot.insights.themes import THEME_ID, mine
from core.redis.connect import text
from learning import keys


async def _old_records(state: InsightsState, theme_id: str) -> list[str]:
    """The record ids the theme had when it was last shown (empty once that run has expired)."""
    redis = state.store.redis
    seen = await redis.get(keys.themes(f"seen-{theme_id}"))
    cached = await redis.get(keys.themes(text(seen))) if seen else None
    for theme in (json.loads(cached) if cached else {}).get("themes") or []:
        if theme.get("id") == theme_id:
            return [str(m["record_id"]) for m in theme.get("members") or []]
    return []


async def successor(state: InsightsState, theme_id: str, run: dict[str, Any]) -> dict[str, Any] | None:
    """The current theme of ``run`` that holds most of the old theme's records, if that is known."""
    record_ids = await _old_records(state, theme_id)
    if not record_ids:
        return None
    where = await theme_model.placed(state.store.redis, record_ids)
    shown = {theme["id"]: theme for theme in run["themes"]}
    counts = Counter(placed[0] for placed in where.values() if placed and placed[0] in shown)
    return shown[counts.most_common(1)[0][0]] if counts else None


def _link(theme: dict[str, Any], filters: Filters) -> str:
    window = "" if filters == make_filters() else f"?{views.query_string(filters)}"
    return (
        f'<a href="/insights/themes/{escape(theme["id"])}{escape(window)}">'
        f"{escape(theme_views.title(theme['label']))}</a> ({escape(theme['id'])})"
    )


async def stale_theme_body(state: InsightsState, theme_id: str, filters: Filters | None, reason: str) -> str:
    """The page body for a theme id the window does not show; ``reason`` is why (from :func:`theme_by_id`)."""
    filters = filters or make_filters()
    run = await mine(state, filters)
    model = await theme_model.load(state.store.redis)
    shown_id = escape(theme_id[:20])
    known = theme_id in model["themes"]
    if known:  # still a theme, only too small (fewer than k customers) in this window
        now = f"<p>{escape(reason)}</p>"
    else:
        after = await successor(state, theme_id, run) if re.fullmatch(THEME_ID, theme_id) else None
        where = f"now part of {_link(after, filters)}" if after else "gone: its records are in the current themes below"
        mined = theme_views.age(model.get("mined_at"))
        now = f"<p class=stale>These themes were re-mined {escape(mined)}; theme {shown_id} is {where}.</p>"
    items = "".join(f"<li>{_link(theme, filters)}</li>" for theme in run["themes"])
    current = f'<ul class="current-themes">{items}</ul>' if items else '<p class="muted">No theme in this window.</p>'
    return (
        f"<h1>Theme {shown_id} is not shown</h1>"
        + views.section_nav("")
        + now
        + f"<h2>Current themes</h2>{current}"
        + f'<p><a href="/insights?{escape(views.query_string(filters))}">All themes of this window</a></p>'
    )
