"""HTML fragments of the insights dashboard. Every value from the store is escaped here."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from bot.insights.backlog import Owner, Status
from bot.insights.filters import Filters, iso
from bot.learning.records import Trigger

ARROWS = {"rising": '<span class="up">▲ rising</span>', "falling": '<span class="down">▼ falling</span>'}


def query_string(filters: Filters) -> str:
    query = {k: v for k, v in filters.as_query().items() if v}
    return urlencode(query, doseq=True)


def filter_form(filters: Filters, flows: list[str], channels: list[str]) -> str:
    chosen = {t.value for t in filters.triggers}
    triggers = "".join(
        f'<label><input type="checkbox" name="trigger" value="{t.value}"{" checked" if t.value in chosen else ""}> '
        f"{t.value}</label> "
        for t in Trigger
    )

    def options(name: str, values: list[str], current: str | None) -> str:
        items = "".join(
            f"<option{' selected' if v == current else ''}>{escape(v)}</option>" for v in sorted(set(values))
        )
        return f'<select name="{name}"><option value="">any {name}</option>{items}</select>'

    return (
        '<form method="get" class="card">'
        f'<label>From <input name="from" value="{iso(filters.start)}" size="20"></label> '
        f'<label>To <input name="to" value="{iso(filters.end)}" size="20"></label> '
        f"{options('flow', flows, filters.flow)} {options('channel', channels, filters.channel)} "
        f'<label>Finding <input name="finding" value="{escape(filters.finding or "")}" size="28" '
        'placeholder="order_fallout_step=number_port"></label><br>'
        f'{triggers}<button>Apply</button> <a href="/insights">reset</a></form>'
    )


def exports_links(filters: Filters) -> str:
    q = query_string(filters)
    links = [("records.csv", "Records CSV"), ("records.json", "Records JSON"), ("themes.csv", "Themes CSV"),
             ("themes.json", "Themes JSON")]  # fmt: skip
    return "Export: " + " · ".join(f'<a href="/api/insights/export/{path}?{q}">{name}</a>' for path, name in links)


def promote_form(theme_id: str, label: str) -> str:
    owners = "".join(f"<option>{o.value}</option>" for o in Owner)
    return (
        f'<form method="post" action="/insights/backlog" class="inline">'
        f'<input type="hidden" name="theme_id" value="{escape(theme_id)}">'
        f'<input name="title" value="{escape(label)}" size="18"><select name="owner">{owners}</select>'
        "<button>To backlog</button></form>"
    )


def themes_table(run: dict[str, Any], filters: Filters) -> str:
    rows = []
    for theme in run["themes"]:
        intent = (theme.get("suggested_intent") or {}).get("name") or ""
        facts = "<br>".join(escape(f["text"]) for f in theme["findings"]) or '<span class="muted">none shared</span>'
        examples = "<br>".join(f"“{escape(e)}”" for e in theme["examples"][:3])
        rows.append(
            f'<tr><td><a href="/insights/themes/{escape(theme["id"])}">{escape(theme["label"])}</a>'
            f'<div class="muted">{escape(", ".join(theme["terms"][3:]))}</div></td>'
            f"<td>{theme['size']}</td><td>{theme['customers']}</td>"
            f"<td>{ARROWS.get(theme['trend']['direction'], 'steady')} "
            f'<span class="muted">{theme["trend"]["earlier"]}→{theme["trend"]["recent"]}</span></td>'
            f"<td>{round(theme['escalation_share'] * 100)}%</td><td>{facts}</td><td>{escape(intent)}</td>"
            f"<td>{examples}</td><td>{promote_form(theme['id'], theme['label'])}</td></tr>"
        )
    hidden = run["hidden"]
    note = (
        f'<p class="muted">{hidden["themes"]} smaller themes ({hidden["records"]} records) are hidden: fewer than '
        f"{run['k']} distinct customers.</p>"
    )
    head = (
        "<tr><th>Theme</th><th>Records</th><th>Customers</th><th>Trend</th><th>Escalated</th>"
        "<th>Shared OSS/BSS findings</th><th>Nearest intent</th><th>Examples</th><th></th></tr>"
    )
    empty = '<tr><td colspan="9" class="muted">No theme yet in this window.</td></tr>'
    nlu = "&".join(f"theme={escape(t['id'])}" for t in run["themes"])
    nlu_link = (
        f' · <a href="/api/insights/export/nlu.yml?{query_string(filters)}&{nlu}">NLU candidates (all themes)</a>'
    )
    return (
        f"<table>{head}{''.join(rows) or empty}</table>{note}<p>{exports_links(filters)}{nlu_link if nlu else ''}</p>"
    )


def transcript(detail: dict[str, Any]) -> str:
    lines = []
    for line in detail["transcript"]:
        who = line.get("who")
        if who in ("customer", "bot"):
            extra = f' <span class="muted">{escape(str(line.get("intent")))} {line.get("confidence")}</span>'
            lines.append(f"<b>{who}</b>: {escape(str(line.get('text')))}{extra if who == 'customer' else ''}")
        elif who == "lookup":
            lines.append(
                f'<span class="muted">lookup {escape(str(line.get("api")))}.{escape(str(line.get("operation")))}: '
                f"{escape(str(line.get('outcome')))} — {escape(str(line.get('summary')))}</span>"
            )
        elif who in ("action", "form", "handoff"):
            name = line.get("name") or f"{line.get('reason')} → {line.get('queue')}"
            lines.append(f'<span class="muted">{who}: {escape(str(name))}</span>')
    triggers = ", ".join(
        escape(f"{r['trigger']}{':' + r['reason'] if r.get('reason') else ''}") for r in detail["records"]
    )
    disposition = detail.get("disposition")
    agent = f" · agent: {escape(str(disposition.get('root_cause')))}" if disposition else ""
    return (
        f'<div class="card"><b>{escape(detail["conversation_id"])}</b> · {escape(str(detail["outcome"]))}'
        f" · {triggers}{agent}<div>{'<br>'.join(lines)}</div></div>"
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
