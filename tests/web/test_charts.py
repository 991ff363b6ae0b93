"""The SVG charts: numbers land where they should and every chart has a text alternative."""

from __future__ import annotations

import re

from unstuck.web.records import charts


def test_a_chart_places_points_on_the_scale_and_says_what_it_shows() -> None:
    chart = charts.Chart(
        title="PHQ-9 by session",
        summary="3 scores from 20 to 6",
        y_min=0,
        y_max=27,
        x_max=3,
        points=[(1, 27), (2, 13.5), (3, 0)],
    )
    svg = charts.render(chart)
    assert 'role="img"' in svg
    assert 'aria-label="PHQ-9 by session: 3 scores from 20 to 6"' in svg
    circles = re.findall(r'<circle class="dot" fill="#1b1b1f" cx="([\d.]+)" cy="([\d.]+)"', svg)
    xs = [float(x) for x, _ in circles]
    ys = [float(y) for _, y in circles]
    assert xs == [
        charts.LEFT,
        (charts.LEFT + charts.WIDTH - charts.RIGHT) / 2,
        charts.WIDTH - charts.RIGHT,
    ]
    assert ys[0] == charts.TOP  # the maximum is at the top
    assert ys[2] == charts.HEIGHT - charts.BOTTOM  # the minimum at the bottom
    assert abs(ys[1] - (ys[0] + ys[2]) / 2) < 0.06


def test_values_outside_the_scale_are_clamped() -> None:
    chart = charts.Chart(
        title="t", summary="s", y_min=0, y_max=10, x_max=2, points=[(1, -5), (2, 50)]
    )
    ys = [
        float(y)
        for y in re.findall(
            r'<circle class="dot" fill="#1b1b1f" cx="[\d.]+" cy="([\d.]+)"', charts.render(chart)
        )
    ]
    assert ys == [charts.HEIGHT - charts.BOTTOM, charts.TOP]


def test_the_sparkline_is_labelled_and_empty_without_values() -> None:
    assert charts.sparkline([], 0, 27, "none") == ""
    spark = charts.sparkline([20, 15, 9], 0, 27, "PHQ-9 trend: 20, 15, 9")
    assert 'aria-label="PHQ-9 trend: 20, 15, 9"' in spark
    assert spark.count("L") == 2


LINES = ("score", "expected", "limit", "cutoff", "reliable")


def pattern(look: str) -> tuple[list[float], float]:
    """A line's dashes (empty: solid) and width, read from the attributes it is drawn with."""
    dashes = re.search(r'stroke-dasharray="([^"]+)"', charts.STYLE[look])
    width = re.search(r'stroke-width="([^"]+)"', charts.STYLE[look])
    assert width, look
    return ([float(d) for d in dashes.group(1).split()] if dashes else []), float(width.group(1))


def clearly_apart(a: str, b: str) -> bool:
    """Told apart without colour: solid against dashed, dashes against dash-dots, a dash at
    least twice as long as the other's, or a line at least 1.6 times as wide."""
    (dashes_a, width_a), (dashes_b, width_b) = pattern(a), pattern(b)
    if len(dashes_a) != len(dashes_b):
        return True
    if dashes_a and max(dashes_a[0], dashes_b[0]) >= 2 * min(dashes_a[0], dashes_b[0]):
        return True
    return max(width_a, width_b) >= 1.6 * min(width_a, width_b)


def test_every_line_is_told_apart_without_colour_and_the_key_draws_it_alike() -> None:
    """The expected course and the cutoff were dashed '6 4' and '8 4', the limit and the
    reliable-improvement line '2 3' and '3 3': the same lines once printed in grey."""
    for i, a in enumerate(LINES):
        for b in LINES[i + 1 :]:
            assert clearly_apart(a, b), (a, b, pattern(a), pattern(b))
    chart = charts.Chart(
        title="t",
        summary="s",
        y_min=0,
        y_max=27,
        x_max=8,
        points=[(1, 20), (2, 18)],
        lines=[
            charts.Line([(1, 20), (8, 9)], "expected", "expected course"),
            charts.Line([(1, 24), (8, 15)], "limit", "limit"),
        ],
        hlines=[(10, "cutoff", "clinical cutoff"), (14, "reliable", "reliable improvement")],
    )
    svg = charts.render(chart)
    key = charts.legend([(k, charts.KEY[k]) for k in charts.keys(chart)])
    for look in LINES:
        drawn = f'class="{look}" {charts.STYLE[look]}'
        assert drawn in svg, look
        swatch = re.search(rf'<line {re.escape(drawn)} x1="([\d.]+)" x2="([\d.]+)"', key)
        assert swatch, look
        dashes, _ = pattern(look)  # the swatch shows the whole pattern at least once
        assert float(swatch.group(2)) - float(swatch.group(1)) >= sum(dashes), look
