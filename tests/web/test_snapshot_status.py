"""The stored status word and next step agree with the flags: an open safety alert is off
track whatever the scores say, and the next step follows the reason a flag was raised for."""

from __future__ import annotations

import datetime as dt

import pytest

from unstuck.web.records import corrections, selectors, services
from unstuck.web.records.models import SafetyAlert
from unstuck.web.records.snapshots import summarise

FLAT_12 = [2, 2, 1, 1, 2, 1, 1, 2, 0]  # PHQ-9 12, item 9 answered 0
FLAT_12_RISK = [2, 2, 1, 1, 2, 1, 1, 1, 1]  # PHQ-9 12, item 9 answered 1
MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]  # PHQ-9 6
MILD_RISK = [1, 1, 1, 1, 1, 0, 0, 0, 1]  # PHQ-9 6, item 9 answered 1


@pytest.mark.parametrize(
    ("before", "risky", "corrected", "scores_alone"),
    [
        ([FLAT_12] * 5, FLAT_12_RISK, FLAT_12, "at_risk"),  # little improvement, at 12
        ([MILD], MILD_RISK, MILD, "on_track"),  # 6, 6
    ],
)
def test_an_open_alert_is_off_track_after_its_answer_is_corrected_to_0(
    personas, make_client, before, risky, corrected, scores_alone
) -> None:
    record = make_client("C-720", [*before, risky])
    number = len(before) + 1
    data = services.SessionInput(
        date=dt.date(2026, 1, 5) + dt.timedelta(days=7 * len(before)),
        attendance="attended",
        answers={"phq9": corrected},
    )
    corrections.correct_session(
        user=personas.therapist, client=record, number=number, data=data, reason="misread"
    )
    assert SafetyAlert.objects.get().is_open  # open until a check is recorded
    record.refresh_from_db()
    summary, _ = summarise(record)
    assert summary.status == scores_alone  # the scores alone no longer say safety
    assert (record.flags[0], record.status, record.status_rank) == ("safety", "off_track", 0)
    assert record in selectors.caseload(personas.therapist, status="off_track")


FEEDBACK = {36: [9, 9, 9, 9], 32: [8, 8, 8, 8], 30: [8, 8, 7, 7]}  # session feedback totals
ASK = "Ask how the sessions feel for them"
REACH_OUT = "Reach out and talk about coming to sessions"


@pytest.mark.parametrize(
    ("feedback", "attendance", "flags", "next_action"),
    [
        # every session attended, feedback 4 below its earlier mean: pulling away, but they come
        ((36, 36, 32), (), ["withdrawal_risk"], ASK),
        # the same fall raises a rupture: one number, one flag
        ((36, 36, 30), (), ["alliance_rupture"], ASK),
        # two of the last four booked sessions missed: reach out about coming
        (
            (36, 36, None, None),
            ("attended", "attended", "no_show", "cancelled"),
            ["withdrawal_risk"],
            REACH_OUT,
        ),
    ],
)
def test_the_next_step_follows_why_the_client_seems_to_pull_away(
    make_client, feedback, attendance, flags, next_action
) -> None:
    record = make_client(
        "C-721",
        [MILD if f is not None else None for f in feedback],
        feedback=[FEEDBACK[f] if f is not None else None for f in feedback],
        attendance=attendance,
    )
    assert (record.flags, record.next_action) == (flags, next_action)
