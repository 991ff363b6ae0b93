"""Scoring: worked examples, band edges, the missing-item rule, safety items, bad answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from frame_scores import score_frame

from unstuck.errors import InvalidAnswer, InvalidValue
from unstuck.measures import (
    band_index,
    builtin_instruments,
    check_total,
    score_answers,
    score_expressions,
    score_only_instrument,
    severity_of,
)

PHQ9 = builtin_instruments()["phq9"]
GAD7 = builtin_instruments()["gad7"]
FEEDBACK = builtin_instruments()["session_feedback"]
BDI = score_only_instrument("bdi", reliability=0.9, sd=10, cutoff=14, higher_is_better=False)


def test_a_worked_phq9() -> None:
    score = score_answers(PHQ9, [1, 2, 0, 3, 1, 0, 2, 1, 0])
    assert score.total == 10.0
    assert score.severity == "moderate"
    assert (score.safety_alert, score.safety_unanswered) == (False, ())
    assert (score.answered, score.missing_items, score.prorated) == (9, (), False)


def test_item_9_above_zero_is_a_safety_alert_whatever_the_total() -> None:
    assert score_answers(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1]).safety_alert is True
    low = score_answers(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 3])
    assert (low.total, low.severity, low.safety_alert) == (3.0, "minimal", True)
    # Too many blanks for a total, but the answered item 9 still raises the alert.
    blank = score_answers(PHQ9, [None, None, None, None, 0, 0, 0, 0, 2])
    assert (blank.total, blank.safety_alert) == (None, True)


def test_a_blank_item_9_is_not_read_as_no_risk() -> None:
    score = score_answers(PHQ9, [3, 3, 3, 3, 3, 3, 3, 3, None])
    assert score.safety_unanswered == (9,)
    assert score.safety_alert is False
    assert (score.total, score.prorated, score.missing_items) == (27.0, True, (9,))


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
    # The same total reached through answers, not only through severity_of.
    answers = [min(3, max(0, total - 3 * i)) for i in range(9)]
    assert score_answers(PHQ9, answers).severity == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
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
    answers = [min(3, max(0, total - 3 * i)) for i in range(7)]
    assert score_answers(GAD7, answers).severity == band


@pytest.mark.parametrize("total", [-1, 28, math.nan, math.inf])
def test_no_band_outside_the_range(total: float) -> None:
    assert severity_of(PHQ9, total) is None


def test_band_index_matches_the_bands() -> None:
    totals = np.array([0, 4, 5, 9, 10, 14, 15, 19, 20, 27, np.nan, 28, -1])
    assert band_index(PHQ9, totals).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, -1, -1, -1]
    assert band_index(FEEDBACK, np.array([0.0, 40.0])).tolist() == [-1, -1]
    assert band_index(PHQ9, np.array([])).shape == (0,)


def test_one_missing_item_is_prorated() -> None:
    # 1+2+0+3+1+0+2+1 = 10 over 8 answered, times 9 = 11.25 -> 11
    score = score_answers(PHQ9, [1, 2, 0, 3, 1, 0, 2, 1, None])
    assert (score.total, score.prorated, score.answered) == (11.0, True, 8)
    assert score.severity == "moderate"


def test_two_missing_items_are_prorated_and_halves_round_up() -> None:
    # 10 over 7 answered, times 9 = 12.857... -> 13
    two = score_answers(PHQ9, [1, 2, None, 1, 2, None, 1, 2, 1])
    assert (two.total, two.prorated, two.missing_items) == (13.0, True, (3, 6))
    # 7 over 6 answered, times 7 = 8.1666... -> 8; GAD-7 allows one blank only
    assert score_answers(GAD7, [1, 2, 1, 2, 1, 0, None]).total == 8.0
    # 9 over 6 answered, times 7 = 10.5 exactly -> 11 (half up, not to even: 10)
    half = score_answers(GAD7, [1, 2, 1, 2, 1, 2, None])
    assert (half.total, half.severity) == (11.0, "moderate")
    # 13 over 7 answered, times 9 = 16.714... -> 17
    assert score_answers(PHQ9, [2, 2, 2, 2, 2, 2, 1, None, None]).total == 17.0
    # 4 over 8 answered, times 9 = 4.5 exactly -> 5: half up decides minimal vs mild here
    edge = score_answers(PHQ9, [1, 1, 1, 1, 0, 0, 0, 0, None])
    assert (edge.total, edge.severity) == (5.0, "mild")
    # 4 over 7, times 9 = 5.142... -> 5
    assert score_answers(PHQ9, [1, 1, 1, 1, 0, 0, 0, None, None]).total == 5.0


def test_too_many_missing_items_give_no_total_never_zero() -> None:
    three = score_answers(PHQ9, [1, None, None, None, 1, 1, 1, 1, 0])
    assert (three.total, three.severity, three.prorated) == (None, None, False)
    assert three.missing_items == (2, 3, 4)
    assert score_answers(GAD7, [1, 1, 1, 1, 1, None, None]).total is None
    assert score_answers(FEEDBACK, [8, 9, None, 9]).total is None
    nothing = score_answers(PHQ9, [None] * 9)
    assert (nothing.total, nothing.answered, nothing.safety_unanswered) == (None, 0, (9,))


def test_nan_counts_as_a_blank() -> None:
    assert score_answers(PHQ9, [1, 2, 0, 3, 1, 0, 2, 1, math.nan]).missing_items == (9,)


@pytest.mark.parametrize(("position", "bad"), [(3, 4), (1, -1), (9, 1.5), (5, True), (2, "2")])
def test_an_answer_outside_the_options_names_item_and_value(position: int, bad: object) -> None:
    answers: list[object] = [0] * 9
    answers[position - 1] = bad
    with pytest.raises(InvalidAnswer) as caught:
        score_answers(PHQ9, answers)  # type: ignore[arg-type]
    error = caught.value
    assert (error.field, error.value) == (f"item_{position}", bad)
    assert error.reason == (
        f"must be one of 0, 1, 2, 3 (the answer options of PHQ-9 item {position})"
    )
    assert str(error).startswith(f"column 'item_{position}', value {bad!r}: must be one of")


def test_a_whole_float_answer_is_accepted() -> None:
    assert score_answers(PHQ9, [1.0, 2, 0, 3, 1, 0, 2, 1, 0]).total == 10.0  # type: ignore[list-item]


def test_the_wrong_number_of_answers_is_named() -> None:
    with pytest.raises(InvalidValue) as caught:
        score_answers(PHQ9, [1, 2, 3])
    assert (caught.value.field, caught.value.value) == ("answers", 3)
    assert caught.value.reason == "PHQ-9 has 9 items; got 3 answers"


def test_a_score_only_instrument_has_nothing_to_answer() -> None:
    with pytest.raises(InvalidValue, match="score-only"):
        score_answers(BDI, [])
    with pytest.raises(InvalidValue, match="score-only"):
        score_expressions(BDI, [])


def test_the_polars_rules_need_one_column_per_item() -> None:
    with pytest.raises(InvalidValue, match="needs 9 columns"):
        score_expressions(PHQ9, [f"item_{j}" for j in range(1, 9)])


def test_the_polars_rules_on_worked_rows() -> None:
    nan = np.nan
    rows = np.array(
        [
            [1, 2, 0, 3, 1, 0, 2, 1, 0],  # 10
            [1, 2, nan, 1, 2, nan, 1, 2, 1],  # prorated 13
            [1, nan, nan, nan, 1, 1, 1, 1, 2],  # too many blanks, but item 9 = 2
            [0, 0, 0, 0, 0, 0, 0, 0, nan],  # item 9 blank
            [0, 4, 0, 0, 0, 0, 0, 0, 0],  # invalid 4
            [0, 0, 1.5, 0, 0, 0, 0, 0, 0],  # invalid 1.5
        ]
    )
    out = score_frame(PHQ9, rows)
    assert np.array_equal(out.total, [10, 13, nan, 0, nan, nan], equal_nan=True)
    assert out.prorated.tolist() == [False, True, False, True, False, False]
    assert out.n_missing.tolist() == [0, 2, 3, 1, 0, 0]
    assert out.safety_alert.tolist() == [False, True, True, False, False, False]
    assert out.safety_unanswered.tolist() == [False, False, False, True, False, False]
    assert np.argwhere(out.invalid).tolist() == [[4, 1], [5, 2]]
    assert out.n_missing.dtype == np.int64


def test_session_feedback_is_higher_is_better_and_needs_every_item() -> None:
    score = score_answers(FEEDBACK, [10, 9, 8, 10])
    assert (score.total, score.severity, score.safety_alert) == (37.0, None, False)
    assert score_answers(FEEDBACK, [0, 0, 0, 0]).total == 0.0
    with pytest.raises(InvalidAnswer, match="item_2"):
        score_answers(FEEDBACK, [10, 11, 8, 10])


def test_check_total() -> None:
    assert check_total(PHQ9, 27) == 27
    assert check_total(PHQ9, 0.0) == 0.0
    assert check_total(BDI, 123.5) == 123.5
    with pytest.raises(InvalidValue) as caught:
        check_total(PHQ9, 28, row=5)
    assert str(caught.value) == "row 5, column 'score', value 28: PHQ-9 totals run from 0 to 27"
    with pytest.raises(InvalidValue, match="PHQ-9 totals run from 0 to 27"):
        check_total(PHQ9, -1, field="phq9_total")
    with pytest.raises(InvalidValue, match="PHQ-9 totals are whole numbers"):
        check_total(PHQ9, 12.5)
    for bad in (math.nan, math.inf):
        with pytest.raises(InvalidValue, match="must be a finite number"):
            check_total(BDI, bad)
    with pytest.raises(InvalidValue, match="must be a number"):
        check_total(PHQ9, "12")  # type: ignore[arg-type]
