"""What helps whom (unstuck.impasse.outcomes) against a small clinic computed by hand."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from unstuck.errors import InvalidValue
from unstuck.impasse.outcomes import (
    CAVEAT,
    OutcomeRules,
    Trial,
    best_hint,
    default_outcome_rules,
    hint,
    what_helps_whom,
    wilson,
)

# Eight plans with "revisit_goals" over seven clients (SYN-006 twice), one "open_dialogue".
CLINIC = [
    Trial("SYN-001", "revisit_goals", {"goals_misfit": 3, "overwhelm": 1}, "helped", True),
    Trial("SYN-002", "revisit_goals", {"goals_misfit": 2}, "helped", True),
    Trial("SYN-003", "revisit_goals", {"goals_misfit": 2, "overwhelm": 2}, "partly", False),
    Trial("SYN-004", "revisit_goals", {"overwhelm": 3}, "did_not_help", False),
    Trial("SYN-005", "revisit_goals", {"goals_misfit": 1}, "helped", None),
    Trial("SYN-006", "revisit_goals", {"goals_misfit": 3, "overwhelm": 0}, "helped", True),
    Trial("SYN-006", "revisit_goals", {"goals_misfit": 2}, "not_tried", True),
    Trial("SYN-007", "revisit_goals", {"overwhelm": 1}, None, None),
    Trial("SYN-001", "open_dialogue", {"goals_misfit": 3}, "did_not_help", None),
]


def test_the_tallies_match_the_hand_count() -> None:
    t = what_helps_whom(CLINIC)
    overall = t[("revisit_goals", None)]
    # chosen 8; clients 001-007; tried = helped 4 (001, 002, 005, 006) + partly 1 + not 1
    assert (overall.chosen, overall.clients, overall.tried) == (8, 7, 6)
    assert (overall.helped, overall.partly, overall.did_not_help) == (4, 1, 1)
    assert overall.helped_share is not None
    assert (overall.helped_share.k, overall.helped_share.n) == (4, 6)
    assert overall.back_on_track is not None  # known: 001 T, 002 T, 003 F, 004 F, 006 T, 006 T
    assert (overall.back_on_track.k, overall.back_on_track.n) == (4, 6)

    goals = t[("revisit_goals", "goals_misfit")]  # 001, 002, 003, 005, 006, 006
    assert (goals.chosen, goals.clients, goals.tried, goals.helped) == (6, 5, 5, 4)
    assert goals.helped_share is not None
    assert goals.helped_share.n == 5
    assert goals.back_on_track is not None
    assert (goals.back_on_track.k, goals.back_on_track.n) == (4, 5)

    overwhelm = t[("revisit_goals", "overwhelm")]  # 001, 003, 004, 007 (006 rated it 0)
    assert (overwhelm.chosen, overwhelm.tried) == (4, 3)
    assert overwhelm.helped_share is None  # 3 tried: below the minimum of 5
    assert overwhelm.back_on_track is None  # 3 known
    assert t[("open_dialogue", None)].helped_share is None
    assert ("open_dialogue", "overwhelm") not in t


def test_the_shares_carry_wilson_intervals() -> None:
    share = what_helps_whom(CLINIC)[("revisit_goals", None)].helped_share
    assert share is not None
    low, high = proportion_confint(4, 6, alpha=0.05, method="wilson")
    assert share.low == pytest.approx(low)
    assert share.high == pytest.approx(high)
    assert share.sentence() == "4 of 6 (67%; 95% interval 30% to 90%)"


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    # Newcombe (1998), Stat Med 17:857-872, Table I, method 3 (Wilson score)
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_the_published_values(k: int, n: int, low: float, high: float) -> None:
    got = wilson(k, n)
    assert got == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (3, 7), (5, 5), (12, 40), (199, 200)])
def test_wilson_agrees_with_statsmodels(k: int, n: int) -> None:
    for confidence in (0.9, 0.95, 0.99):
        expected = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
        assert wilson(k, n, confidence) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("k", "n"), [(1, 0), (-1, 3), (4, 3)])
def test_wilson_refuses_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(InvalidValue, match="0 <= k <= n"):
        wilson(k, n)


def test_the_minimum_count_decides_what_is_shown() -> None:
    rules = default_outcome_rules()
    assert rules.min_n == 5
    loose = OutcomeRules(min_n=3, confidence=0.95, follow_up_sessions=4, min_rating=1)
    overwhelm = what_helps_whom(CLINIC, loose)[("revisit_goals", "overwhelm")]
    assert overwhelm.helped_share is not None
    assert overwhelm.helped_share.n == 3
    strict = OutcomeRules(min_n=5, confidence=0.95, follow_up_sessions=4, min_rating=2)
    goals = what_helps_whom(CLINIC, strict)[("revisit_goals", "goals_misfit")]
    assert goals.chosen == 5  # SYN-005 rated it 1: not counted at min_rating 2
    assert goals.helped_share is None  # 4 tried


def test_the_hint_beside_a_suggestion() -> None:
    t = what_helps_whom(CLINIC)
    assert hint(t[("revisit_goals", "goals_misfit")]) == (
        "In this clinic, tried 5 times for this reason: helped in 4, partly in 1. "
        "Back on track 4 sessions after the plan began: 4 of 5."
    )
    assert hint(t[("revisit_goals", "overwhelm")]) is None
    # The highest-rated reason with enough records speaks; overwhelm has too few.
    ratings = {"overwhelm": 3, "goals_misfit": 1}
    assert best_hint(t, "revisit_goals", ratings) == hint(t[("revisit_goals", "goals_misfit")])
    assert best_hint(t, "revisit_goals", {"overwhelm": 3}) is None
    assert best_hint(t, "open_dialogue", {"goals_misfit": 3}) is None
    assert best_hint(t, "trust_rapport", {"goals_misfit": 3}) is None


def test_an_unknown_result_is_refused() -> None:
    with pytest.raises(InvalidValue, match="'worked': is not one of helped, partly"):
        what_helps_whom([Trial("SYN-1", "x", {}, "worked")])


def test_the_caveat_says_association_not_proof() -> None:
    assert "not what caused what" in CAVEAT
