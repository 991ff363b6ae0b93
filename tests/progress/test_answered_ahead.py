"""An observation with no attendance (answered ahead of a session not yet recorded) is a score
and no session: it counts in no attendance and no gap, with one instrument or several."""

from __future__ import annotations

import dataclasses

from test_signals import run, sessions


def test_answers_given_ahead_are_scores_and_no_session() -> None:
    booked = sessions(["attended", "attended", "no_show", "attended", "cancelled"])
    ahead = dataclasses.replace(booked[-1], occasion=6, total=12.0, attendance=None)
    both = [*booked, ahead, dataclasses.replace(ahead, instrument="gad7", total=9.0)]
    for rows in ([*booked, ahead], both):
        result = run(rows)
        assert "withdrawal_risk" in result.flags  # still 2 missed of the last 4 booked
        assert result.attendance == {"attended": 3, "late": 0, "cancelled": 1, "no_show": 1}
        phq = next(m for m in result.measures if m.instrument == "phq9")
        assert (phq.n, phq.last_occasion) == (4, 6)  # the score counts
