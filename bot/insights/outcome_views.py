"""HTML of the outcomes page: resolution and repeat contact first, containment beside them, never alone.

Every value from the store is escaped here.
"""

from __future__ import annotations

from html import escape
from typing import Any

from bot.insights import labels
from bot.insights.charts import bucket_caption
from bot.insights.dispositions import DispositionSummary, resolution_of
from bot.insights.model_versions import ModelFigures
from bot.insights.outcome_report import Report
from bot.insights.outcomes import Category, Funnel, Outcomes, share
from bot.insights.views import RESOLUTIONS, percent, plural
from learning.satisfaction import SatisfactionAnswer

LATEST_KEPT = 10
CATEGORY_ROWS = (
    (Category.escalated, "Handed over, not resolved by the agent (yet)"),
    (Category.withdrawn, "Left the agent queue"),
    (Category.abandoned, "Left a question of the bot unanswered"),
    (Category.no_answer, "Ended without a diagnosis"),
    (Category.in_progress, "Still talking"),
)


def _row(name: str, count: int, whole: int, note: str = "", css: str = "") -> str:
    return (
        f'<tr class="{css}"><th scope="row">{escape(name)}</th><td class="count">{count}</td>'
        f'<td class="share">{percent(share(count, whole))}</td><td class="muted">{note}</td></tr>'
    )


def headline(figures: Outcomes) -> str:
    """The denominators; containment sits beside resolution and repeat contact, with its caveats spelled out."""
    total, c = figures.conversations, figures.categories
    sat = figures.satisfaction
    rows = [
        _row("Resolved", figures.resolved, total,
             f"by the bot {c[Category.resolved_by_bot.value]} · by an agent {c[Category.resolved_by_agent.value]}",
             "resolved"),
        _row("Repeat contacts", figures.repeat_contacts, total,
             "came back within 7 days of an earlier contact", "repeat"),
        _row("Contained", figures.contained, total,
             f"resolved by the bot and no contact from the customer within 7 days · {figures.contained_provisional}"
             " provisional (7 days not over) · "
             f"{figures.contained_unidentified} from customers who never said who they are (counted as contained "
             "unless they came back in the same chat)", "contained"),
        _row("Handed to an agent", figures.handed_over, total,
             f"{c[Category.resolved_by_agent.value]} resolved by the agent", "handed-over"),
        *(_row(text, c[category.value], total, "", category.value) for category, text in CATEGORY_ROWS),
    ]  # fmt: skip
    by_handler = " · ".join(
        f"after {'the bot' if who == 'bot' else 'an agent'}: {v['average']}/5 ({plural(v['answers'], 'answer')})"
        for who, v in sat.by_handler.items()
    )
    satisfaction = (
        f"<p class=satisfaction-figure>Satisfaction: <b>{sat.average}/5</b> · {percent(sat.satisfied_share)} "
        f"satisfied (4 or 5) · {plural(sat.answers, 'answer')} · {by_handler}</p>"
        if sat.answers
        else '<p class="satisfaction-figure muted">Satisfaction: no answers in this period.</p>'
    )
    return (
        f'<div class="card"><h2>What became of {plural(total, "conversation")}</h2><table class="outcomes">'
        "<tr><th></th><th>Conversations</th><th>Share</th><th></th></tr>"
        f"{''.join(rows)}</table>{satisfaction}</div>"
    )


def _stage(count: int, started: int) -> str:
    return f"{count} <span class=muted>{percent(share(count, started))}</span>"


def funnels(rows: list[Funnel]) -> str:
    body = "".join(
        f"<tr><td>{escape(labels.flow(f.flow))}</td><td>{f.started}</td><td>{_stage(f.identified, f.started)}</td>"
        f"<td>{_stage(f.diagnosed, f.started)}</td><td>{_stage(f.resolved, f.started)}</td>"
        f"<td>{_stage(f.escalated, f.started)}</td></tr>"
        for f in rows
    )
    head = (
        "<tr><th>Flow</th><th>Started</th><th>Identified</th><th>Diagnosed</th><th>Resolved</th>"
        "<th>Handed to an agent</th></tr>"
    )
    empty = '<tr><td colspan="6" class="muted">No conversation in this period.</td></tr>'
    return f'<h2>Per flow</h2><table class="funnel">{head}{body or empty}</table>'


def _causes(summary: DispositionSummary) -> str:
    return ", ".join(f"{escape(labels.root_cause(cause))} {n}" for cause, n in summary.root_causes.most_common())


def disposition_table(title: str, rows: list[DispositionSummary], name: Any, css: str) -> str:
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{escape(name(s.name))}</td><td>{s.count}</td><td>{percent(s.could_handle_share)}</td>"
        f"<td>{s.resolved}</td><td>{s.follow_up}</td><td>{s.not_resolved}</td><td>{_causes(s)}</td></tr>"
        for s in rows
    )
    head = (
        f"<tr><th>{escape(title)}</th><th>Dispositions</th><th>Bot could have handled</th><th>Resolved by agent</th>"
        "<th>Follow-up needed</th><th>Not resolved</th>"
        "<th>Root causes</th></tr>"
    )
    return f'<table class="{css}">{head}{body}</table>'


def dispositions_section(report: Report, themes: list[DispositionSummary] | None) -> str:
    overall = report.dispositions
    if not overall.count:
        return '<h2>Agents\' dispositions</h2><p class="muted">No agent disposition in this period.</p>'
    latest = sorted(report.disposition_records.values(), key=lambda r: -float(r["at"]))[:LATEST_KEPT]
    links = "".join(
        f'<li><a href="/insights/conversations/{escape(r["conversation_id"])}">{escape(r["conversation_id"])}</a>'
        f" · {escape(labels.flow(r.get('flow')))} · {escape(labels.root_cause(r['disposition'].get('root_cause')))}"
        f" · {RESOLUTIONS[resolution_of(r['disposition'])]}"
        "</li>"
        for r in latest
    )
    by_theme = (
        disposition_table("Theme", themes, str, "dispositions-themes")
        if themes
        else '<p class="muted">No theme of this period has a disposition (or themes are not mined yet).</p>'
    )
    return (
        "<h2>Agents' dispositions</h2>"
        f'<p class="dispositions-overall">{plural(overall.count, "disposition")} · '
        f"<b>{percent(overall.could_handle_share)}</b> the bot could have handled · {overall.resolved} resolved · "
        f"{overall.follow_up} follow-up needed · {overall.not_resolved} not resolved · "
        f"root causes: {_causes(overall)}</p>"
        + disposition_table("Flow", report.dispositions_per_flow, labels.flow, "dispositions-flows")
        + by_theme
        + f'<p>Latest:</p><ul class="latest-dispositions">{links}</ul>'
    )


def _satisfaction(figures: ModelFigures) -> str:
    if figures.satisfaction is None:
        return "n/a"
    return f"{figures.satisfaction}/5 ({plural(len(figures.scores), 'answer')})"


def models(rows: list[ModelFigures]) -> str:
    body = "".join(
        f"<tr><td><code>{escape(m.model_id)}</code></td><td>{bucket_caption(m.first_seen, 'hour')}</td>"
        f"<td>{bucket_caption(m.last_seen, 'hour')}</td><td>{m.conversations}</td>"
        f"<td>{percent(m.fallback_share)}</td><td>{percent(m.escalation_share)}</td>"
        f"<td>{_satisfaction(m)}</td></tr>"
        for m in rows
    )
    head = (
        "<tr><th>Model</th><th>First seen</th><th>Last seen</th><th>Conversations</th>"
        "<th>Turns not understood</th><th>Handed to an agent</th><th>Satisfaction</th></tr>"
    )
    empty = '<tr><td colspan="7" class="muted">No conversation in this period.</td></tr>'
    return f'<h2>Per model version</h2><table class="models">{head}{body or empty}</table>'


def comments(answers: list[SatisfactionAnswer]) -> str:
    said = [a for a in sorted(answers, key=lambda a: -a.at) if a.comment][:LATEST_KEPT]
    if not said:
        return ""
    items = "".join(
        f'<li>{a.score}/5 “{escape(a.comment or "")}” · <a href="/insights/conversations/{escape(a.conversation_id)}">'
        "conversation</a></li>"
        for a in said
    )
    return f'<h2>What customers said</h2><ul class="comments">{items}</ul>'
