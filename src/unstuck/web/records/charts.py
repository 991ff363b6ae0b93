"""Small server-side SVG charts: no JavaScript, readable when printed, sized by the page.

The course chart follows the layout clinicians know from expected-treatment-response feedback
(OQ-Analyst's expected recovery curve with its tolerance band and red zone; Better Outcomes
Now's expected line with a shaded range): the expected course as a dashed line inside a
shaded band holding the middle 80% of clients on course, the not-on-track zone beyond the
limit tinted red, the clinical cutoff as a line, and safety answers marked at their session.

Nothing is written inside the plot area except tick numbers, so no label crosses a line; the
key sits under the chart (`legend`). Each chart comes in two sizes (`WIDE`, `NARROW`) so its
text stays at about 11 px or more on a 375-px phone as on a desktop, and comes with a text
alternative (an ``aria-label`` sentence, and the page prints the same sentence under it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from unstuck.progress.fit_checks import fit_checks
from unstuck.progress.wording import FLAG_NAMES


@dataclass(frozen=True)
class Frame:
    """The drawing's size in viewBox units; `font` is the tick text's size in those units."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int
    max_ticks: int  # session numbers written under the axis, at most


# The page shows WIDE from 641 px up (at 640 units it renders 1:1 or larger) and NARROW below:
# a 375-px phone draws a 360-unit chart about 340 px wide, so 12 units become ~11.3 px.
WIDE = Frame(640, 260, 40, 16, 14, 34, 11, 16)
NARROW = Frame(360, 250, 30, 10, 12, 34, 12, 8)
WIDTH, HEIGHT = WIDE.width, WIDE.height
LEFT, RIGHT, TOP, BOTTOM = WIDE.left, WIDE.right, WIDE.top, WIDE.bottom

# Presentation attributes, not CSS classes, so the charts look the same in a browser, in print
# and in PDFs (WeasyPrint draws inline SVG without the page's stylesheet). The band and zone
# classes are named so that no older stylesheet rule (e.g. `.chart .band`) dims them further.
STYLE = {
    "grid": 'stroke="#e6e6e6"',
    "tick": 'fill="#444"',
    "course-band": 'fill="#2f4b8f" fill-opacity="0.18" stroke="#2f4b8f" stroke-opacity="0.35" '
    'stroke-width="0.8"',
    "off-zone": 'fill="#b3261e" fill-opacity="0.08" stroke="none"',
    # Each line is told apart without colour (printed in greyscale, or by a reader who does not
    # see the colours): the scores solid, the expected course long dashes, the limit round dots,
    # the cutoff dash-dot and the reliable-improvement line thin short dashes.
    "expected": 'fill="none" stroke="#2f4b8f" stroke-width="2" stroke-dasharray="10 5"',
    "limit": 'fill="none" stroke="#b3261e" stroke-width="2.8" stroke-dasharray="0.1 5" '
    'stroke-linecap="round"',
    "cutoff": 'stroke="#8a5300" stroke-width="1.6" stroke-dasharray="12 4 2 4"',
    "reliable": 'stroke="#1e6b34" stroke-width="1.1" stroke-dasharray="4 3"',
    "score": 'fill="none" stroke="#1b1b1f" stroke-width="2.4"',
    "dot": 'fill="#1b1b1f"',
    "alert": 'stroke="#b3261e" stroke-width="2" stroke-opacity="0.75"',
    "alert-mark": 'fill="#b3261e"',
}

# What each mark means, for the key under a chart (and its swatch's look). The zone and its
# limit are named by the flag they raise, as the caseload names it.
OFF_COURSE = FLAG_NAMES["not_on_track"].lower()
KEY = {
    "score": "client's scores",
    "expected": "expected course",
    "course-band": f"middle {fit_checks().band:.0%} of clients on the expected course",
    "off-zone": OFF_COURSE,
    "limit": f"line past which a score is {OFF_COURSE}",
    "cutoff": "clinical cutoff",
    "reliable": "reliable improvement",
    "alert": "safety answer",
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
    zone: Sequence[tuple[float, float, float]] = ()  # (x, low, high): the not-on-track zone
    hlines: Sequence[tuple[float, str, str]] = ()  # (y, css, label)
    alerts: Sequence[float] = ()  # x positions of safety answers


def _sx(x: float, x_max: int, f: Frame = WIDE) -> float:
    span = max(x_max - 1, 1)
    return f.left + (x - 1) / span * (f.width - f.left - f.right)


def _sy(y: float, lo: float, hi: float, f: Frame = WIDE) -> float:
    y = min(max(y, lo), hi)
    return f.top + (hi - y) / (hi - lo or 1) * (f.height - f.top - f.bottom)


def _path(points: Sequence[tuple[float, float]], c: Chart, f: Frame) -> str:
    return " ".join(
        f"{'M' if i == 0 else 'L'}{_sx(x, c.x_max, f):.1f},{_sy(y, c.y_min, c.y_max, f):.1f}"
        for i, (x, y) in enumerate(points)
    )


def _area(edges: Sequence[tuple[float, float, float]], c: Chart, f: Frame, css: str) -> str:
    """A filled area between the upper and lower edge of (x, low, high) rows."""
    upper = [(x, hi) for x, _, hi in edges]
    lower = [(x, lo) for x, lo, _ in reversed(edges)]
    return f'<path {_look(css)} d="{_path(upper + lower, c, f)} Z"/>'


def render(c: Chart, f: Frame = WIDE, css: str = "chart") -> str:
    parts = [
        f'<svg class="{css}" viewBox="0 0 {f.width} {f.height}" role="img" '
        f'aria-label="{escape(c.title)}: {escape(c.summary)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(c.title)}</title>",
    ]
    text = f'{_look("tick")} font-size="{f.font}"'
    step = _tick_step(c.y_max - c.y_min)
    y = c.y_min
    while y <= c.y_max + 1e-9:
        sy = _sy(y, c.y_min, c.y_max, f)
        parts.append(
            f'<line {_look("grid")} x1="{f.left}" x2="{f.width - f.right}" y1="{sy:.1f}" '
            f'y2="{sy:.1f}"/><text {text} x="{f.left - 5}" y="{sy + f.font * 0.35:.1f}" '
            f'text-anchor="end">{y:g}</text>'
        )
        y += step
    every = _session_step(c.x_max, f.max_ticks)
    for tick in range(1, c.x_max + 1):
        if tick == 1 or tick % every == 0:
            parts.append(
                f'<text {text} x="{_sx(tick, c.x_max, f):.1f}" '
                f'y="{f.height - f.bottom + f.font + 4}" text-anchor="middle">{tick}</text>'
            )
    parts.append(
        f'<text {text} x="{(f.left + f.width - f.right) / 2:.0f}" y="{f.height - 4}" '
        f'text-anchor="middle">session</text>'
    )
    if c.zone:
        parts.append(_area(c.zone, c, f, "off-zone"))
    if c.band:
        parts.append(_area(c.band, c, f, "course-band"))
    for y_value, look, label in c.hlines:
        sy = _sy(y_value, c.y_min, c.y_max, f)
        parts.append(
            f'<line {_look(look)} x1="{f.left}" x2="{f.width - f.right}" y1="{sy:.1f}" '
            f'y2="{sy:.1f}"><title>{escape(label)}</title></line>'
        )
    for line in c.lines:
        if len(line.points) >= 2:
            parts.append(
                f'<path {_look(line.css)} d="{_path(line.points, c, f)}">'
                f"<title>{escape(line.label)}</title></path>"
            )
    bottom = f.height - f.bottom
    for x in c.alerts:
        sx = _sx(x, c.x_max, f)
        parts.append(
            f"<g><title>safety answer at session {x:g}</title><line {_look('alert')} "
            f'x1="{sx:.1f}" x2="{sx:.1f}" y1="{f.top}" y2="{bottom}"/>'
            f'<path {_look("alert-mark")} d="M{sx - 6:.1f},{f.top - 2} L{sx + 6:.1f},{f.top - 2} '
            f'L{sx:.1f},{f.top + 9} Z"/></g>'
        )
    if len(c.points) >= 2:
        parts.append(f'<path {_look("score")} d="{_path(c.points, c, f)}"/>')
    for x, y in c.points:
        parts.append(
            f'<circle {_look("dot")} cx="{_sx(x, c.x_max, f):.1f}" '
            f'cy="{_sy(y, c.y_min, c.y_max, f):.1f}" r="4"><title>session {x:g}: {y:g}</title>'
            "</circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def keys(c: Chart) -> list[str]:
    """The marks this chart draws, in the order of `KEY`, for its legend."""
    drawn = {"score"} if c.points else set()
    drawn |= {line.css for line in c.lines if len(line.points) >= 2}
    drawn |= {look for _, look, _ in c.hlines}
    if c.band:
        drawn.add("course-band")
    if c.zone:
        drawn.add("off-zone")
    if c.alerts:
        drawn.add("alert")
    return [k for k in KEY if k in drawn]


SWATCH = 40  # a key's swatch, in the chart's units (a wide chart shows about 1:1)


def legend(entries: Sequence[tuple[str, str]]) -> str:
    """The key under a chart: a small swatch drawn like the mark, then its words."""
    items = []
    for look, words in entries:
        if look in ("course-band", "off-zone"):
            mark = f'<rect {_look(look)} x="1" y="3" width="{SWATCH - 2}" height="10"/>'
        elif look == "alert":
            mark = f'<line {_look(look)} x1="{SWATCH // 2}" x2="{SWATCH // 2}" y1="1" y2="15"/>'
        else:  # long enough to show a whole dash-dot, drawn at the chart's own scale
            mark = f'<line {_look(look)} x1="2" x2="{SWATCH - 2}" y1="8" y2="8"/>'
        items.append(
            f'<li><svg class="swatch" viewBox="0 0 {SWATCH} 16" width="{SWATCH}" height="16" '
            f'aria-hidden="true">{mark}</svg> {escape(words)}</li>'
        )
    return f'<ul class="chart-key">{"".join(items)}</ul>'


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


def _session_step(x_max: int, most: int) -> int:
    for step in (1, 2, 5, 10, 20, 50):
        if x_max / step <= most:
            return step
    return max(x_max // most, 1)
