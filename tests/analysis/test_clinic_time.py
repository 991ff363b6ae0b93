"""Team figures over time, completion of measures and the retention data, by hand count."""

from __future__ import annotations

import datetime as dt

from unstuck.analysis.clinic import Course, team_figures, to_csv
from unstuck.analysis.clinic_time import (
    completion,
    completion_csv,
    month,
    month_label,
    over_time,
    periods_csv,
    stays,
)
from unstuck.analysis.retention import Stay
from unstuck.progress.change import ChangeCriteria

PHQ9 = ChangeCriteria.from_points(6, cutoff=10, higher_is_better=False, source="NHS TT")
D = dt.date


def _course(code: str, therapist: str, scores: list[tuple[dt.date, float]], **kw: object) -> Course:
    return Course(
        code,
        therapist,
        scores[0][1] if len(scores) > 1 else None,
        scores[-1][1] if len(scores) > 1 else None,
        kw.pop("ended", None),  # type: ignore[arg-type]
        False,
        0,
        sessions=tuple(d for d, _ in scores),
        scores=tuple(scores),
        **kw,  # type: ignore[arg-type]
    )


TEAM = [
    # 20 -> 12 by the end of Q1 (improved 8, still a case), -> 6 in Q2 (recovered)
    _course(
        "SYN-1",
        "A",
        [(D(2026, 1, 10), 20), (D(2026, 2, 10), 12), (D(2026, 4, 10), 6)],
        completed=(("phq9", 3), ("gad7", 2)),
        alerts_open=2,
    ),
    # 8 -> 16 (deteriorated, not a case at first), ended early in March
    _course(
        "SYN-2",
        "B",
        [(D(2026, 2, 1), 8), (D(2026, 3, 1), 16)],
        ended="dropped_out",
        ended_on=D(2026, 3, 15),
        completed=(("phq9", 2),),
    ),
    # one score only, ended as planned in June
    _course(
        "SYN-3",
        "A",
        [(D(2026, 5, 1), 14)],
        ended="completed",
        ended_on=D(2026, 6, 1),
        completed=(("phq9", 1), ("gad7", 1)),
    ),
]


def test_quarters_match_the_hand_count() -> None:
    q1, q2 = over_time(TEAM, PHQ9)
    assert q1.label == "2026 Q1"
    assert (q1.seen, q1.compared, q1.improved, q1.recovered, q1.recovered_of) == (2, 2, 1, 0, 1)
    assert (q1.deteriorated, q1.ended, q1.ended_early) == (1, 1, 1)
    assert q2.label == "2026 Q2"
    assert (q2.seen, q2.compared, q2.improved, q2.recovered, q2.recovered_of) == (2, 1, 1, 1, 1)
    assert (q2.deteriorated, q2.ended, q2.ended_early) == (0, 1, 0)
    lines = periods_csv([q1, q2]).splitlines()
    assert lines[0].startswith("period,seen,compared,improved")
    assert lines[1] == "2026 Q1,2,2,1,0,1,1,1,1"


def test_months_count_only_the_scores_up_to_each_months_end() -> None:
    rows = {p.label: p for p in over_time(TEAM, PHQ9, key=month, label=month_label)}
    assert list(rows) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert (rows["2026-01"].seen, rows["2026-01"].compared) == (1, 0)  # one score so far
    assert (rows["2026-02"].seen, rows["2026-02"].compared, rows["2026-02"].improved) == (2, 1, 1)
    assert (rows["2026-03"].deteriorated, rows["2026-03"].ended_early) == (1, 1)
    assert (rows["2026-06"].seen, rows["2026-06"].ended) == (0, 1)  # an ending, no session


def test_completion_is_a_share_of_attended_sessions() -> None:
    rows = {(r.group, r.instrument): r for r in completion(TEAM, ["phq9", "gad7"])}
    assert (rows["All", "phq9"].completed, rows["All", "phq9"].attended) == (6, 6)
    assert rows["All", "gad7"].sentence == "3 of 6 (50%)"
    assert (rows["A", "gad7"].completed, rows["A", "gad7"].attended) == (3, 4)
    assert rows["B", "gad7"].sentence == "0 of 2 (0%)"
    assert completion([], ["phq9"])[0].sentence == "no attended sessions"
    assert completion_csv([rows["All", "gad7"]]).splitlines()[1] == "All,gad7,6,3"


def test_retention_data_and_open_alerts() -> None:
    assert stays(TEAM) == [Stay(3, False), Stay(2, True), Stay(1, False)]
    everyone, a, b = team_figures(TEAM, PHQ9)
    assert (everyone.alerts_open, a.alerts_open, b.alerts_open) == (2, 2, 0)
    assert to_csv([everyone]).splitlines()[1].endswith(",2")


def test_a_share_of_completed_questionnaires_is_rounded_down() -> None:
    """494 of 496 is 99.6%: '100%' would hide the two sessions without the questionnaire."""
    from unstuck.analysis.clinic_time import Completion

    assert Completion("All", "phq9", 496, 494).sentence == "494 of 496 (99%)"
    assert Completion("All", "phq9", 20, 20).sentence == "20 of 20 (100%)"
    assert Completion("All", "phq9", 3, 1).sentence == "1 of 3 (33%)"
