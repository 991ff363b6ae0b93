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


@pytest.mark.parametrize(
    ("later", "session", "noted"),
    [
        (13, 3, True),  # 13% of the way to 0 by session 3
        (12, 3, False),  # exactly 20%: enough
        (13, 2, True),  # from session 2
        (13, 4, True),  # to session 4
        (13, 5, False),  # the early window has passed
        (16, 2, True),  # worse: less than 20% too
    ],
)
def test_early_response_at_and_around_its_thresholds(
    later: float, session: int, noted: bool
) -> None:
    rows = [Observation("phq9", 1, 15), Observation("phq9", session, later)]
    result = summarise_client("C", rows, INSTRUMENTS)
    notes = [e for e in result.explanations if e.startswith("Little early improvement")]
    assert bool(notes) is noted
    assert "early_response" not in result.flags  # a note, never a flag


def test_early_response_is_a_note_that_leaves_the_status_alone() -> None:
    result = summarise_client("C", scores("phq9", 15, 14, 13), INSTRUMENTS)
    assert (result.status, result.flags) == ("on_track", ())
    assert result.explanations[0] == (
        "Little early improvement: PHQ-9 went from 15 at session 1 to 13 at session 3, 13% of "
        "the way towards 0, and is still in the clinical range. Clients whose scores move less "
        "than 20% of the way by session 4 less often improve later (Lutz et al., 2014; Szegedi et "
        "al., 2009): a note to review together how therapy is going, not a verdict."
    )


@pytest.mark.parametrize(
    ("later", "words"),
    [
        (16, "15 at session 1 to 16 at session 3, further from 0 than at the start, and"),
        (15, "15 at session 1 to 15 at session 3, no nearer to 0, and"),
        (14, "15 at session 1 to 14 at session 3, 7% of the way towards 0, and"),
    ],
)
def test_early_response_says_how_far_in_words_never_a_negative_share(
    later: float, words: str
) -> None:
    result = summarise_client("C", scores("phq9", 15, later, later), INSTRUMENTS)
    note = next(e for e in result.explanations if e.startswith("Little early improvement"))
    assert words in note
    assert not re.search(r"(^|\s)-\d", note)


def test_early_response_says_still_or_now_in_the_clinical_range_and_nothing_without_a_cutoff() -> (
    None
):
    def note(rows: list[Observation], installed: dict) -> str:  # type: ignore[type-arg]
        found = summarise_client("C", rows, installed).explanations
        return next(e for e in found if e.startswith("Little early improvement"))

    assert ", and is still in the clinical range." in note(scores("gad7", 12, 12), INSTRUMENTS)
    started_below = note(scores("gad7", 7, 14), INSTRUMENTS)  # GAD-7 cutoff 8
    assert ", and is now in the clinical range." in started_below
    assert "still" not in started_below
    no_cutoff = score_only_instrument(
        "nocut", reliability=0.9, sd=10.0, cutoff=None, higher_is_better=False
    )
    text = note(scores("nocut", 30, 29), {**INSTRUMENTS, "nocut": no_cutoff})
    assert "clinical range" not in text
    assert "towards 0. Clients whose" in text


def test_early_response_needs_the_clinical_range() -> None:
    # 11 -> 10 (9%) is still a case on the PHQ-9; 11 -> 9.5 (14%) is not.
    assert (
        summarise_client("C", scores("phq9", 11, 10), INSTRUMENTS)
        .explanations[0]
        .startswith("Little early improvement")
    )
    out = summarise_client("C", scores("phq9", 11, 9.5), INSTRUMENTS)
    assert not any(e.startswith("Little early improvement") for e in out.explanations)


def test_early_response_on_a_higher_is_better_scale_with_a_maximum() -> None:
    capped = dataclasses.replace(WELL, score_min=14.0, score_max=70.0)
    instruments = {**INSTRUMENTS, "well": capped}
    # 30 -> 37: 7 of the 40 points to 70 (17.5%); 30 -> 38: 20%.
    slow = summarise_client("C", scores("well", 30, 37), instruments)
    assert any(e.startswith("Little early improvement") for e in slow.explanations)
    enough = summarise_client("C", scores("well", 30, 38), instruments)
    assert not any(e.startswith("Little early improvement") for e in enough.explanations)
    # Without a maximum the way to the best end is unknown: no check.
    open_ended = summarise_client("C", scores("well", 30, 31), WITH_CLINIC)
    assert not any(e.startswith("Little early improvement") for e in open_ended.explanations)
