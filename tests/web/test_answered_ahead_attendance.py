"""Questionnaires a client answers ahead of a session (from home or the kiosk) count as
scores, but the session they start is not a session attended, nor missed, until the
therapist records it: answering at home must not clear "Signs of pulling away"."""

from __future__ import annotations

import datetime as dt

from unstuck.web.records import selectors, services
from unstuck.web.records.snapshots import summarise
from unstuck.web.reviews.selectors import evidence

FLAT_12 = [2, 2, 1, 1, 2, 1, 1, 2, 0]  # PHQ-9 12, in the clinical range
KINDS = ["attended", "attended", "no_show", "attended", "attended", "cancelled"]
MISSED_2 = "of the last sessions booked, 2 were cancelled or missed"


def test_answers_given_ahead_count_as_scores_but_not_as_a_session_attended(
    personas, make_client
) -> None:
    record = make_client(
        "C-730", [None if k != "attended" else FLAT_12 for k in KINDS], attendance=KINDS
    )
    assert "withdrawal_risk" in record.flags  # 2 missed of the last 4 booked
    session = services.record_client_answers(
        client=record, session_number=7, answers={"phq9": FLAT_12}, on=dt.date(2026, 2, 16)
    )
    assert session.started_by_client
    record.refresh_from_db()
    assert record.measures["phq9"]["n"] == 5  # the score counts ...
    assert "withdrawal_risk" in record.flags  # ... the session does not: still 2 of 4
    assert any(MISSED_2 in e for e in record.explanations)
    summary, _ = summarise(record)
    assert summary.attendance == {"attended": 4, "late": 0, "cancelled": 1, "no_show": 1}
    # Once the therapist records the session as attended, it counts: 1 missed of 4.
    services.record_session(
        user=personas.therapist,
        client=record,
        data=services.SessionInput(date=dt.date(2026, 2, 16), attendance="attended"),
    )
    record.refresh_from_db()
    assert "withdrawal_risk" not in record.flags
    assert summarise(record)[0].attendance["attended"] == 5


def test_the_review_counts_the_missed_sessions_the_withdrawal_rule_counts(make_client) -> None:
    record = make_client(
        "C-731", [None if k != "attended" else FLAT_12 for k in KINDS], attendance=KINDS
    )
    services.record_client_answers(
        client=record, session_number=7, answers={"phq9": FLAT_12}, on=dt.date(2026, 2, 16)
    )
    record.refresh_from_db()
    sessions = selectors.episode_sessions(selectors.current_episode(record))
    found = evidence(record, sessions)
    assert (found.missed, found.recent_sessions) == (2, 4)  # sessions 3-6, not 4-7
