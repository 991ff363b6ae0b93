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
