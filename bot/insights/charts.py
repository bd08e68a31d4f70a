"""The volume chart as inline SVG, drawn on the server: stacked bars per time bucket, one colour per trigger."""

from __future__ import annotations

from html import escape

from bot.insights import labels
from bot.insights.filters import iso
from bot.insights.query import Volume

WIDTH, HEIGHT, LEFT, RIGHT, BOTTOM, TOP = 900, 240, 40, 10, 30, 10
COLOURS = {
    "nlu_fallback": "#d9480f",
    "low_confidence": "#f59f00",
    "out_of_scope": "#868e96",
    "escalation": "#1971c2",
    "abandoned": "#862e9c",
    "oss_failure": "#c92a2a",
    "agent_disposition": "#2b8a3e",
    "withdrawn": "#5c940d",
}
X_LABELS = 8


def bucket_caption(start: float, bucket: str) -> str:
    """``2026-12-06 14:00`` for an hour, ``2026-12-06`` for a day or a week (UTC)."""
    return iso(start)[: 16 if bucket == "hour" else 10].replace("T", " ")


def _x_label(x: float, i: int, count: int, text: str) -> str:
    """Centred under its bar; the first and last anchored inside the chart so neither is cut off."""
    anchor = "start" if i == 0 and count > 1 else "end" if i == count - 1 and count > 1 else "middle"
    return f'<text x="{x:.1f}" y="{HEIGHT - 10}" font-size="10" text-anchor="{anchor}">{escape(text)}</text>'


def volume_chart(volume: Volume) -> str:
    """SVG markup (already escaped), with a legend of the triggers in words."""
    count = len(volume.starts)
    captions = [bucket_caption(start, volume.bucket) for start in volume.starts]
    totals = [sum(series[i] for series in volume.series.values()) for i in range(count)]
    peak = max([*totals, 1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    bar_w = plot_w / max(count, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Unresolved contacts per {escape(volume.bucket)}" style="width:100%;background:#fff">',
        f'<text x="4" y="{TOP + 10}" font-size="11">{peak}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#999"/>',
    ]
    for i in range(count):
        y = float(TOP + plot_h)
        for trigger, series in volume.series.items():
            value = series[i]
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            parts.append(
                f'<rect x="{LEFT + i * bar_w:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 0.5):.1f}" height="{h:.1f}" '
                f'fill="{COLOURS.get(trigger, "#495057")}"><title>{escape(captions[i])}: {value} '
                f"{escape(labels.trigger(trigger))}</title></rect>"
            )
    step = max(1, -(-count // X_LABELS))
    shown = sorted({*range(0, count, step), count - 1} - {-1})
    if len(shown) > 1 and shown[-1] - shown[-2] < step:  # the last bucket is always labelled; its neighbour yields
        shown.pop(-2)
    for i in shown:
        parts.append(_x_label(LEFT + (i + 0.5) * bar_w, i, count, captions[i]))
    parts.append("</svg>")
    legend = " ".join(
        f'<span class="tag" style="border-left:10px solid {COLOURS.get(t, "#495057")}">'
        f"{escape(labels.trigger(t))} {sum(series)}</span>"
        for t, series in volume.series.items()
    )
    return "".join(parts) + f"<div>{legend}</div>"
