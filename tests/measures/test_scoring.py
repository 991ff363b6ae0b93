"""Scoring: worked examples, band edges, the missing-item rule, and three paths that agree."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unstuck.errors import InvalidAnswer, InvalidValue
from unstuck.measures import (
    band_index,
    builtin_instruments,
    check_total,
    score_answers,
    score_expressions,
    score_matrix,
    severity_of,
)

PHQ9 = builtin_instruments()["phq9"]
GAD7 = builtin_instruments()["gad7"]
FEEDBACK = builtin_instruments()["session_feedback"]


def test_a_worked_phq9() -> None:
    score = score_answers(PHQ9, [1, 2, 0, 3, 1, 0, 2, 1, 0])
    assert (score.total, score.severity, score.safety_alert) == (10.0, "moderate", False)
    assert score_answers(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1]).safety_alert is True


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_edges(total: int, band: str) -> None:
    assert severity_of(PHQ9, total) == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_edges(total: int, band: str) -> None:
    assert severity_of(GAD7, total) == band


def test_proration_within_the_rule() -> None:
    one = score_answers(PHQ9, [3, 3, 3, 3, 3, 3, 3, 3, None])
    assert (one.total, one.prorated, one.missing_items) == (27.0, True, (9,))
    assert one.safety_unanswered == (9,)
    assert one.safety_alert is False  # unanswered is not "no risk", and not an alert either
    two = score_answers(PHQ9, [1, 2, None, 1, 2, None, 1, 2, 1])
    # 10 over 7 items, times 9 = 12.857..., rounded half up to 13
    assert (two.total, two.prorated) == (13.0, True)
    half = score_answers(GAD7, [1, 2, 1, 2, 1, 2, None])
    assert half.total == 11.0  # 9 / 6 * 7 = 10.5, rounded half up


def test_too_many_missing_gives_no_total_never_zero() -> None:
    three = score_answers(PHQ9, [1, None, None, None, 1, 1, 1, 1, 2])
    assert three.total is None
    assert three.severity is None
    assert three.prorated is False
    assert three.safety_alert is True  # the answered item 9 still counts
    assert score_answers(GAD7, [1, 1, 1, 1, 1, None, None]).total is None
    assert score_answers(FEEDBACK, [8, 9, None, 9]).total is None


@pytest.mark.parametrize("bad", [4, -1, 7])
def test_an_answer_outside_the_options_is_named(bad: int) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        score_answers(PHQ9, [0, 0, bad, 0, 0, 0, 0, 0, 0])
    assert str(caught.value) == f"column 'item_3', value {bad}: must be one of 0, 1, 2, 3"


def test_the_wrong_number_of_answers_is_named() -> None:
    with pytest.raises(InvalidValue, match="PHQ-9 has 9 items; got 3 answers"):
        score_answers(PHQ9, [1, 2, 3])


def test_check_total() -> None:
    assert check_total(PHQ9, 27) == 27
    with pytest.raises(InvalidValue, match="PHQ-9 totals run from 0 to 27"):
        check_total(PHQ9, 28, row=5)


def test_session_feedback_is_higher_is_better_and_has_no_bands() -> None:
    score = score_answers(FEEDBACK, [10, 9, 8, 10])
    assert (score.total, score.severity) == (37.0, None)
    assert FEEDBACK.higher_is_better is True


answers_phq = st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=9, max_size=9)


@given(st.lists(answers_phq, min_size=1, max_size=30))
@settings(max_examples=60)
def test_matrix_expressions_and_single_scoring_agree(rows: list[list[int | None]]) -> None:
    matrix = np.array([[np.nan if a is None else a for a in r] for r in rows], dtype=float)
    arrays = score_matrix(PHQ9, matrix)
    frame = pl.DataFrame(matrix, schema=[f"item_{j}" for j in range(1, 10)], orient="row")
    frame = frame.with_columns(pl.all().fill_nan(None))
    exprs = score_expressions(PHQ9, [f"item_{j}" for j in range(1, 10)])
    polars_out = frame.select(
        total=exprs.total,
        prorated=exprs.prorated,
        alert=exprs.safety_alert,
        blank=exprs.safety_unanswered,
    )
    for i, answers in enumerate(rows):
        one = score_answers(PHQ9, answers)
        expected = np.nan if one.total is None else one.total
        assert np.array_equal(arrays.total[i], expected, equal_nan=True)
        assert polars_out["total"][i] == one.total
        assert bool(arrays.prorated[i]) == one.prorated == polars_out["prorated"][i]
        assert bool(arrays.safety_alert[i]) == one.safety_alert == polars_out["alert"][i]
        assert (
            bool(arrays.safety_unanswered[i])
            == bool(one.safety_unanswered)
            == polars_out["blank"][i]
        )
        if one.total is not None:
            assert 0 <= one.total <= 27
            assert band_index(PHQ9, np.array([one.total]))[0] >= 0


@given(st.lists(st.floats(-2, 5, allow_nan=False), min_size=9, max_size=9))
def test_invalid_answers_are_caught_by_every_path(values: list[float]) -> None:
    valid = all(v in (0, 1, 2, 3) for v in values)
    arrays = score_matrix(PHQ9, np.array([values]))
    assert bool(arrays.invalid.any()) == (not valid)
    assert np.isnan(arrays.total[0]) == (not valid)
    exprs = score_expressions(PHQ9, [f"item_{j}" for j in range(1, 10)])
    frame = pl.DataFrame([values], schema=[f"item_{j}" for j in range(1, 10)], orient="row")
    flagged = frame.select(pl.any_horizontal(*exprs.invalid)).item()
    assert flagged == (not valid)
