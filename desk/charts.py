"""Small SVG charts drawn on the server: no JavaScript library, no CDN, readable without JS.

Each chart has a ``<title>`` and a ``<desc>`` for screen readers and every label is escaped.
Only SVG presentation attributes are used (no inline style), so the console's strict Content
Security Policy applies to them too.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape
from typing import Sequence

from shop.voice import say_to_agent
from shop.voice.french import format_count, format_percent

BAR = "#8a5a2b"
AXIS = "#6b6b6b"
NO_DATA = say_to_agent("chart.no_data")  # the description of a chart with nothing to draw
NO_DATA_SHOWN = escape(say_to_agent("chart.no_data_shown"))  # what such a bar chart shows


def column_chart(
    title: str, points: Sequence[tuple[str, int]], width: int = 640, height: int = 220
) -> str:
    """Vertical bars with their label below and their value above (e.g. conversations/day).

    With many points (90 days), values show only in the bars' tooltips and one label in
    ``_label_every`` is written, so the text never overlaps.
    """
    left, bottom, top = 30, 40, 20
    inner_w, inner_h = width - left - 10, height - bottom - top
    peak = max((value for _, value in points), default=0) or 1
    step = inner_w / max(len(points), 1)
    every = _label_every(len(points))
    bars = []
    for index, (label, value) in enumerate(points):
        bar_h = inner_h * value / peak
        x = left + index * step + step * 0.15
        y = top + inner_h - bar_h
        value_text = (
            f'<text x="{x + step * 0.35:.1f}" y="{y - 4:.1f}" font-size="11" '
            f'text-anchor="middle">{format_count(value)}</text>'
            if every == 1
            else ""
        )
        label_text = (
            f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 16:.1f}" font-size="10" '
            f'text-anchor="middle" fill="{AXIS}">{escape(label)}</text>'
            if index % every == 0
            else ""
        )
        bars.append(
            f'<g><rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{bar_h:.1f}" '
            f'fill="{BAR}"><title>{escape(label)} : {format_count(value)}</title></rect>'
            f"{value_text}{label_text}</g>"
        )
    description = (
        ", ".join(f"{label} : {format_count(value)}" for label, value in points) or NO_DATA
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-labelledby="c-{_slug(title)}">'
        f'<title id="c-{_slug(title)}">{escape(title)}</title><desc>{escape(description)}</desc>'
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - 10}" y2="{top + inner_h}" '
        f'stroke="{AXIS}"/>' + "".join(bars) + "</svg>"
    )


@dataclass(frozen=True)
class Line:
    """One series of a line chart: its name, colour, dash pattern and its values (None: no
    value that day, the line breaks)."""

    name: str
    colour: str
    values: Sequence[float | None]
    dash: str = ""


def percent_line_chart(
    title: str, labels: Sequence[str], lines: Sequence[Line], width: int = 640, height: int = 240
) -> str:
    """Rates from 0 to 100 % over time, one line per series, with a legend above.

    Lines differ by dash pattern as well as colour, and each point has a tooltip, so the chart
    reads without colour vision; a point alone between two gaps is drawn as a dot.
    """
    left, right, top, bottom = 44, 10, 34, 36
    inner_w, inner_h = width - left - right, height - top - bottom
    count = max(len(labels), 1)
    step = inner_w / max(count - 1, 1)
    parts = []
    for tick in (0, 25, 50, 75, 100):
        y = top + inner_h * (1 - tick / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e6ddd0"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="{AXIS}">{tick} %</text>'
        )
    every = _label_every(len(labels))
    radius = 3 if every == 1 else 1.8
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(
                f'<text x="{left + index * step:.1f}" y="{height - bottom + 16}" font-size="10" '
                f'text-anchor="middle" fill="{AXIS}">{escape(label)}</text>'
            )
    for order, line in enumerate(lines):
        legend_x = left + order * 190
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        parts.append(
            f'<line x1="{legend_x}" y1="12" x2="{legend_x + 24}" y2="12" stroke="{line.colour}" '
            f'stroke-width="3"{dash}/><text x="{legend_x + 30}" y="16" font-size="11">'
            f"{escape(line.name)}</text>"
        )
        points = [
            (left + index * step, top + inner_h * (1 - value), index, value)
            for index, value in enumerate(line.values)
            if value is not None
        ]
        for run in _runs(points):
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in run)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{line.colour}" '
                    f'stroke-width="2"{dash}/>'
                )
        for x, y, index, value in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{line.colour}"><title>'
                f"{escape(line.name)}, {escape(labels[index])} : {format_percent(value)}"
                "</title></circle>"
            )
    description = "; ".join(
        f"{line.name} : "
        + ", ".join(
            f"{label} {'—' if value is None else format_percent(value)}"
            for label, value in zip(labels, line.values, strict=True)
        )
        for line in lines
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-labelledby="l-{_slug(title)}">'
        f'<title id="l-{_slug(title)}">{escape(title)}</title>'
        f"<desc>{escape(description or NO_DATA)}</desc>" + "".join(parts) + "</svg>"
    )


def _runs(
    points: list[tuple[float, float, int, float]],
) -> list[list[tuple[float, float, int, float]]]:
    """Consecutive points (no missing day between them), each run drawn as one line."""
    runs: list[list[tuple[float, float, int, float]]] = []
    for point in points:
        if runs and runs[-1][-1][2] == point[2] - 1:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def _label_every(count: int, most: int = 16) -> int:
    """Write one axis label in this many, so that at most ``most`` labels share the axis."""
    return max(1, -(-count // most))


def bar_chart(title: str, rows: Sequence[tuple[str, int]], width: int = 640) -> str:
    """Horizontal bars, one per row (e.g. handoff reasons, top intents); a long label takes two
    lines, and its full text is in the bar's tooltip."""
    label_w = 250
    labels = [_two_lines(label) for label, _ in rows]
    row_h = 38 if any(len(lines) > 1 for lines in labels) else 26
    height = max(len(rows), 1) * row_h + 10
    peak = max((value for _, value in rows), default=0) or 1
    inner_w = width - label_w - 50
    items = []
    for index, ((label, value), lines) in enumerate(zip(rows, labels, strict=True)):
        y = 5 + index * row_h
        middle = y + row_h / 2
        bar_w = inner_w * value / peak
        first_y = middle + 4 - 7 * (len(lines) - 1)
        spans = "".join(
            f'<tspan x="{label_w - 8}" y="{first_y + 14 * n:.1f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        items.append(
            f'<g><text font-size="12" text-anchor="end">{spans}</text>'
            f'<rect x="{label_w}" y="{middle - 9:.1f}" width="{bar_w:.1f}" height="18" '
            f'fill="{BAR}"><title>{escape(label)} : {format_count(value)}</title></rect>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{middle + 4:.1f}" font-size="12">'
            f"{format_count(value)}</text></g>"
        )
    if not rows:
        items.append(f'<text x="10" y="22" font-size="12" fill="{AXIS}">{NO_DATA_SHOWN}</text>')
    description = ", ".join(f"{label} : {format_count(value)}" for label, value in rows) or NO_DATA
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-labelledby="b-{_slug(title)}">'
        f'<title id="b-{_slug(title)}">{escape(title)}</title><desc>{escape(description)}</desc>'
        + "".join(items)
        + "</svg>"
    )


def _two_lines(label: str, limit: int = 36) -> list[str]:
    lines = textwrap.wrap(label, limit) or [""]
    if len(lines) > 2:
        lines = [lines[0], _short(" ".join(lines[1:]), limit)]
    return lines


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _slug(title: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in title.lower())[:40]
