"""Small SVG charts drawn on the server: no JavaScript library, no CDN, readable without JS.

Each chart has a ``<title>`` and a ``<desc>`` for screen readers and every label is escaped.
Only SVG presentation attributes are used (no inline style), so the console's strict Content
Security Policy applies to them too.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

BAR = "#8a5a2b"
AXIS = "#6b6b6b"


def column_chart(
    title: str, points: Sequence[tuple[str, int]], width: int = 640, height: int = 220
) -> str:
    """Vertical bars with their label below and their value above (e.g. conversations/day)."""
    left, bottom, top = 30, 40, 20
    inner_w, inner_h = width - left - 10, height - bottom - top
    peak = max((value for _, value in points), default=0) or 1
    step = inner_w / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        bar_h = inner_h * value / peak
        x = left + index * step + step * 0.15
        y = top + inner_h - bar_h
        bars.append(
            f'<g><rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{bar_h:.1f}" '
            f'fill="{BAR}"><title>{escape(label)} : {value}</title></rect>'
            f'<text x="{x + step * 0.35:.1f}" y="{y - 4:.1f}" font-size="11" '
            f'text-anchor="middle">{value}</text>'
            f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 16:.1f}" font-size="10" '
            f'text-anchor="middle" fill="{AXIS}">{escape(label)}</text></g>'
        )
    description = ", ".join(f"{label} : {value}" for label, value in points) or "aucune donnée"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-labelledby="c-{_slug(title)}">'
        f'<title id="c-{_slug(title)}">{escape(title)}</title><desc>{escape(description)}</desc>'
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - 10}" y2="{top + inner_h}" '
        f'stroke="{AXIS}"/>' + "".join(bars) + "</svg>"
    )


def bar_chart(title: str, rows: Sequence[tuple[str, int]], width: int = 640) -> str:
    """Horizontal bars, one per row (e.g. handoff reasons, top intents)."""
    label_w, row_h = 230, 26
    height = max(len(rows), 1) * row_h + 10
    peak = max((value for _, value in rows), default=0) or 1
    inner_w = width - label_w - 50
    items = []
    for index, (label, value) in enumerate(rows):
        y = 5 + index * row_h
        bar_w = inner_w * value / peak
        items.append(
            f'<g><text x="{label_w - 8}" y="{y + 17}" font-size="12" text-anchor="end">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" height="{row_h - 8}" '
            f'fill="{BAR}"><title>{escape(label)} : {value}</title></rect>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 17}" font-size="12">{value}</text></g>'
        )
    if not rows:
        items.append(f'<text x="10" y="22" font-size="12" fill="{AXIS}">Aucune donnée</text>')
    description = ", ".join(f"{label} : {value}" for label, value in rows) or "aucune donnée"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-labelledby="b-{_slug(title)}">'
        f'<title id="b-{_slug(title)}">{escape(title)}</title><desc>{escape(description)}</desc>'
        + "".join(items)
        + "</svg>"
    )


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _slug(title: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in title.lower())[:40]
