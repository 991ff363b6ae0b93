"""Small server-side SVG charts: no JavaScript, readable when printed, sized by the page.

Each chart comes with a text alternative (an ``aria-label`` sentence here; the pages also show
the numbers in a table), because a chart alone shuts out people who cannot see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 16, 34

# Presentation attributes, not CSS classes, so the charts look the same in a browser, in print
# and in PDFs (WeasyPrint draws inline SVG without the page's stylesheet).
STYLE = {
    "grid": 'stroke="#e6e6e6"',
    "tick": 'font-size="11" fill="#555"',
    "band": 'fill="#2f4b8f" fill-opacity="0.12" stroke="none"',
    "expected": 'fill="none" stroke="#2f4b8f" stroke-width="1.5" stroke-dasharray="6 4"',
    "limit": 'fill="none" stroke="#b3261e" stroke-width="1.5" stroke-dasharray="2 3"',
    "cutoff": 'stroke="#8a5300" stroke-width="1.2" stroke-dasharray="8 4"',
    "reliable": 'stroke="#1e6b34" stroke-width="1.2" stroke-dasharray="3 3"',
    "score": 'fill="none" stroke="#1b1b1f" stroke-width="2.2"',
    "dot": 'fill="#1b1b1f"',
    "alert": 'stroke="#b3261e" stroke-width="3" stroke-opacity="0.6"',
}


def _look(css: str) -> str:
    return f'class="{css}" {STYLE.get(css, "")}'


@dataclass(frozen=True)
class Line:
    points: Sequence[tuple[float, float]]
    css: str  # class name: expected, limit, ...
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    summary: str  # the text alternative
    y_min: float
    y_max: float
    x_max: int
    points: Sequence[tuple[float, float]]
    lines: Sequence[Line] = ()
    band: Sequence[tuple[float, float, float]] = ()  # (x, low, high): the expected range
    hlines: Sequence[tuple[float, str, str]] = ()  # (y, css, label)
    alerts: Sequence[float] = ()  # x positions of safety answers


def _sx(x: float, x_max: int) -> float:
    span = max(x_max - 1, 1)
    return LEFT + (x - 1) / span * (WIDTH - LEFT - RIGHT)


def _sy(y: float, lo: float, hi: float) -> float:
    y = min(max(y, lo), hi)
    return TOP + (hi - y) / (hi - lo or 1) * (HEIGHT - TOP - BOTTOM)


def _path(points: Sequence[tuple[float, float]], c: Chart) -> str:
    return " ".join(
        f"{'M' if i == 0 else 'L'}{_sx(x, c.x_max):.1f},{_sy(y, c.y_min, c.y_max):.1f}"
        for i, (x, y) in enumerate(points)
    )


def render(c: Chart) -> str:
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(c.title)}: {escape(c.summary)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(c.title)}</title>",
    ]
    step = _tick_step(c.y_max - c.y_min)
    y = c.y_min
    while y <= c.y_max + 1e-9:
        sy = _sy(y, c.y_min, c.y_max)
        parts.append(
            f'<line {_look("grid")} x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{sy:.1f}" y2="{sy:.1f}"/>'
            f'<text {_look("tick")} x="{LEFT - 6}" y="{sy + 4:.1f}" text-anchor="end">{y:g}</text>'
        )
        y += step
    for tick in range(1, c.x_max + 1):
        parts.append(
            f'<text {_look("tick")} x="{_sx(tick, c.x_max):.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle">{tick}</text>'
        )
    parts.append(
        f'<text {_look("tick")} x="{(LEFT + WIDTH) / 2:.0f}" y="{HEIGHT - 4}" '
        f'text-anchor="middle">session</text>'
    )
    if c.band:
        upper = [(x, hi) for x, _, hi in c.band]
        lower = [(x, lo) for x, lo, _ in reversed(c.band)]
        parts.append(f'<path {_look("band")} d="{_path(upper + lower, c)} Z"/>')
    for n, (y_value, css, label) in enumerate(c.hlines):
        sy = _sy(y_value, c.y_min, c.y_max)
        x_text, anchor = (WIDTH - RIGHT - 2, "end") if n % 2 == 0 else (LEFT + 4, "start")
        parts.append(
            f'<line {_look(css)} x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{sy:.1f}" y2="{sy:.1f}">'
            f"<title>{escape(label)}</title></line>"
            f'<text {_look("tick")} x="{x_text}" y="{sy - 4:.1f}" '
            f'text-anchor="{anchor}">{escape(label)}</text>'
        )
    for line in c.lines:
        if len(line.points) >= 2:
            parts.append(
                f'<path {_look(line.css)} d="{_path(line.points, c)}">'
                f"<title>{escape(line.label)}</title></path>"
            )
    for x in c.alerts:
        sx = _sx(x, c.x_max)
        parts.append(
            f'<line {_look("alert")} x1="{sx:.1f}" x2="{sx:.1f}" y1="{TOP}" '
            f'y2="{HEIGHT - BOTTOM}"><title>safety answer at session {x:g}</title></line>'
        )
    if len(c.points) >= 2:
        parts.append(f'<path {_look("score")} d="{_path(c.points, c)}"/>')
    for x, y in c.points:
        parts.append(
            f'<circle {_look("dot")} cx="{_sx(x, c.x_max):.1f}" '
            f'cy="{_sy(y, c.y_min, c.y_max):.1f}" r="4"><title>session {x:g}: {y:g}</title>'
            "</circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[float], lo: float, hi: float, label: str) -> str:
    """A 90x24 trend line for the caseload table."""
    if not values:
        return ""
    w, h, pad = 90, 24, 3
    n = len(values)
    xs = [pad + (i / max(n - 1, 1)) * (w - 2 * pad) for i in range(n)]
    ys = [pad + (hi - min(max(v, lo), hi)) / (hi - lo or 1) * (h - 2 * pad) for v in values]
    d = " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}"
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    )
    return (
        f'<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'aria-label="{escape(label)}"><path d="{d}"/>'
        f'<circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2.5"/></svg>'
    )


def _tick_step(span: float) -> float:
    for step in (1, 2, 5, 10, 20, 50, 100):
        if span / step <= 8:
            return float(step)
    return span / 5
