"""Sessions missed while improving are a note about ending only for a client who has improved
enough: every outcome measure improving steadily and its latest score out of the clinical
range, with no safety answer in the data. Otherwise they keep the withdrawal flag."""

from __future__ import annotations

import dataclasses

import pytest
from test_signals import INSTRUMENTS, run

from unstuck.measures import score_only_instrument
from unstuck.progress.summary import Observation, summarise_client

NOTE = "Sessions missed while improving"
# The last two of the last four sessions missed: the attendance reason of withdrawal_risk.
KINDS = ["attended", "attended", "attended", "no_show", "cancelled"]


def missed_last_two(*totals: float, instrument: str = "phq9") -> list[Observation]:
    scores = iter(totals)
    return [
        Observation(instrument, i + 1, next(scores) if k == "attended" else None, attendance=k)  # type: ignore[arg-type]
        for i, k in enumerate(KINDS)
    ]


@pytest.mark.parametrize(
    ("latest", "noted"),
    [
        (14, False),  # 20, 17, 14: improving steadily (the line falls 6), still in range
        (12, False),
        (10, False),  # at the cutoff is in the clinical range
        (9, True),  # 20, 15.5, 9 ... out of the clinical range: the note
        (5, True),
    ],
)
def test_the_note_needs_the_latest_score_out_of_the_clinical_range(
    latest: float, noted: bool
) -> None:
    result = run(missed_last_two(20, (20 + latest) / 2, latest))
    note = [e for e in result.explanations if e.startswith(NOTE)]
    assert bool(note) is noted
    assert ("withdrawal_risk" in result.flags) is not noted
    assert result.status == ("on_track" if noted else "at_risk")
    if noted:
        assert "out of the clinical range" in note[0]
        assert "how and when to plan an ending" in note[0]
    else:
        assert any("2 were cancelled or missed" in e for e in result.explanations)


def test_a_safety_answer_keeps_the_flag_and_never_sits_beside_the_note() -> None:
    quiet = missed_last_two(20, 14, 8)
    assert run(quiet).flags == ()  # improved enough: the note alone
    risky = [*quiet[:1], dataclasses.replace(quiet[1], safety_alert=True), *quiet[2:]]
    result = run(risky)
    assert result.flags == ("safety", "withdrawal_risk")
    assert not [e for e in result.explanations if e.startswith(NOTE)]


def test_every_outcome_measure_must_be_out_of_the_clinical_range() -> None:
    phq = missed_last_two(20, 14, 8)  # out of range
    gad = [dataclasses.replace(o, instrument="gad7") for o in missed_last_two(18, 14, 10)]
    assert "withdrawal_risk" in run(phq + gad).flags  # GAD-7 10 is still in range (8+)
    gad_well = [dataclasses.replace(o, instrument="gad7") for o in missed_last_two(18, 12, 6)]
    assert "withdrawal_risk" not in run(phq + gad_well).flags


@pytest.mark.parametrize(("cutoff", "noted"), [(None, False), (45.0, True)])
def test_a_scale_without_a_cutoff_cannot_show_the_client_out_of_range(
    cutoff: float | None, noted: bool
) -> None:
    wellbeing = score_only_instrument(
        "wellbeing", reliability=0.9, sd=4.0, cutoff=cutoff, higher_is_better=True
    )
    rows = missed_last_two(38, 43, 48, instrument="wellbeing")  # rising steadily, above 45
    result = summarise_client("C", rows, {**INSTRUMENTS, "wellbeing": wellbeing}, models={})
    assert ("withdrawal_risk" in result.flags) is not noted
    assert any(e.startswith(NOTE) for e in result.explanations) is noted
