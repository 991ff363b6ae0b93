"""Server-side SVG charts for the team page: the retention curve and the figures over time.

Like the client page's charts (`unstuck.web.records.charts`): no JavaScript, presentation
attributes instead of inline styles (the CSP allows no inline style), a ``role="img"`` with a
sentence as its text alternative, and the same numbers in a table beside each chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from unstuck.analysis.clinic_time import Period
from unstuck.analysis.retention import Step, summary

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 30, 36  # the top margin holds the bar chart's legend
TICK = 'font-size="11" fill="#555"'
GRID = 'stroke="#e6e6e6"'
SHOWN = 8  # periods drawn (the most recent); the table beside the chart lists them all
BARS = (("seen", "#9fb0d8"), ("reliably improved", "#1e6b34"), ("ended early", "#b3261e"))


def _frame(title: str, alt: str) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}: {escape(alt)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]


def _y_axis(parts: list[str], top: float, label: str) -> None:
    for i in range(5):
        value = top * i / 4
        y = TOP + (1 - i / 4) * (HEIGHT - TOP - BOTTOM)
        parts.append(
            f'<line {GRID} x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text {TICK} x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{label.format(value)}</text>"
        )


def _y_title(parts: list[str], words: str) -> None:
    """What the vertical axis counts, written up its side (the ticks alone carry no unit)."""
    x, y = 11, TOP + (HEIGHT - TOP - BOTTOM) / 2
    parts.append(
        f'<text {TICK} x="{x}" y="{y:.1f}" transform="rotate(-90 {x} {y:.1f})" '
        f'text-anchor="middle">{escape(words)}</text>'
    )


def retention_chart(steps: Sequence[Step]) -> str:
    """The Kaplan-Meier step curve: share still attending (0-100%) by attended sessions."""
    title = "Clients still attending, by number of sessions"
    parts = _frame(title, summary(steps))
    _y_axis(parts, 1.0, "{:.0%}")
    _y_title(parts, "share still attending")
    x_max = max([s.sessions for s in steps] + [1])

    def sx(x: float) -> float:
        return LEFT + x / x_max * (WIDTH - LEFT - RIGHT)

    def sy(y: float) -> float:
        return TOP + (1 - y) * (HEIGHT - TOP - BOTTOM)

    every = max(1, x_max // 10)
    for tick in range(0, x_max + 1, every):
        parts.append(
            f'<text {TICK} x="{sx(tick):.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle">{tick}</text>'
        )
    parts.append(
        f'<text {TICK} x="{(LEFT + WIDTH) / 2:.0f}" y="{HEIGHT - 4}" '
        'text-anchor="middle">sessions attended</text>'
    )
    d, level = [f"M{sx(0):.1f},{sy(1.0):.1f}"], 1.0
    for step in steps:
        d.append(f"H{sx(step.sessions):.1f}")
        if step.retained != level:
            level = step.retained
            d.append(f"V{sy(level):.1f}")
    parts.append(
        f'<path class="km" fill="none" stroke="#2f4b8f" stroke-width="2.2" d="{" ".join(d)}"/>'
    )
    for step in steps:
        if step.censored:
            x, y = sx(step.sessions), sy(step.retained)
            parts.append(
                f'<line stroke="#1b1b1f" stroke-width="1.5" x1="{x:.1f}" x2="{x:.1f}" '
                f'y1="{y - 5:.1f}" y2="{y + 5:.1f}"><title>{step.censored} still attending or '
                f"ended otherwise after {step.sessions} sessions</title></line>"
            )
    parts.append("</svg>")
    return "".join(parts)


def periods_chart(periods: Sequence[Period]) -> str:
    """Bars per period: clients seen, and of them reliably improved; ended early as a mark."""
    title = "Clients seen, reliably improved and ended early, by quarter"
    alt = (
        "; ".join(
            f"{p.label}: {p.seen} seen, {p.improved} reliably improved, {p.ended_early} ended early"
            for p in periods
        )
        or "No sessions yet."
    )
    periods = periods[-SHOWN:]
    parts = _frame(title, alt)
    highest = max([max(p.seen, p.improved, p.ended_early) for p in periods] + [1])
    top = -(-highest // 4) * 4  # whole-number ticks: a multiple of four
    _y_axis(parts, top, "{:.0f}")
    _y_title(parts, "clients")
    n = max(len(periods), 1)
    slot = (WIDTH - LEFT - RIGHT) / n
    bar = min(slot / 3.5, 40)

    def sy(v: float) -> float:
        return TOP + (1 - v / top) * (HEIGHT - TOP - BOTTOM)

    base = sy(0)
    for i, p in enumerate(periods):
        x = LEFT + i * slot + slot / 2
        values = (p.seen, p.improved, p.ended_early)
        for offset, value, (what, colour) in zip((-1.1, 0.0, 1.1), values, BARS, strict=True):
            left = x + offset * bar - bar / 2
            parts.append(
                f'<rect fill="{colour}" x="{left:.1f}" y="{sy(value):.1f}" width="{bar:.1f}" '
                f'height="{base - sy(value):.1f}"><title>{escape(p.label)}: {value} {what}'
                "</title></rect>"
            )
        parts.append(
            f'<text {TICK} x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{escape(p.label)}</text>"
        )
    for i, (what, colour) in enumerate(BARS):  # a legend in words, not colour alone
        x = LEFT + 8 + i * 150
        parts.append(
            f'<rect fill="{colour}" x="{x}" y="6" width="10" height="10"/>'
            f'<text {TICK} x="{x + 14}" y="15">{what}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
