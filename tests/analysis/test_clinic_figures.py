"""Team figures for a supervisor (unstuck.analysis.clinic) against a hand-counted team."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from unstuck.analysis.clinic import CASE_MIX, Course, team_figures, to_csv
from unstuck.progress.change import ChangeCriteria

PHQ9 = ChangeCriteria.from_points(6, cutoff=10, higher_is_better=False, source="NHS TT")

TEAM = [
    # therapist A: 6 clients
    Course("SYN-1", "A", 20, 8, None, False, 0),  # improved 12, recovered (case -> not)
    Course("SYN-2", "A", 15, 12, None, False, 1),  # change 3: unchanged, still a case
    Course("SYN-3", "A", 12, 4, "completed", False, 0),  # improved 8, recovered
    Course("SYN-4", "A", 9, 16, "dropped_out", True, 0),  # deteriorated 7, not a case first
    Course("SYN-5", "A", 18, 11, None, False, 2),  # improved 7, still a case: not recovered
    Course("SYN-6", "A", 14, 9, "dropped_out", False, 0),  # change 5: recovered, not reliably
    # therapist B: 2 clients, one without a second score
    Course("SYN-7", "B", 22, 10, None, True, 0),  # improved 12, still a case (10 is a case)
    Course("SYN-8", "B", 17, None, None, False, 0),
]


def test_the_team_and_each_therapist_match_the_hand_count() -> None:
    everyone, a, b = team_figures(TEAM, PHQ9)
    assert (everyone.group, a.group, b.group) == ("All", "A", "B")
    assert (everyone.clients, everyone.compared) == (8, 7)
    assert everyone.improved is not None
    assert (everyone.improved.k, everyone.improved.n) == (4, 7)  # 1, 3, 5, 7
    assert everyone.deteriorated is not None
    assert everyone.deteriorated.k == 1  # 4
    assert everyone.recovered is not None  # cases at first: 1, 2, 3, 5, 6, 7 (not 4)
    assert (everyone.recovered.k, everyone.recovered.n) == (3, 6)  # 1, 3, 6
    assert everyone.reliably_recovered is not None
    assert everyone.reliably_recovered.k == 2  # 1, 3 (6 changed only 5)
    assert (everyone.ended, everyone.ended_early) == (3, 2)
    assert (everyone.safety_open, everyone.plans_overdue) == (2, 3)
    assert a.improved is not None
    assert (a.improved.k, a.improved.n) == (3, 6)
    low, high = proportion_confint(3, 6, method="wilson")
    assert (a.improved.low, a.improved.high) == pytest.approx((low, high))
    assert b.improved is None  # one client compared: below five, withheld
    assert b.clients == 2
    assert b.safety_open == 1


def test_the_csv_holds_counts_and_withholds_small_shares() -> None:
    lines = to_csv(team_figures(TEAM, PHQ9)).splitlines()
    assert lines[0].startswith("group,clients,compared,improved,recovered,recovered_of")
    assert lines[1] == "All,8,7,4,3,6,2,1,3,2,2,3,0"
    assert lines[3] == "B,2,1,,,,,,0,0,1,0,0"


def test_the_case_mix_note_says_no_verdict() -> None:
    assert "no verdict" in CASE_MIX
