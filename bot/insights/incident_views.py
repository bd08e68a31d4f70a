"""HTML of the incidents pages. Every value from Redis is escaped here: an incident's evidence is text the
sensor built from what the OSS/BSS systems returned, and must show as text."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from bot.insights.filters import Filters, iso
from bot.insights.incidents import IncidentReport, detection_delay_s, real_alarm_after_s, symptom_text
from bot.insights.views import DATE_HINT, percent, plural
from core.contracts.sensor import Incident

PATH = "/insights/incidents"
SCOPES = {"node": "network node", "area": "area", "bill_line": "bill line"}
CLEARED = {"quiet": "contacts stopped", "real_alarm": "a real alarm covers it", "noc": "closed by the NOC"}


def duration(seconds: float | None) -> str:
    """``45 s``, ``12 min 05 s``, ``2 h 05 min``; a negative span reads "… before"."""
    if seconds is None:
        return "—"
    if seconds < 0:
        return f"{duration(-seconds)} before"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def when(seconds: float | None) -> str:
    return "—" if seconds is None else iso(seconds)[:19].replace("T", " ")


def period_query(filters: Filters) -> str:
    return urlencode({"from": iso(filters.start), "to": iso(filters.end)})


def period_form(filters: Filters) -> str:
    return (
        f'<form method="get" action="{PATH}" class="card">'
        f'<label>From <input name="from" value="{iso(filters.start)}" size="20" placeholder="{DATE_HINT}"></label> '
        f'<label>To <input name="to" value="{iso(filters.end)}" size="20" placeholder="{DATE_HINT}"></label> '
        f'<button>Apply</button> <a href="{PATH}">reset</a></form>'
    )


def headline(report: IncidentReport) -> str:
    figures = report.headline()
    share = report.real_alarm_share
    covered = sum(1 for i in report.incidents if i.real_alarm is not None)
    more = (
        f'<p class="error">Only the latest {len(report.incidents)} are shown: narrow the period.</p>'
        if report.truncated
        else ""
    )
    return (
        '<div class="card headline"><h2>In this period</h2><ul>'
        f'<li class="incidents-count"><b>{plural(figures["incidents"], "suspected incident")}</b>'
        f" ({figures['open']} still open)</li>"
        f'<li class="median-delay">Median time from the first contact to detection: '
        f"<b>{duration(report.median_detection_s)}</b></li>"
        f'<li class="real-alarm-share">Later covered by a real alarm: <b>{percent(share)}</b>'
        f"{f' ({covered} of {len(report.incidents)})' if report.incidents else ''}</li>"
        f'<li class="told">Customers told "we\'re investigating" and offered a text: <b>{figures["told"]}</b></li>'
        f"</ul>{more}</div>"
    )


def _state(found: Incident) -> str:
    if found.state == "open":
        return '<span class="tag">open</span>'
    reason = CLEARED.get(found.cleared_reason or "", "cleared")
    return f"cleared {escape(when(found.cleared_at))}<div class=muted>{escape(reason)}</div>"


def _noc(found: Incident) -> str:
    return f"{escape(found.noc.kind)} {escape(found.noc.id)}" if found.noc else '<span class="muted">none</span>'


def _real_alarm(found: Incident) -> str:
    if found.real_alarm is None:
        return '<span class="muted">none came</span>'
    return f"{escape(found.real_alarm.id)}<div class=muted>{duration(real_alarm_after_s(found))}</div>"


def table(report: IncidentReport) -> str:
    if not report.incidents:
        return '<p class="muted empty">No suspected incident was detected in this period.</p>'
    rows = "".join(
        f'<tr data-incident="{escape(i.id)}"><td><a href="{PATH}/{escape(i.id)}">{escape(i.id)}</a></td>'
        f"<td>{escape(i.target)}<div class=muted>{escape(SCOPES.get(i.scope, i.scope))}</div></td>"
        f"<td>{escape(symptom_text(i))}</td><td class=evidence>{escape(i.evidence)}</td>"
        f"<td>{escape(when(i.first_contact_at))}</td><td>{escape(when(i.detected_at))}</td>"
        f"<td class=delay>{duration(detection_delay_s(i))}</td><td class=real-alarm>{_real_alarm(i)}</td>"
        f"<td class=contacts>{i.contacts}</td><td class=customers>{len(i.customers)}</td><td class=told>{i.told}</td>"
        f"<td class=state>{_state(i)}</td><td class=noc>{_noc(i)}</td></tr>"
        for i in report.incidents
    )
    head = (
        "<tr><th>Incident</th><th>Where</th><th>Symptom</th><th>Evidence</th><th>First contact</th>"
        "<th>Detected</th><th>To detection</th><th>Real alarm (after first contact)</th><th>Contacts</th>"
        "<th>Customers</th><th>Told</th><th>State</th><th>NOC</th></tr>"
    )
    return f'<table class="incidents">{head}{rows}</table>'


def links(filters: Filters) -> str:
    q = escape(period_query(filters))
    return (
        f'<p class="exports">Export: <a href="/api/insights/export/incidents.csv?{q}">Incidents CSV</a> · '
        f'<a href="/api/insights/export/incidents.json?{q}">Incidents JSON</a> · '
        f'<a href="/api/insights/incidents?{q}">These figures as JSON</a></p>'
    )


def detail(found: Incident) -> str:
    pairs = [
        ("Where", f"{escape(found.target)} ({escape(SCOPES.get(found.scope, found.scope))})"),
        ("Area", escape(found.area or "—")),
        ("Symptom", escape(symptom_text(found))),
        ("Services", escape(", ".join(found.services) or "—")),
        ("Evidence", escape(found.evidence)),
        ("First contact", escape(when(found.first_contact_at))),
        ("Latest contact", escape(when(found.latest_contact_at))),
        ("Detected", f"{escape(when(found.detected_at))} ({duration(detection_delay_s(found))} after the first one)"),
        ("Contacts", str(found.contacts)),
        ("Customers", str(len(found.customers))),
        ("Told \u201cwe're investigating\u201d", str(found.told)),
        ("Usual rate", f"{found.baseline_per_hour:.2f} such contacts an hour"),
        ("Confidence", percent(found.confidence)),
        ("NOC", _noc(found)),
        ("Real alarm", _real_alarm(found)),
        ("State", _state(found)),
    ]
    items = "".join(f"<dt>{escape(term)}</dt><dd>{value}</dd>" for term, value in pairs)
    return f'<div class="card incident"><dl>{items}</dl></div>'
