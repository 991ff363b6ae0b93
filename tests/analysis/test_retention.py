"""The clinic's retention curve (Kaplan-Meier) against a hand count and against lifelines."""

from __future__ import annotations

import random

import pytest

from unstuck.analysis.retention import (
    Stay,
    kaplan_meier,
    median_stay,
    retained_at,
    summary,
    to_rows,
)

# Six episodes: ended early after 2, 3 and 5 sessions; censored (ongoing or ended otherwise)
# after 3, 5 and 8.
SMALL = [
    Stay(2, True),
    Stay(3, False),
    Stay(3, True),
    Stay(5, True),
    Stay(5, False),
    Stay(8, False),
]


def test_the_curve_matches_the_hand_count() -> None:
    steps = kaplan_meier(SMALL)
    assert [(s.sessions, s.at_risk, s.ended_early, s.censored) for s in steps] == [
        (2, 6, 1, 0),
        (3, 5, 1, 1),  # the episode censored at 3 is still at risk at 3
        (5, 3, 1, 1),
        (8, 1, 0, 1),
    ]
    # 5/6; then 5/6 * 4/5 = 4/6; then 4/6 * 2/3 = 8/18; censoring alone leaves it unchanged
    assert [s.retained for s in steps] == pytest.approx([5 / 6, 4 / 6, 8 / 18, 8 / 18])
    assert retained_at(steps, 1) == 1.0
    assert retained_at(steps, 4) == pytest.approx(4 / 6)
    assert median_stay(steps) == 5
    assert "Of 6 episodes, 3 ended early" in summary(steps)
    assert to_rows(steps)[1][:5] == ["2", "6", "1", "0", "0.8333"]


def test_without_any_early_ending_everyone_is_retained() -> None:
    steps = kaplan_meier([Stay(4, False), Stay(6, False)])
    assert [s.retained for s in steps] == [1.0, 1.0]
    assert median_stay(steps) is None
    assert summary(steps) == "Of 2 episodes, none has ended early without agreement so far."
    assert kaplan_meier([]) == []
    assert summary([]) == "No episodes yet."


def test_a_negative_session_count_is_refused() -> None:
    with pytest.raises(ValueError, match="-1 sessions"):
        kaplan_meier([Stay(-1, True)])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_curve_matches_lifelines(seed: int) -> None:
    lifelines = pytest.importorskip("lifelines")
    rng = random.Random(seed)
    stays = [Stay(rng.randint(0, 20), rng.random() < 0.4) for _ in range(60)]
    fitter = lifelines.KaplanMeierFitter().fit(
        [s.sessions for s in stays], event_observed=[s.ended_early for s in stays]
    )
    expected = fitter.survival_function_["KM_estimate"]
    interval = fitter.confidence_interval_survival_function_
    table = fitter.event_table
    for step in kaplan_meier(stays):
        assert step.retained == pytest.approx(expected.loc[step.sessions])
        assert (step.lower, step.upper) == pytest.approx(
            tuple(interval.loc[step.sessions]), abs=1e-9
        )
        assert step.at_risk == table.loc[step.sessions, "at_risk"]
        assert step.ended_early == table.loc[step.sessions, "observed"]
        assert step.censored == table.loc[step.sessions, "censored"]
    median = fitter.median_survival_time_
    assert median_stay(kaplan_meier(stays)) == (None if median == float("inf") else median)
