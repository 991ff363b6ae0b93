"""Change statistics: published conventions at their thresholds, formulas by hand, properties.

Published rules checked here
----------------------------
NHS Talking Therapies for anxiety and depression (formerly IAPT; NCCMH, NHS Talking Therapies
Manual): a fall of 6 or more points on the PHQ-9 and of 4 or more on the GAD-7 is reliable
improvement; a score of 10 or more on the PHQ-9 and 8 or more on the GAD-7 is a case;
"recovered" means a case at the start and below those cutoffs at the end. The rule is also
quoted from the manual at http://www.cbtwatch.com/tag/no-justification-for-nhs-talking-theapies/
("a reduction of 6 or more on the PHQ-9 and a reduction of 4 or more on the GAD-7 ... reduced to
below 10 on the PHQ-9 and below 8 on the GAD-7 they are deemed to have recovered"), and used in
Gyani, Shafran, Layard & Clark (2013), Behav Res Ther 51:597-606.

Jacobson & Truax (1991): the 30 couples of their Table 2 (Dyadic Adjustment Scale) are checked
participant by participant against the R package clinicalsignificance in test_change_peer.py.
The S_diff and cutoff c that Jacobson & Truax print in the article itself could not be
located in the sources available to us, so no test quotes them.

The instruments are built directly from `unstuck.measures.model`, independent of the
definition files and their loader.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from unstuck.errors import InvalidDefinition
from unstuck.measures.model import ChangeSpec, Instrument, Norm
from unstuck.progress import (
    RELIABLE_Z,
    ChangeCriteria,
    classify_change,
    classify_changes,
    criteria_for,
    jt_cutoffs,
    reliable_change_index,
    standard_error_of_difference,
)

MakeInstrument = Callable[..., Instrument]  # the `make_instrument` fixture in conftest.py

NHS_TT = "NHS Talking Therapies Manual (NCCMH)"
PHQ9_SPEC = ChangeSpec(reliable_change_points=6, caseness_cutoff=10, source=f"{NHS_TT}: ...")
GAD7_SPEC = ChangeSpec(reliable_change_points=4, caseness_cutoff=8, source=f"{NHS_TT}: ...")


@pytest.fixture
def phq9(make_instrument: MakeInstrument) -> ChangeCriteria:
    criteria = criteria_for(make_instrument(PHQ9_SPEC, instrument_id="phq9", score_max=27))
    assert criteria is not None
    return criteria


@pytest.fixture
def gad7(make_instrument: MakeInstrument) -> ChangeCriteria:
    criteria = criteria_for(make_instrument(GAD7_SPEC, instrument_id="gad7", score_max=21))
    assert criteria is not None
    return criteria


# --- NHS Talking Therapies, at and around the thresholds ------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "reliable", "recovered", "reliably_recovered", "category"),
    [
        # 6 points down and below 10: reliable improvement and (reliable) recovery.
        (15, 9, "improved", True, True, "recovered"),
        # 5 points is not reliable, and 10 is still a case.
        (15, 10, "unchanged", False, False, "unchanged"),
        # 6 points is reliable, but 10 is still a case: improvement without recovery.
        (16, 10, "improved", False, False, "improved"),
        # Below 10 at the end, but only 5 points: recovery without reliable improvement.
        (12, 7, "unchanged", True, False, "unchanged"),
        (10, 4, "improved", True, True, "recovered"),  # exactly at both thresholds
        (10, 9, "unchanged", True, False, "unchanged"),
        (10, 16, "deteriorated", False, False, "deteriorated"),  # 6 up: reliable
        (10, 15, "unchanged", False, False, "unchanged"),  # 5 up: not
        # Not a case at first: recovery does not apply.
        (9, 3, "improved", None, None, "improved"),
        (9, 15, "deteriorated", None, None, "harmed"),  # non-case to case, reliably worse
        (9, 14, "unchanged", None, None, "unchanged"),
        (4, 10, "deteriorated", None, None, "harmed"),
        (3, 9, "deteriorated", None, None, "deteriorated"),  # worse, but still not a case
    ],
)
def test_phq9_follows_nhs_talking_therapies(
    phq9: ChangeCriteria,
    first: int,
    last: int,
    reliable: str,
    recovered: bool | None,
    reliably_recovered: bool | None,
    category: str,
) -> None:
    result = classify_change(first, last, phq9)
    assert result.change == last - first
    assert result.reliable_change == reliable
    assert result.recovered is recovered
    assert result.reliably_recovered is reliably_recovered
    assert result.category == category
    assert result.case_at_first is (first >= 10)
    assert result.case_at_last is (last >= 10)


@pytest.mark.parametrize(
    ("first", "last", "reliable", "recovered"),
    [
        (12, 8, "improved", False),  # 4 points, but 8 is a case
        (12, 7, "improved", True),
        (11, 8, "unchanged", False),  # 3 points
        (11, 7, "improved", True),
        (8, 7, "unchanged", True),  # recovery without reliable improvement
        (8, 12, "deteriorated", False),
        (8, 11, "unchanged", False),
        (7, 3, "improved", None),
        (7, 11, "deteriorated", None),
    ],
)
def test_gad7_follows_nhs_talking_therapies(
    gad7: ChangeCriteria, first: int, last: int, reliable: str, recovered: bool | None
) -> None:
    result = classify_change(first, last, gad7)
    assert (result.reliable_change, result.recovered) == (reliable, recovered)


def test_a_point_rule_counts_exactly_the_threshold_despite_rounding(phq9: ChangeCriteria) -> None:
    # Prorated totals are not whole numbers; 10.3 - 4.3 is 6.000000000000001 and
    # 10.2 - 4.2 is 5.999999999999999 in binary floating point. Both are 6 points.
    assert 10.2 - 4.2 < 6 < 10.3 - 4.3
    assert classify_change(10.3, 4.3, phq9).reliable_change == "improved"
    assert classify_change(10.2, 4.2, phq9).reliable_change == "improved"
    assert classify_change(4.2, 10.2, phq9).reliable_change == "deteriorated"
    assert classify_change(10.2, 4.21, phq9).reliable_change == "unchanged"
    many = classify_changes(np.array([10.3, 10.2, 10.2]), np.array([4.3, 4.2, 4.21]), phq9)
    assert many.direction.tolist() == [1, 1, 0]


def test_the_rule_sentence_quotes_the_numbers(phq9: ChangeCriteria) -> None:
    assert phq9.rule == (
        f"a change of 6 or more points counts as reliable ({NHS_TT}); "
        "a score of 10 or more counts as a case"
    )
    jt = ChangeCriteria.from_reliability(
        sd=10.0, reliability=0.9, cutoff=94.84243, higher_is_better=True, source="test"
    )
    assert "more than 8.77 points" in jt.rule
    assert "reliability 0.9 and SD 10" in jt.rule
    assert jt.rule.endswith("a score of 94.84 or less counts as a case")


# --- Jacobson & Truax formulas, by hand -----------------------------------------------------


def test_jacobson_truax_formula_by_hand() -> None:
    """SD 10, r .90: SE = 10 * sqrt(.1) = 3.16228; S_diff = sqrt(2) * SE = 4.47214;
    1.96 * S_diff = 8.76539 points (strictly more counts)."""
    assert standard_error_of_difference(10.0, 0.9) == pytest.approx(4.47214, abs=1e-5)
    rci = reliable_change_index(30.0, 21.0, sd=10.0, reliability=0.9)
    assert isinstance(rci, float)
    assert rci == pytest.approx(-2.01246, abs=1e-5)  # -9 / 4.47214
    criteria = ChangeCriteria.from_reliability(
        sd=10.0, reliability=0.9, cutoff=None, higher_is_better=False, source="test"
    )
    assert criteria.threshold == pytest.approx(8.76539, abs=1e-5)
    assert classify_change(30, 21.24, criteria).reliable_change == "unchanged"  # 8.76 points
    assert classify_change(30, 21.23, criteria).reliable_change == "improved"  # 8.77 points
    assert classify_change(30, 38.77, criteria).reliable_change == "deteriorated"


def test_rci_works_on_arrays() -> None:
    rci = reliable_change_index(
        np.array([30.0, 30.0, 20.0]), np.array([21.0, 30.0, 29.0]), sd=10.0, reliability=0.9
    )
    assert isinstance(rci, np.ndarray)
    assert rci.dtype == np.float64
    np.testing.assert_allclose(rci, [-2.01246, 0.0, 2.01246], atol=1e-5)
    # A scalar against an array broadcasts.
    np.testing.assert_allclose(
        reliable_change_index(30.0, np.array([21.0, 39.0]), sd=10.0, reliability=0.9),
        [-2.01246, 2.01246],
        atol=1e-5,
    )


@pytest.mark.parametrize(("sd", "reliability"), [(0.0, 0.8), (-1.0, 0.8), (10.0, 1.0), (10, 0)])
def test_standard_error_rejects_impossible_inputs(sd: float, reliability: float) -> None:
    with pytest.raises(ValueError, match=r"sd|reliability"):
        standard_error_of_difference(sd, reliability)


def test_evans_margison_barkham_1998_inputs() -> None:
    """Evans, Margison & Barkham (1998, Evid Based Ment Health 1:70-72) illustrate reliable
    and clinically significant change with: pre-therapy mean 1.81 (SD 0.53), functional mean
    0.72 (SD 0.57), coefficient alpha 0.89 -- values as reproduced in the example of the R
    package clinsig ("example from Evans, Margison & Barkham, 1998"). The paper's own
    results were not available to us; the expected values below are computed by hand from
    those inputs:

        S_diff = 0.53 * sqrt(2) * sqrt(1 - 0.89) = 0.53 * sqrt(0.22) = 0.248592
        reliable change: more than 1.96 * 0.248592 = 0.487241 points
        c = (0.53 * 0.72 + 0.57 * 1.81) / (0.53 + 0.57) = 1.4133 / 1.10 = 1.284818
        a = 1.81 - 2 * 0.53 = 0.75;  b = 0.72 + 2 * 0.57 = 1.86
    """
    assert standard_error_of_difference(0.53, 0.89) == pytest.approx(0.248592, abs=1e-6)
    cut = jt_cutoffs(Norm(1.81, 0.53), Norm(0.72, 0.57))
    assert cut.c == pytest.approx(1.284818, abs=1e-6)
    assert cut.a == pytest.approx(0.75, abs=1e-12)
    assert cut.b == pytest.approx(1.86, abs=1e-12)
    criteria = ChangeCriteria.from_reliability(
        sd=0.53, reliability=0.89, cutoff=cut.c, higher_is_better=False, source="EMB 1998"
    )
    assert criteria.threshold == pytest.approx(0.487241, abs=1e-6)
    # 1.81 -> 1.32: 0.49 points down (reliable) but 1.32 is above c (still a case).
    assert classify_change(1.81, 1.32, criteria).category == "improved"
    # 1.70 -> 1.22: 0.48 points, not reliable, though it crosses c.
    result = classify_change(1.70, 1.22, criteria)
    assert (result.category, result.recovered, result.reliably_recovered) == (
        "unchanged",
        True,
        False,
    )
    assert classify_change(1.70, 1.20, criteria).category == "recovered"


def test_cutoffs_for_a_higher_is_worse_measure() -> None:
    # Clinical mean 30 (SD 8), functional mean 10 (SD 6):
    # a = 30 - 16 = 14, b = 10 + 12 = 22, c = (8 * 10 + 6 * 30) / 14 = 18.5714
    cut = jt_cutoffs(Norm(30.0, 8.0), Norm(10.0, 6.0))
    assert (cut.a, cut.b) == (14.0, 22.0)
    assert cut.c == pytest.approx(18.5714, abs=1e-4)


def test_cutoffs_for_a_higher_is_better_measure() -> None:
    # Clinical mean 80 (SD 10), functional mean 115 (SD 18):
    # a = 80 + 20 = 100, b = 115 - 36 = 79, c = (10 * 115 + 18 * 80) / 28 = 92.5
    cut = jt_cutoffs(Norm(80.0, 10.0), Norm(115.0, 18.0))
    assert (cut.a, cut.b) == (100.0, 79.0)
    assert cut.c == pytest.approx(92.5, abs=1e-12)


def test_cutoffs_need_two_different_means() -> None:
    with pytest.raises(ValueError, match="equal"):
        jt_cutoffs(Norm(10.0, 2.0), Norm(10.0, 3.0))
    with pytest.raises(ValueError, match="positive"):
        jt_cutoffs(Norm(10.0, 0.0), Norm(5.0, 3.0))


# --- caseness and criteria from an instrument definition ------------------------------------


def test_caseness_is_at_or_beyond_the_cutoff_on_the_clinical_side() -> None:
    worse = ChangeCriteria.from_points(6, cutoff=10, higher_is_better=False, source="s")
    better = ChangeCriteria.from_points(6, cutoff=10, higher_is_better=True, source="s")
    unknown = ChangeCriteria.from_points(6, cutoff=None, higher_is_better=False, source="s")
    assert [worse.is_case(s) for s in (9, 10, 11)] == [False, True, True]
    assert [better.is_case(s) for s in (9, 10, 11)] == [True, True, False]
    assert unknown.is_case(30) is None


def test_without_a_cutoff_recovery_is_unknown() -> None:
    criteria = ChangeCriteria.from_points(6, cutoff=None, higher_is_better=False, source="s")
    result = classify_change(20, 2, criteria)
    assert result.reliable_change == "improved"
    assert result.category == "improved"
    assert (result.case_at_first, result.case_at_last) == (None, None)
    assert (result.recovered, result.reliably_recovered) == (None, None)
    many = classify_changes(np.array([20.0]), np.array([2.0]), criteria)
    assert many.has_cutoff is False
    assert many.direction.tolist() == [1]


def test_criteria_from_points_take_precedence(make_instrument: MakeInstrument) -> None:
    spec = ChangeSpec(reliable_change_points=5, reliability=0.9, sd=10, caseness_cutoff=20)
    criteria = criteria_for(make_instrument(spec))
    assert criteria is not None
    assert (criteria.threshold, criteria.inclusive, criteria.cutoff) == (5, True, 20)


def test_criteria_from_reliability_and_norms(make_instrument: MakeInstrument) -> None:
    # Higher is better; clinical 80 (SD 10), functional 115 (SD 18): c = 92.5 (see above).
    spec = ChangeSpec(
        reliability=0.9,
        sd=10.0,
        clinical_norm=Norm(80.0, 10.0),
        functional_norm=Norm(115.0, 18.0),
        source="Test norms (2020): details",
    )
    criteria = criteria_for(make_instrument(spec, higher_is_better=True))
    assert criteria is not None
    assert criteria.inclusive is False
    assert criteria.threshold == pytest.approx(8.76539, abs=1e-5)
    assert criteria.cutoff == pytest.approx(92.5)
    assert criteria.higher_is_better is True
    assert "Test norms (2020)" in criteria.rule
    assert "details" not in criteria.rule
    assert classify_change(80, 95, criteria).category == "recovered"
    assert classify_change(95, 80, criteria).category == "harmed"


def test_a_caseness_cutoff_beats_the_norms(make_instrument: MakeInstrument) -> None:
    spec = ChangeSpec(
        reliability=0.9,
        sd=10.0,
        caseness_cutoff=90.0,
        clinical_norm=Norm(80.0, 10.0),
        functional_norm=Norm(115.0, 18.0),
    )
    criteria = criteria_for(make_instrument(spec, higher_is_better=True))
    assert criteria is not None
    assert criteria.cutoff == 90.0


def test_no_reliable_change_information_gives_no_criteria(make_instrument: MakeInstrument) -> None:
    assert criteria_for(make_instrument(ChangeSpec())) is None
    assert criteria_for(make_instrument(ChangeSpec(caseness_cutoff=10))) is None
    assert criteria_for(make_instrument(ChangeSpec(reliability=0.9))) is None  # no SD
    assert criteria_for(make_instrument(ChangeSpec(sd=10.0))) is None  # no reliability


def test_norms_on_the_wrong_side_are_an_invalid_definition(
    make_instrument: MakeInstrument,
) -> None:
    # Functional mean above the clinical one, yet the instrument says higher is worse.
    spec = ChangeSpec(
        reliability=0.9, sd=10.0, clinical_norm=Norm(80, 10), functional_norm=Norm(115, 18)
    )
    with pytest.raises(InvalidDefinition, match="functional norm"):
        criteria_for(make_instrument(spec, higher_is_better=False))


def test_criteria_reject_a_threshold_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="threshold"):
        ChangeCriteria.from_points(0, cutoff=None, higher_is_better=False, source="s")
    with pytest.raises(ValueError, match="threshold"):
        ChangeCriteria(float("nan"), True, None, False, "r")


def test_a_missing_score_cannot_be_judged(phq9: ChangeCriteria) -> None:
    with pytest.raises(ValueError, match="finite"):
        classify_change(12.0, float("nan"), phq9)


# --- properties -----------------------------------------------------------------------------

point_criteria = st.builds(
    lambda points, inclusive, cutoff, better: ChangeCriteria(
        points, inclusive, cutoff, better, "property test"
    ),
    st.one_of(st.integers(1, 12).map(float), st.floats(0.5, 15)),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 40).map(float), st.floats(0, 40)),
    st.booleans(),
)
jt_criteria = st.builds(
    lambda sd, r, cutoff, better: ChangeCriteria.from_reliability(
        sd=sd, reliability=r, cutoff=cutoff, higher_is_better=better, source="property test"
    ),
    st.floats(0.5, 20),
    st.floats(0.5, 0.99),
    st.one_of(st.none(), st.floats(0, 40)),
    st.booleans(),
)
criteria_strategy = point_criteria | jt_criteria
scores = st.integers(0, 40).map(float) | st.floats(0, 40)


@st.composite
def boundary_pairs(draw: st.DrawFn) -> tuple[ChangeCriteria, float, float]:
    """A first score and a last one exactly (or nearly) one threshold away, either way."""
    criteria = draw(criteria_strategy)
    first = draw(scores)
    nudge = draw(st.sampled_from([0.0, 1e-12, -1e-12, 1e-6, -1e-6]))
    sign = draw(st.sampled_from([1.0, -1.0]))
    return criteria, first, first + sign * (criteria.threshold + nudge)


def _same(one_criteria: ChangeCriteria, first: float, last: float) -> None:
    one = classify_change(first, last, one_criteria)
    many = classify_changes(np.array([first, first]), np.array([last, last]), one_criteria)
    direction = {"improved": 1, "unchanged": 0, "deteriorated": -1}[one.reliable_change]
    assert many.direction.tolist() == [direction, direction]
    assert many.change[0] == one.change
    assert many.has_cutoff == (one_criteria.cutoff is not None)
    if one_criteria.cutoff is not None:
        assert bool(many.case_at_first[0]) is one.case_at_first
        assert bool(many.case_at_last[0]) is one.case_at_last
        if one.case_at_first:
            assert bool(many.recovered[0]) is one.recovered
            assert bool(many.reliably_recovered[0]) is one.reliably_recovered
        else:
            assert one.recovered is None


@given(criteria=criteria_strategy, first=scores, last=scores)
@example(
    criteria=ChangeCriteria.from_points(6, cutoff=10, higher_is_better=False, source="s"),
    first=15.0,
    last=9.0,
)
def test_scalar_and_vector_paths_agree(criteria: ChangeCriteria, first: float, last: float) -> None:
    _same(criteria, first, last)


@given(case=boundary_pairs())
def test_scalar_and_vector_paths_agree_at_the_threshold(
    case: tuple[ChangeCriteria, float, float],
) -> None:
    _same(*case)


@given(criteria=criteria_strategy, first=scores, last=scores)
def test_swapping_first_and_last_swaps_the_direction(
    criteria: ChangeCriteria, first: float, last: float
) -> None:
    forward = classify_change(first, last, criteria)
    backward = classify_change(last, first, criteria)
    swap = {"improved": "deteriorated", "deteriorated": "improved", "unchanged": "unchanged"}
    assert backward.reliable_change == swap[forward.reliable_change]
    category_swap = {**swap, "recovered": "harmed", "harmed": "recovered"}
    assert backward.category == category_swap[forward.category]


@given(case=boundary_pairs())
def test_swapping_holds_at_the_threshold(case: tuple[ChangeCriteria, float, float]) -> None:
    criteria, first, last = case
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
    assert (a.reliable_change, a.case_at_first, a.case_at_last, a.recovered, a.category) == (
        b.reliable_change,
        b.case_at_first,
        b.case_at_last,
        b.recovered,
        b.category,
    )


@given(criteria=criteria_strategy, first=scores, last=scores)
def test_reliable_improvement_means_a_change_in_the_better_direction(
    criteria: ChangeCriteria, first: float, last: float
) -> None:
    result = classify_change(first, last, criteria)
    better = (last - first) if criteria.higher_is_better else (first - last)
    if result.reliable_change == "improved":
        assert better >= criteria.threshold - 1e-9
    elif result.reliable_change == "deteriorated":
        assert -better >= criteria.threshold - 1e-9
    else:
        assert abs(better) <= criteria.threshold + 1e-9
    if result.category == "recovered":
        assert result.reliably_recovered is True
    if result.reliably_recovered:
        assert result.reliable_change == "improved"
        assert result.recovered is True


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
    # a moves from the clinical mean towards the functional one, b the other way.
    toward = math.copysign(1.0, functional - clinical)
    assert (cut.a - clinical) * toward > 0
    assert (functional - cut.b) * toward > 0
    # The wider population pulls c away from its own mean.
    if sd_c > sd_f:
        assert abs(cut.c - functional) <= abs(cut.c - clinical) + 1e-9


@given(
    clinical=st.floats(-50, 50),
    sd_c=st.floats(0.5, 10),
    sd_f=st.floats(0.5, 10),
    spread=st.floats(1.0, 5.0),
    towards=st.sampled_from([1.0, -1.0]),
)
def test_a_c_b_are_ordered_between_well_separated_means(
    clinical: float, sd_c: float, sd_f: float, spread: float, towards: float
) -> None:
    """When the means are at least 2 * (sd_clin + sd_func) apart, a, c and b lie in that
    order from the clinical mean to the functional one."""
    functional = clinical + towards * spread * 2 * (sd_c + sd_f)
    cut = jt_cutoffs(Norm(clinical, sd_c), Norm(functional, sd_f))
    ordered = [clinical, cut.a, cut.c, cut.b, functional]
    tolerance = 1e-9 * (1 + abs(clinical) + abs(functional))
    steps = np.diff(ordered) * towards
    assert (steps >= -tolerance).all(), ordered


@given(clinical=st.floats(-50, 50), functional=st.floats(-50, 50), sd=st.floats(0.5, 20))
def test_c_is_the_midpoint_when_the_sds_are_equal(
    clinical: float, functional: float, sd: float
) -> None:
    if clinical == functional:
        return
    cut = jt_cutoffs(Norm(clinical, sd), Norm(functional, sd))
    assert cut.c == pytest.approx((clinical + functional) / 2, abs=1e-9)


def test_the_strict_rule_agrees_with_the_rci_rule() -> None:
    """Away from exact ties, "more than 1.96 * S_diff points" is R's
    ``rci <- change / s_diff; improved <- direction * rci > 1.96``."""
    criteria = ChangeCriteria.from_reliability(
        sd=8.0, reliability=0.8, cutoff=None, higher_is_better=False, source="s"
    )
    s_diff = standard_error_of_difference(8.0, 0.8)  # 5.0596; threshold 9.917 points
    changes = np.array([-10.0, -9.9, 9.9, 10.0])
    rci = changes / s_diff
    expected = np.where(rci < -RELIABLE_Z, 1, np.where(rci > RELIABLE_Z, -1, 0))
    many = classify_changes(np.full(4, 20.0), 20.0 + changes, criteria)
    assert many.direction.tolist() == expected.tolist() == [1, 0, 0, -1]


def test_a_change_of_exactly_the_strict_threshold_is_not_reliable() -> None:
    """SD 5 and reliability 0.5 give S_diff = sqrt(2 * 12.5) = 5 exactly and a threshold of
    9.8 points. A change of exactly 9.8 is not *more than* 9.8, although 9.8 / 5 rounds to
    1.9600000000000002 in floating point (where R's clinicalsignificance would call it
    reliable); 9.81 is."""
    criteria = ChangeCriteria.from_reliability(
        sd=5.0, reliability=0.5, cutoff=None, higher_is_better=False, source="s"
    )
    assert criteria.threshold == pytest.approx(9.8, abs=1e-12)
    assert 9.8 / standard_error_of_difference(5.0, 0.5) > RELIABLE_Z  # the rounding trap
    assert classify_change(9.8, 0.0, criteria).reliable_change == "unchanged"
    assert classify_change(0.0, 9.8, criteria).reliable_change == "unchanged"
    assert classify_change(9.81, 0.0, criteria).reliable_change == "improved"
    many = classify_changes(np.array([9.8, 0.0, 9.81]), np.array([0.0, 9.8, 0.0]), criteria)
    assert many.direction.tolist() == [0, 0, 1]
    # The same size under an inclusive rule counts.
    points = ChangeCriteria.from_points(9.8, cutoff=None, higher_is_better=False, source="s")
    assert classify_change(9.8, 0.0, points).reliable_change == "improved"
