"""Little improvement so far (`slow_response`, yellow): each condition at and around its
threshold (thresholds.toml `[slow_response]`; half a reliable change is `[plateau]`
improving_share). Every case goes through `run`, which checks that the caseload path says
the same word for word."""

from __future__ import annotations

import pytest
from test_signals import INSTRUMENTS, T, run

from unstuck.measures import score_only_instrument
from unstuck.progress.summary import Observation, summarise_client

HALF = T.plateau.improving_share * 6  # PHQ-9: a reliable change is 6 points, half of it 3
FROM = T.slow_response.from_session


def phq_at(*pairs: tuple[int, float]) -> list[Observation]:
    return [Observation("phq9", session, total) for session, total in pairs]


def test_the_shipped_numbers_are_what_these_tests_assume() -> None:
    assert (FROM, T.slow_response.recent, HALF) == (5, 2, 3.0)


@pytest.mark.parametrize(("session", "fires"), [(FROM - 1, False), (FROM, True), (12, True)])
def test_from_the_fifth_session_of_the_course(session: int, fires: bool) -> None:
    result = run(phq_at((1, 16), (session, 15)))
    assert ("slow_response" in result.flags) is fires
    assert result.status == ("at_risk" if fires else "on_track")


def test_sessions_are_counted_from_the_first_score() -> None:
    """A course that starts at session 7 is at its fifth session at 11, not at 8."""
    assert "slow_response" not in run(phq_at((7, 16), (10, 15))).flags
    assert "slow_response" in run(phq_at((7, 16), (11, 15))).flags


@pytest.mark.parametrize(("latest", "fires"), [(13.5, True), (13, False), (12, False)])
def test_less_than_half_a_reliable_change_better(latest: float, fires: bool) -> None:
    """16 -> 13.5 is 2.5 points better (fires), 16 -> 13 exactly half a reliable change (no)."""
    result = run(phq_at((1, 16), (5, latest)))
    assert ("slow_response" in result.flags) is fires


def test_the_latest_two_scores_are_averaged() -> None:
    """16, then 10 and 14: the latest alone is 2 points better (it would fire), the mean of
    the last two (12) is 4 better, so it does not; 16, 12, 15: the mean 13.5 is 2.5 better."""
    quiet = run(phq_at((1, 16), (4, 10), (5, 14)))
    assert "slow_response" not in quiet.flags
    flagged = run(phq_at((1, 16), (4, 12), (5, 15)))
    assert flagged.flags == ("slow_response",)
    assert flagged.explanations[0] == (
        "Little improvement so far: PHQ-9 was 16 at session 1 and is 15 at session 5; the "
        "last 2 scores average 13.5, 2.5 points better than at the start, under half a "
        "reliable change (3 of 6 points), and still in the clinical range. Most clients who "
        "go on to improve have "
        "begun to by about session 5 (Howard et al., 1986; Lutz et al., 2014): worth "
        "reviewing together how therapy is going and what might help, not a verdict."
    )


@pytest.mark.parametrize(
    ("latest", "said"),
    [
        (16, "is 16 at session 6, no better than at the start, and still"),
        (17, "is 17 at session 6, 1 point worse than at the start, and still"),
        (15, "is 15 at session 6, 1 point better than at the start, under half a reliable"),
    ],
)
def test_the_sentence_says_how_far_the_scores_moved(latest: float, said: str) -> None:
    """It said "less than 3 points better" of a client no better, or worse, than at the start."""
    result = run(phq_at((1, 16), (6, latest)))
    assert result.flags == ("slow_response",)
    assert said in result.explanations[0]


def test_an_average_better_than_the_start_is_not_said_of_a_worse_latest_score() -> None:
    """21, then 17 and 24: the sentence read "is 24 at session 6 (the last 2 scores average
    20.5), 0.5 points better", as if 24 were better than 21; how far is the average's."""
    result = run(phq_at((1, 21), (5, 17), (6, 24)))
    assert "slow_response" in result.flags
    assert (
        "PHQ-9 was 21 at session 1 and is 24 at session 6; the last 2 scores average 20.5, "
        "0.5 points better than at the start, under half a reliable change"
    ) in " ".join(result.explanations)


@pytest.mark.parametrize(("latest", "fires"), [(10, True), (9, False)])
def test_only_while_still_in_the_clinical_range(latest: float, fires: bool) -> None:
    """11 -> 10 is still a case (PHQ-9 10 or more); 11 -> 9 has left the clinical range."""
    assert ("slow_response" in run(phq_at((1, 11), (6, latest))).flags) is fires


def test_a_reliable_worsening_is_the_deterioration_flags_alone() -> None:
    result = run(phq_at((1, 10), (6, 16)))
    assert "deterioration" in result.flags
    assert "slow_response" not in result.flags


def test_a_plateau_says_more_and_comes_alone() -> None:
    result = run(phq_at(*((s, 15.0) for s in range(1, 8))))
    assert "plateau" in result.flags
    assert "slow_response" not in result.flags


def test_a_steady_line_through_four_scores_or_more_keeps_it_quiet() -> None:
    """16, 10, 17, 10: the line through the four improves by 3.3 points (steady: half a
    reliable change or more), though the last two average only 2.5 better."""
    assert "slow_response" not in run(phq_at((1, 16), (3, 10), (4, 17), (5, 10))).flags


def test_with_three_scores_the_line_is_not_asked() -> None:
    """16, 17, 10: a line through three equally spaced scores is the first-to-latest change
    (6 points) whatever the middle one, so it would undo the averaging; the mean of the last
    two (13.5) is 2.5 better, and the flag is raised."""
    assert "slow_response" in run(phq_at((1, 16), (4, 17), (5, 10))).flags


def test_a_clinic_scale_without_a_cutoff_is_judged_on_its_change_alone() -> None:
    """A score-only scale with no cutoff cannot say whether the client is still unwell, so
    the flag reads the change alone and its sentence leaves the clinical range out. BDI-like
    scale: reliability 0.9, SD 10, so a reliable change is 1.96 * sqrt(2) * 10 * sqrt(0.1)
    = 8.77 points and half of it 4.38."""
    scale = score_only_instrument(
        "own", reliability=0.9, sd=10, cutoff=None, higher_is_better=False
    )
    observations = [Observation("own", 1, 30.0), Observation("own", 5, 26.0)]
    result = summarise_client("C", observations, {**INSTRUMENTS, "own": scale})
    assert result.flags == ("slow_response",)
    assert (
        "26 at session 5, 4 points better than at the start, under half a reliable change (4.38 "
        "of 8.77 points). Most"
    ) in result.explanations[0]
    observations[1] = Observation("own", 5, 25.5)  # 4.5 points better: half or more
    assert (
        "slow_response"
        not in summarise_client("C", observations, {**INSTRUMENTS, "own": scale}).flags
    )


def test_a_client_who_started_outside_the_clinical_range_is_now_in_it_not_still() -> None:
    """7 at session 1, 10 at sessions 4 and 5: the words said "still in the clinical range"
    of a client who started below the cutoff of 10."""
    result = run(phq_at((1, 7), (4, 10), (5, 10)))
    assert result.flags == ("slow_response",)
    words = result.explanations[0]
    assert "3 points worse than at the start, and now in the clinical range." in words
    assert "still in the clinical range" not in words
