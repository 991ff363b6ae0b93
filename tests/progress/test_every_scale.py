"""Every scale gets an expected course (a default in SD units) and an early-response check."""

from __future__ import annotations

import dataclasses
import re

import pytest

from unstuck.measures import builtin_instruments, score_only_instrument
from unstuck.progress.config import any_scale_course, courses_for, default_course_models
from unstuck.progress.course import CourseModel
from unstuck.progress.summary import Observation, summarise_client

INSTRUMENTS = builtin_instruments()
# A clinic's own score-only scale, as `--instrument bdi --reliability 0.9 --sd 10 --cutoff 14`
BDI = score_only_instrument("bdi", reliability=0.9, sd=10.0, cutoff=14, higher_is_better=False)
WELL = score_only_instrument("well", reliability=0.9, sd=8.0, cutoff=40, higher_is_better=True)
WITH_CLINIC = {**INSTRUMENTS, "bdi": BDI, "well": WELL}


def scores(instrument: str, *totals: float, start: int = 1) -> list[Observation]:
    return [Observation(instrument, start + i, t) for i, t in enumerate(totals)]


def test_a_clinic_scale_gets_the_default_course_in_units_of_its_sd() -> None:
    default = any_scale_course()
    model = courses_for([BDI], {})["bdi"]
    assert model.slope == pytest.approx(default.slope * 10)  # worse is higher: slope falls
    assert (model.residual_sd, model.slope_sd) == pytest.approx(
        (default.residual_sd * 10, default.slope_sd * 10)
    )
    assert "Unstuck default for a scale without a fitted course" in model.source
    rising = courses_for([WELL], {})["well"]
    assert rising.slope == pytest.approx(-default.slope * 8)  # better is higher: slope rises


def test_a_fitted_or_shipped_course_wins_and_no_sd_means_no_default() -> None:
    fitted = dataclasses.replace(default_course_models()["phq9"], instrument="bdi", source="fit")
    assert courses_for([BDI], {"bdi": fitted})["bdi"] is fitted
    assert (
        courses_for([INSTRUMENTS["phq9"]], default_course_models())["phq9"]
        == (default_course_models()["phq9"])
    )
    # The PHQ-9's definition has a point rule and no SD: without its shipped course, none.
    assert "phq9" not in courses_for([INSTRUMENTS["phq9"]], {})


def test_not_on_track_works_from_a_clinic_scales_second_score() -> None:
    model: CourseModel = courses_for([BDI], {})["bdi"]
    limit = model.limit(30, 2, 0.975)  # about 38.6; reliable change needs more than 8.77
    above, below = limit + 0.05, limit - 0.05
    flagged = summarise_client("C", scores("bdi", 30, above), WITH_CLINIC)
    assert flagged.flags == ("not_on_track",)
    assert flagged.status == "off_track"
    assert (
        "(Expected course: Unstuck default for a scale without a fitted course"
        in (flagged.explanations[0])
    )
    inside = summarise_client("C", scores("bdi", 30, below), WITH_CLINIC)
    assert "not_on_track" not in inside.flags
    # Past the 90% line once: a drift is called only when the next score confirms it.
    assert inside.status == "on_track"
    third = model.limit(30, 3, 0.975) - 0.05
    confirmed = summarise_client("C", scores("bdi", 30, below, third), WITH_CLINIC)
    assert confirmed.status == "at_risk"  # past the 90% line twice in a row: drifting
    assert confirmed.explanations[0].startswith("Drifting towards the edge")


def test_a_fitted_course_replaces_the_default_for_the_clinic_scale() -> None:
    strict = CourseModel("bdi", 30.0, -9.0, 0.0, 1.0, 0.5, False, "fitted on this clinic")
    result = summarise_client("C", scores("bdi", 30, 30), WITH_CLINIC, models={"bdi": strict})
    assert "not_on_track" in result.flags
    assert "fitted on this clinic" in result.explanations[0]


NOTE = "Little early improvement"


def noted(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [e for e in result.explanations if e.startswith(NOTE)]


@pytest.mark.parametrize(
    ("later", "session", "said"),
    [
        (13, 3, True),  # 2 points better: under half a reliable change (3)
        (12, 3, False),  # exactly half: enough
        (13, 2, True),  # from session 2
        (13, 4, True),  # to session 4
        (13, 5, False),  # then the slow-response flag's
        (16, 2, True),  # worse: too
    ],
)
def test_early_response_at_and_around_its_thresholds(
    later: float, session: int, said: bool
) -> None:
    rows = [Observation("phq9", 1, 15), Observation("phq9", session, later)]
    result = summarise_client("C", rows, INSTRUMENTS)
    assert bool(noted(result)) is said
    assert "early_response" not in result.flags  # a note, never a flag
    assert ("slow_response" in result.flags) is (session >= 5)  # the same test, a flag then


def test_early_response_is_a_note_that_leaves_the_status_alone() -> None:
    result = summarise_client("C", scores("phq9", 15, 14, 13), INSTRUMENTS)
    assert (result.status, result.flags) == ("on_track", ())
    assert result.explanations[0] == (
        "Little early improvement: PHQ-9 was 15 at session 1 and is 13 at session 3; the last "
        "2 scores average 13.5, 1.5 points better than at the start, under half a reliable "
        "change (3 of 6 points), and still in the clinical range. Change in the first "
        "sessions foretells how "
        "therapy goes (Howard et al., 1986; Lutz et al., 2014; with antidepressants, Szegedi et "
        "al., 2009): a note to review together how therapy is going, not a verdict."
    )


@pytest.mark.parametrize(
    ("later", "words"),
    [
        (16, "is 16 at session 3; the last 2 scores average 16, 1 point worse than at the start"),
        (15, "is 15 at session 3; the last 2 scores average 15, no better than at the start"),
        (14, "the last 2 scores average 14, 1 point better than at the start, under half a"),
    ],
)
def test_early_response_says_how_far_in_words_never_a_negative_number(
    later: float, words: str
) -> None:
    note = noted(summarise_client("C", scores("phq9", 15, later, later), INSTRUMENTS))[0]
    assert words in note
    assert not re.search(r"(^|\s)-\d", note)


@pytest.mark.parametrize(
    ("course", "said"),
    [((24, 22, 21, 20), False), ((24, 23, 22, 22), True), ((15, 14, 13, 13), True)],
)
def test_the_concern_does_not_drop_between_the_note_and_the_flag(
    course: tuple[float, ...], said: bool
) -> None:
    """24, 22, 21, 20 had the note at session 4 (then "less than 20% of the way to 0") and,
    with one more 20 at session 5, neither note nor flag (half a reliable change was cleared).
    One test now: the same scores say the same at session 4 (a note) and 5 (a flag)."""
    four = summarise_client("C", scores("phq9", *course), INSTRUMENTS)
    five = summarise_client("C", scores("phq9", *course, course[-1]), INSTRUMENTS)
    assert bool(noted(four)) is said
    assert ("slow_response" in five.flags) is said


def test_early_response_says_still_in_the_clinical_range_and_nothing_without_a_cutoff() -> None:
    assert (
        ", and still in the clinical range."
        in noted(summarise_client("C", scores("gad7", 12, 12), INSTRUMENTS))[0]
    )
    no_cutoff = score_only_instrument(
        "nocut", reliability=0.9, sd=10.0, cutoff=None, higher_is_better=False
    )
    text = noted(
        summarise_client("C", scores("nocut", 30, 29), {**INSTRUMENTS, "nocut": no_cutoff})
    )[0]
    assert "clinical range" not in text
    assert "under half a reliable change (4.38 of 8.77 points). Change" in text


def test_early_response_needs_the_clinical_range() -> None:
    # 11 -> 10 is still a case on the PHQ-9; 11 -> 9.5 is not.
    assert noted(summarise_client("C", scores("phq9", 11, 10), INSTRUMENTS))
    assert not noted(summarise_client("C", scores("phq9", 11, 9.5), INSTRUMENTS))


def test_early_response_on_a_higher_is_better_scale_with_or_without_a_maximum() -> None:
    """Read in reliable change, not in the way to the best end, so a scale with no maximum
    is checked too (before, it was not). WELL: reliability 0.9, SD 8: a reliable change is
    7.01 points, half of it 3.51."""
    for installed in (
        WITH_CLINIC,
        {**WITH_CLINIC, "well": dataclasses.replace(WELL, score_max=70.0)},
    ):
        assert noted(summarise_client("C", scores("well", 30, 33), installed))
        assert not noted(summarise_client("C", scores("well", 30, 34), installed))
