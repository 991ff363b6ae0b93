"""Each signal at and around its threshold, and how signals make the status."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from unstuck.analysis.csvinput import OBSERVATION_COLUMNS
from unstuck.measures import builtin_instruments, score_only_instrument
from unstuck.progress.batch import summarise_caseload
from unstuck.progress.config import default_course_models, default_thresholds
from unstuck.progress.summary import Observation, summarise_client

INSTRUMENTS = builtin_instruments()
MODEL = default_course_models()["phq9"]
T = default_thresholds()
NO_SLOW_RESPONSE = dataclasses.replace(
    T, slow_response=dataclasses.replace(T.slow_response, from_session=1000)
)


def phq(*totals: float | None, start: int = 1, **extra: object) -> list[Observation]:
    return [
        Observation("phq9", start + i, t, **extra)  # type: ignore[arg-type]
        for i, t in enumerate(totals)
    ]


def feedback(*totals: float) -> list[Observation]:
    return [Observation("session_feedback", i + 1, t) for i, t in enumerate(totals)]


def run(observations: list[Observation], thresholds=T):  # type: ignore[no-untyped-def]
    """The per-client summary, after checking that the caseload path says the same."""
    single = summarise_client("C", observations, INSTRUMENTS, thresholds=thresholds)
    frame = pl.DataFrame(
        [{"row": i + 2, "client_id": "C", **vars(o)} for i, o in enumerate(observations)],
        schema=dict.fromkeys(OBSERVATION_COLUMNS),
        schema_overrides={"date": pl.Date, "total": pl.Float64, "markers": pl.Int64},
    )
    batch = summarise_caseload(frame, INSTRUMENTS, thresholds=thresholds).clients.row(0, named=True)
    assert (batch["status"], tuple(batch["flags"]), tuple(batch["explanations"])) == (
        single.status,
        single.flags,
        single.explanations,
    )
    return single


def test_a_clearly_improving_client_is_on_track_with_no_flags() -> None:
    result = run(phq(18, 15, 12, 10, 8, 7, 6) + feedback(34, 35, 36, 35, 36, 37, 37))
    assert (result.status, result.flags) == ("on_track", ())


def test_noise_within_the_reliable_change_band_raises_nothing() -> None:
    result = run(phq(12, 14, 11, 13))
    assert result.flags == ()
    assert result.status == "on_track"


def test_safety_comes_first_and_is_never_outranked() -> None:
    rows = phq(18, 22, 25, 27) + feedback(35, 20, 18, 15)
    rows[2] = Observation("phq9", 3, 25, safety_alert=True)
    result = run(rows)
    assert result.flags[0] == "safety"
    assert result.explanations[0].startswith(
        "Safety answer: PHQ-9 item 9 (a risk question) was answered"
    )
    assert "session 3" in result.explanations[0]
    assert result.status == "off_track"
    assert {"deterioration", "alliance_rupture"} <= set(result.flags)


def test_safety_alone_on_a_first_session_is_still_off_track() -> None:
    result = run([Observation("phq9", 1, 8, safety_alert=True)])
    assert (result.status, result.flags) == ("off_track", ("safety",))


@pytest.mark.parametrize(("last", "flagged"), [(16, True), (15, False)])
def test_deterioration_at_six_points(last: float, flagged: bool) -> None:
    result = run(phq(10, last))
    assert ("deterioration" in result.flags) is flagged
    if flagged:
        assert (
            "Getting worse: PHQ-9 went from 10 at session 1 to 16 at session 2 (+6 points)"
            in (result.explanations[0])
        )


def test_not_on_track_at_the_limit_of_the_expected_course() -> None:
    limit = MODEL.limit(18, 5, T.not_on_track.probability)
    above = float(int(limit) + 1)
    below = float(int(limit))
    assert below <= limit < above
    # Keep the change from first to last within the reliable band so only the course rule acts.
    flagged = run(phq(18, 17, 17, 17, above))
    assert "not_on_track" in flagged.flags
    assert f"is {int(above)} at session 5" in flagged.explanations[0]
    assert "97.5% of clients on the expected course score" in flagged.explanations[0]
    inside = run(phq(18, 17, 17, 17, below))
    assert "not_on_track" not in inside.flags


@pytest.mark.parametrize(("fourth", "drifting"), [(19, True), (18, False)])
def test_drifting_needs_two_scores_in_a_row_past_the_line(fourth: float, drifting: bool) -> None:
    """Past the 90% line at session 5 (inside the 97.5% one), and at session 4 too or not."""
    latest = 20.0
    assert MODEL.limit(18, 5, T.not_on_track.drifting_probability) < latest
    assert latest <= MODEL.limit(18, 5, T.not_on_track.probability)
    line_before = MODEL.limit(18, 4, T.not_on_track.drifting_probability)  # about 18.1
    assert (fourth > line_before) is drifting
    # (Slow response would flag this client at session 5: it is kept out, so the status
    # shows what the drift does alone.)
    result = run(phq(18, 17, 17, fourth, latest), NO_SLOW_RESPONSE)
    assert result.flags == ()
    assert result.status == ("at_risk" if drifting else "on_track")
    said = [e for e in result.explanations if e.startswith("Drifting")]
    assert bool(said) is drifting
    if drifting:
        assert f"and so was the one before ({int(fourth)} at session 4)" in said[0]


def fitted_change(scores: list[float]) -> float:
    """The change along the least-squares line through the scores (numpy's own fit)."""
    slope = np.polyfit(np.arange(len(scores)), np.asarray(scores, dtype=float), 1)[0]
    return float(slope * (len(scores) - 1))


@pytest.mark.parametrize(
    ("course", "words"),
    [
        ((14, 14, 15, 16, 16, 16), "the line through all the scores so far worsens by 2.4 points,"),
        (
            (17, 16, 16, 16, 14.5, 14),
            "the line through all the scores so far improves by 2.8 points,",
        ),
    ],
)
def test_the_plateau_sentence_says_which_way_the_line_moves(
    course: tuple[float, ...], words: str
) -> None:
    result = run(phq(*course))
    assert result.flags == ("plateau",)
    assert words in result.explanations[0]
    assert "where steady improvement would be 3 points or more." in result.explanations[0]


def test_plateau_needs_enough_sessions_and_flat_recent_scores() -> None:
    rule = T.plateau
    assert rule.min_sessions == 6  # most who will respond have changed by sessions 6-8
    flat = [14.0, 13, 15, 14, 13, 14]
    assert "plateau" in run(phq(*flat)).flags
    assert "plateau" not in run(phq(*flat[:-1])).flags  # one session too few
    # Recent scores spread by 6 points (a reliable difference) is movement, not a plateau.
    assert "plateau" not in run(phq(14, 13, 15, 14, 9, 15)).flags
    # Reliable improvement from the start is progress, even if it has levelled off.
    assert "plateau" not in run(phq(18, 12, 11, 12, 11, 12)).flags


def test_a_reliable_worsening_that_levels_off_is_deterioration_not_a_plateau() -> None:
    """12 -> 18 and level: it read 'Getting worse' and 'Progress has levelled off' together,
    and the glance led with the plateau's words for a client who was worse."""
    worse = run(phq(12, 14, 15, 18, 19, 18))
    assert worse.flags[0] == "deterioration"
    assert "plateau" not in worse.flags
    assert "plateau" in run(phq(14, 15, 15, 18, 19, 18)).flags  # +4: not a reliable change


def test_each_flag_names_the_measure_that_raised_it() -> None:
    observations = phq(15, 12, 10, 9, 8, 8) + [
        Observation("gad7", i + 1, t) for i, t in enumerate([12, 13, 12, 12, 12, 13])
    ]
    result = run(observations)
    assert result.flags == ("plateau",)
    assert result.flag_measures == {"plateau": ("gad7",)}


def test_plateau_is_stuck_while_still_unwell() -> None:
    """The issue's two courses: recovered (10 -> 5) is not a plateau, stuck at 17-18 is."""
    assert "plateau" not in run(phq(10, 8, 6, 5, 5, 5)).flags
    stuck = run(phq(18, 17, 18, 18, 17, 18))
    assert stuck.flags == ("plateau",)
    assert stuck.explanations[0] == (
        "Progress has levelled off: PHQ-9 has 6 scores without reliable improvement (18 at the "
        "start, 18 now), and the last 3 (18, 17, 18) are all in the clinical range, averaging "
        "17.7 (clearly past the cutoff of 10), and differ by at most 1 point, less than the 6 "
        "a reliable change needs; the line through all the scores so far is level, where "
        "steady improvement would be 3 points or more."
    )
    assert "a change of 0 points." in stuck.explanations[1]
    assert "a change of -1 point." in run(phq(18, 17)).explanations[-1]
    assert "a change of +1 point." in run(phq(17, 18)).explanations[-1]


@pytest.mark.parametrize(("last", "flagged"), [(10, True), (9, False)])
def test_plateau_stops_at_the_clinical_cutoff(last: float, flagged: bool) -> None:
    # PHQ-9 10 is a case (NHS Talking Therapies); 9 is out of the clinical range. The window
    # (14, 14, 10) averages 12.7, clearly past the cutoff, and the line (-1 point) is far from
    # steady improvement, so only the latest score's side of the cutoff decides.
    assert ("plateau" in run(phq(12, 13, 14, 14, 14, last)).flags) is flagged


@pytest.mark.parametrize(
    ("window", "flagged"),
    # The PHQ-9's window must average 10 + 6 / sqrt(6) = 12.45 or more: within measurement
    # error of the cutoff, the client may already be well.
    [((10, 10, 10), False), ((12, 12, 13), False), ((12, 13, 13), True), ((13, 13, 13), True)],
)
def test_plateau_needs_a_level_clearly_in_the_clinical_range(
    window: tuple[int, ...], flagged: bool
) -> None:
    result = run(phq(window[0], window[0], window[0], *window))
    assert ("plateau" in result.flags) is flagged
    if not flagged:  # stuck near the cutoff is still little improvement so far
        assert "slow_response" in result.flags


def test_plateau_needs_every_recent_score_in_the_clinical_range() -> None:
    # The latest is back at 14.5, but the window (9, 14.5, 14.5) holds a score out of range
    # (its mean, 12.67, is clearly past the cutoff, so only that score decides).
    assert "plateau" not in run(phq(15, 14.5, 14.5, 9, 14.5, 14.5)).flags
    assert "plateau" in run(phq(15, 14.5, 9, 14.5, 14.5, 14.5)).flags  # 9 before the window


@pytest.mark.parametrize(
    ("fifth", "flagged"),
    # The line through all six scores changes by -2.79 (short of the 3 of steady
    # improvement: half the PHQ-9's 6), exactly -3 (steady), -3.21 (steady).
    [(14.5, True), (14, False), (13.5, False)],
)
def test_plateau_is_not_a_steady_improvement(fifth: float, flagged: bool) -> None:
    scores = [17.0, 16, 16, 16, fifth, 14]
    assert fitted_change(scores) == pytest.approx(
        {14.5: -2.7857, 14: -3, 13.5: -3.2143}[fifth], abs=1e-4
    )
    assert ("plateau" in run(phq(*scores)).flags) is flagged


def test_plateau_counts_the_change_already_made() -> None:
    """An exponential course (most change early) levels off while still improving overall:
    the last five scores are flat, but the line through all of them falls 3.9 points."""
    scores = [19.0, 16, 15, 15, 14, 15, 14]
    assert fitted_change(scores[-5:]) > -3 > fitted_change(scores)
    assert "plateau" not in run(phq(*scores)).flags


@pytest.mark.parametrize(
    ("scores", "flagged"),
    [
        # reliable change: more than 3.51 points; steady improvement: a line of +1.755
        ([40.0, 41, 41, 41, 41, 41], True),  # flat, at or below the cutoff (45): stuck
        ([40.0, 40.5, 41, 41.5, 42, 42.5], False),  # rising steadily: +2.5
        ([40.0, 40.5, 40.5, 41, 41, 41.5], True),  # rising slowly: +1.36
        ([44.0, 43.5, 43, 42.5, 42, 41.5], True),  # falling: worsening is no steady improvement
        ([46.0, 47, 47, 47, 47, 47], False),  # above the cutoff: out of the clinical range
    ],
)
def test_plateau_on_a_higher_is_better_clinic_scale(scores: list[float], flagged: bool) -> None:
    wellbeing = score_only_instrument(
        "wellbeing", reliability=0.9, sd=4.0, cutoff=45, higher_is_better=True
    )
    rows = [Observation("wellbeing", i + 1, t) for i, t in enumerate(scores)]
    result = summarise_client("C", rows, {**INSTRUMENTS, "wellbeing": wellbeing}, models={})
    assert ("plateau" in result.flags) is flagged


def sessions(kinds: list[str], gap_days: list[int] | None = None) -> list[Observation]:
    day = date(2026, 1, 5)
    out = []
    for i, kind in enumerate(kinds):
        if gap_days and i:
            day += timedelta(days=gap_days[i - 1])
        total = 12.0 if kind in ("attended", "late") else None
        out.append(Observation("phq9", i + 1, total, attendance=kind, date=day))  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize(
    ("kinds", "flagged"),
    [
        (["attended", "attended", "no_show", "attended", "cancelled"], True),  # 2 missed of 4
        (["attended", "attended", "no_show", "attended", "attended"], False),  # 1 missed
        (["attended", "late", "no_show", "late", "attended"], True),  # 3 missed or late
        (["attended", "late", "attended", "late", "attended"], False),  # 2 late only
        (["no_show", "cancelled", "attended", "attended", "attended", "attended"], False),
    ],
)
def test_withdrawal_from_attendance(kinds: list[str], flagged: bool) -> None:
    assert ("withdrawal_risk" in run(sessions(kinds)).flags) is flagged


@pytest.mark.parametrize(
    ("totals", "flagged"),
    [
        # The line through 16, 12, 8 falls 8 points, past the 3 of steady improvement, and
        # 8 is out of the clinical range (below 10).
        ((16, 12, 8), False),
        # 18, 17, 16: the line falls exactly 2, short of steady improvement: the flag stays.
        ((18, 17, 16), True),
    ],
)
def test_sessions_missed_while_improving_are_a_note(
    totals: tuple[float, float, float], flagged: bool
) -> None:
    kinds = ["attended", "attended", "no_show", "cancelled", "attended"]
    scores = iter(totals)
    rows = [
        Observation("phq9", i + 1, next(scores) if k == "attended" else None, attendance=k)  # type: ignore[arg-type]
        for i, k in enumerate(kinds)
    ]
    result = run(rows)
    assert ("withdrawal_risk" in result.flags) is flagged
    note = [e for e in result.explanations if e.startswith("Sessions missed while improving")]
    assert bool(note) is not flagged
    if not flagged:
        assert result.status == "on_track"
        assert "2 were cancelled or missed" in note[0]
        assert "how and when to plan an ending" in note[0]
        # Signs of pulling back in the room keep the flag whatever the scores do.
        marked = [dataclasses.replace(o, markers=1) for o in rows]
        assert "withdrawal_risk" in run(marked).flags


def test_withdrawal_from_a_growing_gap() -> None:
    kinds = ["attended"] * 5
    assert "withdrawal_risk" in run(sessions(kinds, [7, 7, 7, 21])).flags
    assert "withdrawal_risk" not in run(sessions(kinds, [7, 7, 7, 20])).flags  # < 21 days
    assert "withdrawal_risk" not in run(sessions(kinds, [14, 14, 14, 21])).flags  # < 2x usual


def test_withdrawal_from_falling_feedback() -> None:
    base = phq(12, 11, 12)
    assert "withdrawal_risk" in run(base + feedback(36, 36, 32)).flags  # 4 below the mean
    assert "withdrawal_risk" not in run(base + feedback(36, 36, 33)).flags


@pytest.mark.parametrize(
    ("scores", "flagged"),
    [((36, 31), True), ((36, 32), False), ((31, 30), True), ((32, 31), False)],
)
def test_alliance_rupture_by_a_sharp_fall_or_a_low_score(
    scores: tuple[float, float], flagged: bool
) -> None:
    result = run(phq(12, 11) + feedback(*scores))
    assert ("alliance_rupture" in result.flags) is flagged
    if flagged:
        assert result.status == "at_risk"
        rupture = next(e for e in result.explanations if "working relationship" in e)
        assert "Worth asking the client openly" in rupture


def test_nothing_to_judge_is_insufficient_data() -> None:
    assert run(phq(14)).status == "insufficient_data"


@pytest.mark.parametrize(
    ("markers", "flagged"),
    [
        ([0, 1, 1, 1, 0], True),  # 3 in the last 4 sessions
        ([0, 0, 1, 1, 0], False),  # 2
        ([3, 0, 0, 0, 0], False),  # 3, but before the last 4 sessions
        ([0, 0, 0, 0, 3], True),  # 3 at the latest session
    ],
)
def test_withdrawal_from_resistance_markers(markers: list[int], flagged: bool) -> None:
    observations = [Observation("phq9", i + 1, 12.0, markers=m) for i, m in enumerate(markers)]
    result = run(observations)
    assert ("withdrawal_risk" in result.flags) is flagged
    if flagged:
        sentence = next(e for e in result.explanations if e.startswith("Signs of pulling away"))
        assert f"you noted {sum(markers[-4:])} signs of pulling back" in sentence
        assert "(rule: 3 or more)" in sentence


def test_the_expected_score_in_a_sentence_stays_on_the_scale() -> None:
    """The default course runs past 0 for a client who started at 1; 'about -1.4' is no
    GAD-7 score."""
    rows = [Observation("gad7", i + 1, 1) for i in range(19)] + [Observation("gad7", 20, 12)]
    result = summarise_client("C", rows, INSTRUMENTS)
    sentence = next(e for e in result.explanations if e.startswith("Not on the expected course"))
    assert "the expected score by now is about 0," in sentence


def test_a_missed_session_never_reads_as_a_safety_item_answered_0() -> None:
    """Sessions 2 and 3 were missed (no questionnaire): they say nothing about risk. Only
    session 4's questionnaire answered the item 0."""
    rows = [
        Observation("phq9", 1, 12, safety_alert=True),
        Observation("phq9", 2, None, attendance="no_show"),
        Observation("phq9", 3, None, attendance="cancelled"),
    ]
    missed_only = run(rows).explanations[0]
    assert "No later questionnaire has answered it 0." in missed_only
    answered = run([*rows, Observation("phq9", 4, 8)]).explanations[0]
    assert "Later questionnaires answered it 0 (session 4)." in answered


@pytest.mark.parametrize(
    ("scores", "starts", "says"),
    [
        ((15, 16, 18, 21, 23), "Not on the expected course", "PHQ-9 is 23 at session 4."),
        ((15, 15, 17, 16), "Drifting", "PHQ-9 is 16 at session 3. "),
        ((15, 15, 17, 16), "Drifting", "so was the one before (17 at session 2)."),
    ],
)
def test_course_sentences_name_the_sessions_as_the_data_does_from_an_intake_at_0(
    scores: tuple[float, ...], starts: str, says: str
) -> None:
    """With an intake at session 0 the latest of five scores is session 4 (the course itself
    still counts from the first score)."""
    result = run(phq(*scores, start=0))
    assert says in next(e for e in result.explanations if e.startswith(starts))


def test_a_clinic_scale_from_an_intake_at_0_names_its_last_session() -> None:
    bdi = score_only_instrument("BDI", reliability=0.9, sd=10, cutoff=14, higher_is_better=True)
    rows = [Observation("bdi", i, t) for i, t in enumerate((30, 28, 22, 12))]
    result = summarise_client("C", rows, {**INSTRUMENTS, "bdi": bdi})
    sentence = next(e for e in result.explanations if e.startswith("Not on the expected course"))
    assert sentence.startswith("Not on the expected course: BDI is 12 at session 3.")
