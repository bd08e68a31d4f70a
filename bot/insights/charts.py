"""The volume chart as inline SVG, drawn on the server: stacked bars per time bucket, one colour per trigger."""

from __future__ import annotations

from html import escape

from bot.insights.query import Volume

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 900, 240, 40, 30, 10
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


def volume_chart(volume: Volume, labels: list[str]) -> str:
    """SVG markup (already escaped); ``labels`` are the bucket captions, one per bucket."""
    count = len(volume.starts)
    totals = [sum(series[i] for series in volume.series.values()) for i in range(count)]
    peak = max([*totals, 1])
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    bar_w = plot_w / max(count, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Unresolved contacts per {escape(volume.bucket)}" style="width:100%;background:#fff">',
        f'<text x="4" y="{TOP + 10}" font-size="11">{peak}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" stroke="#999"/>',
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
                f'fill="{COLOURS.get(trigger, "#495057")}"><title>{escape(labels[i])}: {value} '
                f"{escape(trigger)}</title></rect>"
            )
    step = max(1, count // X_LABELS)
    for i in range(0, count, step):
        parts.append(f'<text x="{LEFT + i * bar_w:.1f}" y="{HEIGHT - 10}" font-size="10">{escape(labels[i])}</text>')
    parts.append("</svg>")
    legend = " ".join(
        f'<span class="tag" style="border-left:10px solid {COLOURS.get(t, "#495057")}">{escape(t)} {sum(series)}</span>'
        for t, series in volume.series.items()
    )
    return "".join(parts) + f"<div>{legend}</div>"
