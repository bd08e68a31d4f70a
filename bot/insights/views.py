"""HTML fragments of the insights dashboard. Every value from the store is escaped here."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any
from urllib.parse import urlencode

from bot.insights import labels
from bot.insights.backlog import Owner, Status
from bot.insights.filters import PRESETS, Filters, iso
from bot.learning.records import Trigger

ARROWS = {"rising": '<span class="up">▲ rising</span>', "falling": '<span class="down">▼ falling</span>'}


def query_string(filters: Filters) -> str:
    query = {k: v for k, v in filters.as_query().items() if v}
    return urlencode(query, doseq=True)


NAV = (("/insights", "Unresolved contacts"), ("/insights/outcomes", "Outcomes"), ("/insights/backlog", "Backlog"))


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


def _options(name: str, values: list[str], current: str | None, label: Callable[[str], str]) -> str:
    items = "".join(
        f'<option value="{escape(v)}"{" selected" if v == current else ""}>{escape(label(v))}</option>'
        for v in sorted(set(values), key=label)
    )
    return (
        f'<select name="{name}" aria-label="{name.capitalize()}"><option value="">any {name}</option>{items}</select>'
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
        f'<label>From <input name="from" value="{iso(filters.start)}" size="20"></label> '
        f'<label>To <input name="to" value="{iso(filters.end)}" size="20"></label> '
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


def disposition_text(disposition: dict[str, Any] | None) -> str:
    if not disposition:
        return '<span class="muted">no agent disposition</span>'
    could = "could" if disposition.get("bot_could_handle") else "could not"
    done = "resolved" if disposition.get("resolved") else "not resolved"
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


def transcript(detail: dict[str, Any]) -> str:
    lines = []
    for line in detail["transcript"]:
        who = line.get("who")
        if who in ("customer", "bot"):
            extra = f' <span class="muted">{escape(labels.intent(line.get("intent")))} {line.get("confidence")}</span>'
            lines.append(f"<b>{who}</b>: {escape(str(line.get('text')))}{extra if who == 'customer' else ''}")
        elif who == "lookup":
            lines.append(
                f'<span class="muted">lookup {escape(str(line.get("api")))}.{escape(str(line.get("operation")))}: '
                f"{escape(str(line.get('outcome')))} — {escape(str(line.get('summary')))}</span>"
            )
        elif who in ("action", "form", "handoff"):
            name = line.get("name") or f"{line.get('reason')} → {line.get('queue')}"
            lines.append(f'<span class="muted">{who}: {escape(str(name))}</span>')
    triggers = ", ".join(escape(_record_caption(r)) for r in detail["records"])
    cid = escape(detail["conversation_id"])
    return (
        f'<div class="card conversation"><b><a href="/insights/conversations/{cid}">{cid}</a></b>'
        f" · {escape(labels.outcome(detail['outcome']))} · {triggers}"
        f'<p class="disposition">{disposition_text(detail.get("disposition"))}</p>'
        f'<p class="satisfaction">{satisfaction_text(detail.get("satisfaction") or [])}</p>'
        f"<div>{'<br>'.join(lines)}</div></div>"
    )


def backlog_table(items: list[dict[str, Any]]) -> str:
    rows = []
    for item in items:
        statuses = "".join(
            f"<option{' selected' if s.value == item['status'] else ''}>{s.value}</option>" for s in Status
        )
        owners = "".join(f"<option{' selected' if o.value == item['owner'] else ''}>{o.value}</option>" for o in Owner)
        impact = item["impact"]
        watch = item.get("watch") or {}
        rows.append(
            f"<tr><td>{escape(item['id'])}</td><td>{escape(item['title'])}"
            f'<div class="muted">{escape(item["theme"]["label"])}</div></td>'
            f"<td>{impact['contacts']} contacts, {impact['escalations']} escalated, "
            f"{impact['repeat_contacts']} repeat</td>"
            f"<td>{escape(str(watch.get('customers_since_fix', '')))}</td>"
            f'<td><form method="post" action="/insights/backlog/{escape(item["id"])}" class="inline">'
            f'<select name="owner">{owners}</select><select name="status">{statuses}</select>'
            '<input name="note" placeholder="note" size="14"><button>Save</button></form></td></tr>'
        )
    head = "<tr><th>Item</th><th>Title</th><th>Impact</th><th>Customers since fix</th><th>Owner / status</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>" if rows else '<p class="muted">No backlog items yet.</p>'
