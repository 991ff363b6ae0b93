"""withdrawal_risk gives the reasons it was raised for, and leaves a fall in session feedback
that raises alliance_rupture to that flag: one number, one flag."""

from __future__ import annotations

import dataclasses

import pytest
from test_signals import feedback, phq, run, sessions

from unstuck.progress.summary import Observation

PULLING_AWAY = "Signs of pulling away"


@pytest.mark.parametrize(
    ("scores", "flags", "reasons"),
    [
        # 4 below the earlier mean, 4 from the previous score, above 30: no rupture
        ((36, 36, 32), ("withdrawal_risk",), ("feedback",)),
        # 6 below both: the rupture flag's alone
        ((36, 36, 30), ("alliance_rupture",), ()),
        # 4 below the earlier mean of 34, 2 from the previous score, but 30 is low: a rupture
        ((36, 32, 30), ("alliance_rupture",), ()),
    ],
)
def test_a_feedback_fall_that_raises_a_rupture_is_not_also_pulling_away(
    scores: tuple[float, ...], flags: tuple[str, ...], reasons: tuple[str, ...]
) -> None:
    result = run(phq(12, 11, 12) + feedback(*scores))
    assert result.flags == flags
    assert result.withdrawal_reasons == reasons
    assert any(e.startswith(PULLING_AWAY) for e in result.explanations) is bool(reasons)


def test_other_reasons_keep_the_flag_beside_a_rupture() -> None:
    marked = [dataclasses.replace(o, markers=1) for o in phq(12, 11, 12)]
    result = run(marked + feedback(36, 36, 30))
    assert result.flags == ("withdrawal_risk", "alliance_rupture")
    assert result.withdrawal_reasons == ("markers",)
    pulling = next(e for e in result.explanations if e.startswith(PULLING_AWAY))
    assert "feedback fell" not in pulling


def test_the_reasons_are_named_in_the_order_the_sentence_gives_them() -> None:
    booked = sessions(["attended", "attended", "no_show", "attended", "cancelled"])
    given = [Observation("session_feedback", k, t) for k, t in ((1, 36), (2, 36), (4, 32))]
    result = run(booked + given)
    assert result.withdrawal_reasons == ("attendance", "feedback")
    assert run(phq(12, 11, 12)).withdrawal_reasons == ()
