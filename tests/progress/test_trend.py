"""Slopes before and after a plan, checked against numpy.polyfit (an independent fit)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unstuck.progress.trend import before_after, slope


def test_a_straight_line_has_its_own_slope() -> None:
    assert slope([(1, 20), (2, 18), (3, 16), (4, 14)]) == pytest.approx(-2.0)


def test_too_few_points_have_no_slope() -> None:
    assert slope([]) is None
    assert slope([(3, 10)]) is None
    assert slope([(3, 10), (3, 12)]) is None


@given(
    st.lists(
        st.tuples(st.integers(1, 40), st.floats(0, 27, allow_nan=False)), min_size=2, max_size=20
    )
)
def test_it_agrees_with_numpy_polyfit(points: list[tuple[int, float]]) -> None:
    xs = [x for x, _ in points]
    if len(set(xs)) < 2:
        assert slope(points) is None
        return
    expected = np.polyfit(xs, [y for _, y in points], 1)[0]
    assert slope(points) == pytest.approx(expected, abs=1e-7)


def test_before_and_after_a_plan() -> None:
    # flat at 18 for sessions 1-4, then falling 2 a session from session 5 (the plan)
    points = [(1, 18), (2, 18), (3, 18), (4, 18), (5, 16), (6, 14), (7, 12)]
    result = before_after(points, split=5)
    assert result.before_slope == pytest.approx(0.0)
    assert result.after_slope == pytest.approx(-2.0)  # 18 at session 4, then 16, 14, 12
    assert (result.before_n, result.after_n) == (4, 3)
    assert (result.before_last, result.after_last) == (18, 12)


def test_nothing_after_the_plan_yet() -> None:
    result = before_after([(1, 18), (2, 17)], split=3)
    assert result.after_slope is None
    assert result.after_n == 0
