"""Change statistics: published conventions at their thresholds, and properties.

The published worked data of Jacobson & Truax (1991, Table 2) are checked participant by
participant in test_change_peer.py; here are the NHS Talking Therapies conventions, which
the national programme publishes as whole-point rules (NCCMH, NHS Talking Therapies Manual):
PHQ-9 reliable change >= 6 points, caseness >= 10; GAD-7 reliable change >= 4, caseness >= 8.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unstuck.measures import builtin_instruments
from unstuck.measures.model import Norm
from unstuck.progress import (
    ChangeCriteria,
    classify_change,
    classify_changes,
    criteria_for,
    jt_cutoffs,
    reliable_change_index,
    standard_error_of_difference,
)

PHQ9 = criteria_for(builtin_instruments()["phq9"])
GAD7 = criteria_for(builtin_instruments()["gad7"])


@pytest.mark.parametrize(
    ("first", "last", "reliable", "recovered", "reliably_recovered"),
    [
        (15, 9, "improved", True, True),  # 6 points down and below 10
        (15, 10, "unchanged", False, False),  # 5 points: not reliable; 10 is still a case
        (16, 10, "improved", False, False),  # reliable, but 10 is a case
        (12, 7, "unchanged", True, False),  # recovery without reliable improvement
        (10, 16, "deteriorated", False, False),
        (10, 15, "unchanged", False, False),
        (9, 3, "improved", None, None),  # not a case at first: recovery does not apply
        (9, 15, "deteriorated", None, None),
    ],
)
def test_phq9_follows_nhs_talking_therapies(
    first: int, last: int, reliable: str, recovered: bool | None, reliably_recovered: bool | None
) -> None:
    assert PHQ9 is not None
    result = classify_change(first, last, PHQ9)
    assert (result.reliable_change, result.recovered, result.reliably_recovered) == (
        reliable,
        recovered,
        reliably_recovered,
    )


@pytest.mark.parametrize(
    ("first", "last", "reliable", "recovered"),
    [
        (12, 8, "improved", False),
        (12, 7, "improved", True),
        (11, 8, "unchanged", False),
        (8, 12, "deteriorated", False),
        (7, 3, "improved", None),
        (8, 7, "unchanged", True),
    ],
)
def test_gad7_follows_nhs_talking_therapies(
    first: int, last: int, reliable: str, recovered: bool | None
) -> None:
    assert GAD7 is not None
    result = classify_change(first, last, GAD7)
    assert (result.reliable_change, result.recovered) == (reliable, recovered)


def test_the_rule_sentence_quotes_the_numbers() -> None:
    assert PHQ9 is not None
    assert "6 or more points" in PHQ9.rule
    assert "10 or more is in the clinical range" in PHQ9.rule


def test_jacobson_truax_formula_by_hand() -> None:
    # SE = 10 * sqrt(1 - 0.9) = 3.1623; S_diff = sqrt(2) * SE = 4.4721; 1.96 * S_diff = 8.765
    assert standard_error_of_difference(10.0, 0.9) == pytest.approx(math.sqrt(20.0))
    assert reliable_change_index(30.0, 21.0, sd=10.0, reliability=0.9) == pytest.approx(
        -9.0 / math.sqrt(20.0)
    )
    criteria = ChangeCriteria.from_reliability(
        sd=10.0, reliability=0.9, cutoff=14.0, higher_is_better=False, source="test"
    )
    assert criteria.threshold == pytest.approx(8.7654, abs=1e-4)
    assert classify_change(30, 21.3, criteria).reliable_change == "unchanged"
    assert classify_change(30, 21.2, criteria).reliable_change == "improved"


def test_cutoffs_a_b_c_for_a_higher_is_worse_measure() -> None:
    # Clinical mean 30 (SD 8), functional mean 10 (SD 6):
    # a = 30 - 16 = 14, b = 10 + 12 = 22, c = (8*10 + 6*30) / 14 = 18.571
    cut = jt_cutoffs(Norm(30.0, 8.0), Norm(10.0, 6.0))
    assert (cut.a, cut.b) == (14.0, 22.0)
    assert cut.c == pytest.approx(260.0 / 14.0)


def test_cutoffs_for_a_higher_is_better_measure_mirror() -> None:
    # The marital-satisfaction direction: functional mean above the clinical mean.
    cut = jt_cutoffs(Norm(80.0, 10.0), Norm(115.0, 18.0))
    assert cut.a == 100.0
    assert cut.b == 79.0
    assert 80.0 < cut.c < 115.0
    with pytest.raises(ValueError, match="equal"):
        jt_cutoffs(Norm(10.0, 2.0), Norm(10.0, 3.0))


@given(
    clinical=st.floats(-50, 50),
    functional=st.floats(-50, 50),
    sd_c=st.floats(0.5, 20),
    sd_f=st.floats(0.5, 20),
)
def test_cutoff_c_lies_between_the_means(
    clinical: float, functional: float, sd_c: float, sd_f: float
) -> None:
    if abs(clinical - functional) < 1e-6:
        return
    cut = jt_cutoffs(Norm(clinical, sd_c), Norm(functional, sd_f))
    lo, hi = sorted((clinical, functional))
    assert lo - 1e-9 <= cut.c <= hi + 1e-9
    if sd_c == sd_f:
        assert cut.c == pytest.approx((clinical + functional) / 2)


criteria_strategy = st.builds(
    lambda points, inclusive, cutoff, better: ChangeCriteria(
        points, inclusive, cutoff, better, "property test"
    ),
    st.floats(0.5, 15),
    st.booleans(),
    st.one_of(st.none(), st.floats(0, 40)),
    st.booleans(),
)
scores = st.integers(0, 40).map(float) | st.floats(0, 40)


@given(criteria=criteria_strategy, first=scores, last=scores)
def test_scalar_and_vector_paths_agree(criteria: ChangeCriteria, first: float, last: float) -> None:
    one = classify_change(first, last, criteria)
    many = classify_changes(np.array([first]), np.array([last]), criteria)
    direction = {"improved": 1, "unchanged": 0, "deteriorated": -1}[one.reliable_change]
    assert many.direction[0] == direction
    assert many.has_cutoff == (criteria.cutoff is not None)
    if criteria.cutoff is not None:
        assert bool(many.case_at_first[0]) == one.case_at_first
        if one.case_at_first:
            assert bool(many.recovered[0]) == one.recovered
            assert bool(many.reliably_recovered[0]) == one.reliably_recovered


@given(criteria=criteria_strategy, first=scores, last=scores)
def test_swapping_first_and_last_swaps_the_direction(
    criteria: ChangeCriteria, first: float, last: float
) -> None:
    forward = classify_change(first, last, criteria).reliable_change
    backward = classify_change(last, first, criteria).reliable_change
    swap = {"improved": "deteriorated", "deteriorated": "improved", "unchanged": "unchanged"}
    assert backward == swap[forward]


@given(criteria=criteria_strategy, first=scores, last=scores)
def test_flipping_the_direction_of_the_scale_mirrors_the_verdict(
    criteria: ChangeCriteria, first: float, last: float
) -> None:
    mirrored = ChangeCriteria(
        criteria.threshold,
        criteria.inclusive,
        None if criteria.cutoff is None else -criteria.cutoff,
        not criteria.higher_is_better,
        criteria.rule,
    )
    a = classify_change(first, last, criteria)
    b = classify_change(-first, -last, mirrored)
    assert (a.reliable_change, a.recovered, a.reliably_recovered) == (
        b.reliable_change,
        b.recovered,
        b.reliably_recovered,
    )
