"""HTML fragments of the insights dashboard. Every value from the store is escaped here."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any
from urllib.parse import urlencode

from bot.insights import labels
from bot.insights.backlog import Owner, Status
from bot.insights.dispositions import resolution_of
from bot.insights.filters import PRESETS, Filters, iso
from core.unicode_text import plain_text
from learning.records import Trigger

ARROWS = {"rising": '<span class="up">▲ rising</span>', "falling": '<span class="down">▼ falling</span>'}


def query_string(filters: Filters) -> str:
    query = {k: v for k, v in filters.as_query().items() if v}
    return urlencode(query, doseq=True)


NAV = (("/insights", "Unresolved contacts"), ("/insights/outcomes", "Outcomes"), ("/insights/incidents", "Incidents"),
       ("/insights/backlog", "Backlog"))  # fmt: skip


def section_nav(current: str) -> str:
    """The insights' own sections, the current one not a link."""
    items = [
        f"<strong>{escape(name)}</strong>" if path == current else f'<a href="{path}">{escape(name)}</a>'
        for path, name in NAV
    ]
    return f'<nav class="card" aria-label="Insights sections">{" · ".join(items)}</nav>'


def period_links(filters: Filters, path: str, preset: str | None) -> str:
    """Date presets that keep the other filters; the chosen one is marked."""
    kept = {k: v for k, v in filters.as_query().items() if v and k not in ("from", "to")}
    links = []
    for name, (caption, _) in PRESETS.items():
        if name == preset:
            links.append(f'<strong aria-current="true">{escape(caption)}</strong>')
        else:
            links.append(f'<a href="{path}?{escape(urlencode({**kept, "preset": name}, doseq=True))}">{caption}</a>')
    return "Period: " + " · ".join(links) + ' <span class="muted">(times in UTC)</span>'


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 answer', '2 answers' (``many`` for irregular words)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def _options(name: str, values: list[str], current: str | None, label: Callable[[str], str]) -> str:
    """One option per label: values that read the same ("rest" and "web" are both web chat) are one option whose
    value names them all (comma-separated), so choosing it filters on every one of them."""
    groups: dict[str, set[str]] = {}
    for value in values:
        groups.setdefault(label(value), set()).add(value)
    chosen = {v for v in (current or "").split(",") if v}
    items = "".join(
        f'<option value="{escape(",".join(sorted(group)))}"{" selected" if chosen and chosen <= group else ""}>'
        f"{escape(caption)}</option>"
        for caption, group in sorted(groups.items())
    )
    return (
        f'<select name="{name}" aria-label="{name.capitalize()}"><option value="">any {name}</option>{items}</select>'
    )


DATE_HINT = "2026-12-01, 2026-12-01T09:30 or 2026-12-01T09:30:00Z (UTC)"


def typed_filter_form(values: dict[str, list[str]], path: str) -> str:
    """The filters as they were typed, after an error: dates and finding to correct, the rest kept as chosen."""

    def first(name: str) -> str:
        return escape(plain_text((values.get(name) or [""])[0][:100]))

    kept = "".join(
        f'<input type="hidden" name="{name}" value="{escape(plain_text(value[:100]))}">'
        for name in ("flow", "channel", "trigger")
        for value in values.get(name, [])
        if value
    )
    finding = (
        f' <label>Finding <input name="finding" value="{first("finding")}" size="28"></label>'
        if path == "/insights"
        else (f'<input type="hidden" name="finding" value="{first("finding")}">' if first("finding") else "")
    )
    words = {"flow": labels.flow, "channel": lambda v: labels.channel(v.split(",")[0]), "trigger": labels.trigger}
    chosen = [f"{name} {escape(words[name](plain_text(v[:64])))}" for name in words for v in values.get(name, []) if v]
    note = f'<p class="muted kept">Kept: {", ".join(chosen)}</p>' if chosen else ""
    return (
        f'<form method="get" action="{path}" class="card typed-filters">'
        f'<label>From <input name="from" value="{first("from")}" size="22" placeholder="{DATE_HINT}"></label> '
        f'<label>To <input name="to" value="{first("to")}" size="22" placeholder="{DATE_HINT}"></label>'
        f"{finding}{kept} <button>Apply</button>{note}</form>"
    )


def filter_form(filters: Filters, flows: list[str], channels: list[str], path: str = "/insights",
                with_records: bool = True) -> str:  # fmt: skip
    """The filters of a page (GET); ``with_records`` adds those that only records have (triggers, findings)."""
    chosen = {t.value for t in filters.triggers}
    triggers = "".join(
        f'<label><input type="checkbox" name="trigger" value="{t.value}"{" checked" if t.value in chosen else ""}> '
        f"{escape(labels.trigger(t.value))}</label> "
        for t in Trigger
    )
    finding = (
        f'<label>Finding <input name="finding" value="{escape(filters.finding or "")}" size="28" '
        'placeholder="order_fallout_step=number_port"></label><br>'
        f"{triggers}"
    )
    return (
        f'<form method="get" action="{path}" class="card">'
        f'<label>From <input name="from" value="{iso(filters.start)}" size="20" placeholder="{DATE_HINT}"></label> '
        f'<label>To <input name="to" value="{iso(filters.end)}" size="20" placeholder="{DATE_HINT}"></label> '
        f"{_options('flow', flows, filters.flow, labels.flow)} "
        f"{_options('channel', channels, filters.channel, labels.channel)} "
        f'{finding if with_records else ""}<button>Apply</button> <a href="{path}">reset</a></form>'
    )


def exports_links(filters: Filters) -> str:
    q = query_string(filters)
    links = [("records.csv", "Records CSV"), ("records.json", "Records JSON"), ("themes.csv", "Themes CSV"),
             ("themes.json", "Themes JSON")]  # fmt: skip
    return "Export: " + " · ".join(f'<a href="/api/insights/export/{path}?{q}">{name}</a>' for path, name in links)


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


RESOLUTIONS = {"resolved": "resolved", "not_resolved": "not resolved", "follow_up": "follow-up needed"}


def disposition_text(disposition: dict[str, Any] | None) -> str:
    if not disposition:
        return '<span class="muted">no agent disposition</span>'
    could = "could" if disposition.get("bot_could_handle") else "could not"
    done = RESOLUTIONS[resolution_of(disposition)]
    by = f" by {escape(str(disposition['by']))}" if disposition.get("by") else ""
    cause = escape(labels.root_cause(disposition.get("root_cause")))
    return f"Agent{by}: {done} · cause: {cause} · the bot {could} have handled it"


def satisfaction_text(answers: list[dict[str, Any]]) -> str:
    if not answers:
        return '<span class="muted">no satisfaction answer</span>'
    parts = []
    for answer in answers:
        comment = f" “{escape(str(answer['comment']))}”" if answer.get("comment") else ""
        who = "the bot" if answer.get("handled_by") == "bot" else "an agent"
        parts.append(f"{int(answer['score'])}/5 after {who}{comment}")
    return "Satisfaction: " + "; ".join(parts)


def _record_caption(record: dict[str, Any]) -> str:
    reason = record.get("reason")
    if reason and record["trigger"] == "agent_disposition":
        reason = labels.root_cause(reason)
    return labels.trigger(record["trigger"]) + (f": {reason}" if reason else "")


def _text(value: object, missing: str = "") -> str:
    """A stored value as text, escaped; a missing one is ``missing``, never "None"."""
    return missing if value is None else escape(str(value))


def _prediction(line: dict[str, Any]) -> str:
    if line.get("intent") is None:  # only messages kept from the bot while a person had the chat lack one
        return ' <span class="muted">not read by the bot (a person had the chat)</span>'
    confidence = line.get("confidence")
    score = f" {float(confidence):.2f}" if isinstance(confidence, (int, float)) else ""
    return f' <span class="muted">{escape(labels.intent(line.get("intent")))}{score}</span>'


def _speaker(line: dict[str, Any], handed_over: bool) -> str:
    """Who wrote a ``bot`` line: the agent when the store says so; before any handoff, the bot; after one, the
    learning store (which keeps no author for these lines yet) cannot tell the bot from the agent."""
    if line.get("agent"):
        return f"agent {escape(str(line['agent']))}"
    if line.get("by") == "agent":
        return "agent"
    return "bot or agent" if handed_over else "bot"


def transcript_lines(entries: list[dict[str, Any]]) -> list[str]:
    lines = []
    handed_over = False
    for line in entries:
        who = line.get("who")
        if who == "customer":
            lines.append(f"<b>customer</b>: {_text(line.get('text'))}{_prediction(line)}")
        elif who in ("bot", "agent"):
            speaker = _speaker(line, handed_over) if who == "bot" else f"agent {_text(line.get('agent'))}".strip()
            lines.append(f'<b class="speaker">{speaker}</b>: {_text(line.get("text"))}')
        elif who == "lookup":
            lines.append(
                f'<span class="muted">lookup {_text(line.get("api"), "?")}.{_text(line.get("operation"), "?")}: '
                f"{_text(line.get('outcome'), 'no outcome')} — {_text(line.get('summary'), 'no summary')}</span>"
            )
        elif who in ("action", "form", "handoff"):
            if who == "handoff":
                handed_over = True
                name = " → ".join(_text(line.get(key)) for key in ("reason", "queue") if line.get(key)) or "handoff"
            else:
                name = _text(line.get("name"), who)
            lines.append(f'<span class="muted">{who}: {name}</span>')
    return lines


def transcript(detail: dict[str, Any]) -> str:
    lines = transcript_lines(detail["transcript"])
    triggers = ", ".join(escape(_record_caption(r)) for r in detail["records"])
    cid = escape(detail["conversation_id"])
    return (
        f'<div class="card conversation"><b><a href="/insights/conversations/{cid}">{cid}</a></b>'
        f" · {escape(labels.outcome(detail['outcome']))} · {triggers}"
        f'<p class="disposition">{disposition_text(detail.get("disposition"))}</p>'
        f'<p class="satisfaction">{satisfaction_text(detail.get("satisfaction") or [])}</p>'
        f"<div>{'<br>'.join(lines)}</div></div>"
    )


def _history(item: dict[str, Any]) -> str:
    """Who did what when, with their notes, oldest first."""
    entries = "".join(
        f"<li><b>{_text(h.get('by'), 'someone')}</b>, {_when(h.get('at'))}: {_text(h.get('what'))}"
        + (f" — “{_text(h.get('note'))}”" if h.get("note") else "")
        + "</li>"
        for h in item.get("history") or []
    )
    return f'<ul class="history">{entries}</ul>' if entries else ""


def _when(at: object) -> str:
    return f"{iso(float(at))[:16].replace('T', ' ')} UTC" if isinstance(at, (int, float)) else "at an unknown time"


def _theme_link(item: dict[str, Any], current: set[str] | None) -> str:
    theme_id = str(item.get("theme_id") or "")
    if not theme_id:
        return ""
    link = f'<a href="/insights/themes/{escape(theme_id)}">theme {escape(theme_id)}</a>'
    if current is not None and theme_id not in current:
        link += " (no longer current: the themes were re-mined since; its page lists the current ones)"
    return f'<div class="muted theme-link">{link}</div>'


def backlog_table(items: list[dict[str, Any]], current: set[str] | None = None) -> str:
    """``current``: the theme ids that still exist (``None``: unknown), to say when an item's theme is gone."""
    rows = []
    for item in items:
        statuses = "".join(
            f"<option{' selected' if s.value == item['status'] else ''}>{s.value}</option>" for s in Status
        )
        owners = "".join(f"<option{' selected' if o.value == item['owner'] else ''}>{o.value}</option>" for o in Owner)
        impact = item["impact"]
        watch = item.get("watch") or {}
        item_id = escape(item["id"])
        rows.append(
            f'<tr id="{item_id}"><td>{item_id}</td><td>{escape(item["title"])}'
            f'<div class="muted">{escape(item["theme"]["label"])}</div>{_theme_link(item, current)}'
            f"{_history(item)}</td>"
            f"<td>{plural(impact['contacts'], 'contact')}, {impact['escalations']} escalated, "
            f"{impact['repeat_contacts']} repeat</td>"
            f"<td>{escape(str(watch.get('customers_since_fix', '')))}</td>"
            f'<td><form method="post" action="/insights/backlog/{item_id}" class="inline">'
            f'<select name="owner" aria-label="Owner of {item_id}">{owners}</select>'
            f'<select name="status" aria-label="Status of {item_id}">{statuses}</select>'
            f'<input name="note" placeholder="note" size="14" maxlength="500" aria-label="Note on {item_id}">'
            "<button>Save</button></form></td></tr>"
        )
    head = "<tr><th>Item</th><th>Title</th><th>Impact</th><th>Customers since fix</th><th>Owner / status</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>" if rows else '<p class="muted">No backlog items yet.</p>'
