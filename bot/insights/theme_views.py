"""HTML of the themes: the overview's themes section, the refresh and promote-to-backlog forms. Values are escaped
here."""

from __future__ import annotations

import time
from html import escape
from typing import Any

from bot.insights.backlog import Owner
from bot.insights.filters import Filters, make_filters
from bot.insights.state import InsightsState
from bot.insights.themes import mine
from bot.insights.views import exports_links, plural, query_string

TITLE_CHARS = 90
"""A title is a customer's sentence; longer ones are cut at a word so the table stays readable."""
TRENDS = {
    "rising": '<span class="up">▲ rising</span>',
    "falling": '<span class="down">▼ falling</span>',
    "new": '<span class="up">● new</span>',
    "steady": "steady",
}


def title(text: str) -> str:
    if len(text) <= TITLE_CHARS:
        return f"“{text}”"
    return f"“{text[:TITLE_CHARS].rsplit(' ', 1)[0]}…”"


def age(moment: float | None, now: float | None = None) -> str:
    """'12 minutes ago' style, for a line people read at a glance."""
    if moment is None:
        return "never"
    seconds = max(0, int((now if now is not None else time.time()) - moment))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


def refresh_form(filters: Filters) -> str:
    """Plain POST: forget the themes and mine the records again (back to the same window afterwards)."""
    return (
        '<form method="post" action="/insights/themes/refresh" class="inline">'
        f'<input type="hidden" name="back" value="{escape(query_string(filters))}">'
        "<button>Refresh themes</button></form>"
    )


def coverage_line(run: dict[str, Any]) -> str:
    """Every record of the window, accounted for: shown, hidden by k, or without words to group."""
    cover = run["coverage"]
    shown = len(run["themes"])
    parts = [f"{cover['shown']} in the {shown} theme{'s' if shown != 1 else ''} below"]
    if run["hidden"]["themes"]:
        parts.append(
            f"{cover['hidden']} in {plural(run['hidden']['themes'], 'smaller theme')}, hidden: fewer than {run['k']} "
            "distinct customers each"
        )
    if cover["without_words"]:
        parts.append(f"{cover['without_words']} with no words to group (a postcode, a “yes”)")
    every = "The 1 record" if cover["records"] == 1 else f"All {cover['records']} records"
    return f"{every} of this window {'is' if cover['records'] == 1 else 'are'} covered: " + "; ".join(parts) + "."


def age_line(run: dict[str, Any], filters: Filters) -> str:
    mined = f"Themes mined {age(run['mined_at'])}"
    placed = ""
    if run["placed_at"] and run["mined_at"] and run["placed_at"] - run["mined_at"] > 1:
        placed = f"; records since then placed in them {age(run['placed_at'])} (new themes formed from the rest)"
    return f'<p class="muted" id="themes-age">{mined}{placed}. {refresh_form(filters)}</p>'


async def themes_section(state: InsightsState, filters: Filters) -> str:
    """The overview's "Themes" heading, their age and refresh button, what they cover, and the table."""
    run = await mine(state, filters)
    return (
        "<h2>Themes</h2>"
        + age_line(run, filters)
        + f'<p id="themes-coverage">{coverage_line(run)}</p>'
        + themes_table(run, filters)
    )


def promote_form(theme_id: str, label: str) -> str:
    owners = "".join(f"<option>{o.value}</option>" for o in Owner)
    return (
        f'<form method="post" action="/insights/backlog" class="inline">'
        f'<input type="hidden" name="theme_id" value="{escape(theme_id)}">'
        f'<input name="title" value="{escape(label[:200])}" size="18" aria-label="Backlog title">'
        f'<select name="owner" aria-label="Owner">{owners}</select>'
        "<button>To backlog</button></form>"
    )


def intent_text(theme: dict[str, Any]) -> str:
    suggested = theme.get("suggested_intent")
    if suggested:
        return f"{escape(suggested['name'])} <span class=muted>{suggested['similarity']:.2f}</span>"
    return '<span class="muted">new intent?</span>'


def theme_row(theme: dict[str, Any], filters: Filters) -> str:
    facts = "<br>".join(escape(f["text"]) for f in theme["findings"]) or '<span class="muted">none shared</span>'
    examples = "<br>".join(f"“{escape(e)}”" for e in theme["examples"][1:4] if e != theme["label"])
    trend = theme["trend"]
    window = "" if filters == make_filters() else f"?{query_string(filters)}"  # the default window: a short link
    link = f"/insights/themes/{escape(theme['id'])}{escape(window)}"
    return (
        f'<tr class="theme"><td><a href="{link}">{escape(title(theme["label"]))}</a>'
        f'<div class="muted terms">{escape(" · ".join(theme["terms"][:5]))}</div></td>'
        f"<td>{theme['size']}</td><td>{theme['customers']}</td>"
        f"<td>{TRENDS.get(trend['direction'], 'steady')} "
        f'<span class="muted">{trend["earlier"]}→{trend["recent"]}</span></td>'
        f"<td>{round(theme['escalation_share'] * 100)}%</td><td>{facts}</td><td>{intent_text(theme)}</td>"
        f"<td>{examples}</td><td>{promote_form(theme['id'], theme['label'])}</td></tr>"
    )


def themes_table(run: dict[str, Any], filters: Filters) -> str:
    rows = [theme_row(theme, filters) for theme in run["themes"]]
    head = (
        "<tr><th>Theme (a typical customer sentence, key terms)</th><th>Records</th><th>Customers</th>"
        '<th title="the window\'s earlier half → its recent half">Trend</th><th>Escalated</th>'
        "<th>Shared OSS/BSS findings</th><th>Nearest intent</th><th>Other examples</th><th></th></tr>"
    )
    empty = '<tr><td colspan="9" class="muted">No theme yet in this window.</td></tr>'
    query = query_string(filters)
    nlu = "&".join(f"theme={escape(t['id'])}" for t in run["themes"])
    nlu_link = f' · <a href="/insights/nlu-candidates?{escape(query)}&amp;{escape(nlu)}">NLU training candidates</a>'
    return f"<table>{head}{''.join(rows) or empty}</table><p>{exports_links(filters)}{nlu_link if nlu else ''}</p>"
