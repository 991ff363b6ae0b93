"""Counts in what the commands print read as English: "1 client", never "1 clients"."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from unstuck.analysis.retention import Stay, kaplan_meier, summary
from unstuck.cli import main
from unstuck.plural import counted


def test_a_count_of_one_takes_the_singular() -> None:
    assert counted(1, "client") == "1 client"
    assert counted(0, "client") == "0 clients"
    assert counted(2_500, "row") == "2500 rows"
    assert counted(2_500, "row", grouped=True) == "2,500 rows"
    assert counted(2, "analysis", "analyses") == "2 analyses"


def test_synth_of_one_row_says_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "one.csv"
    code = main(["synth", str(out), "--clients", "1", "--occasions", "1", "--instruments", "phq9"])
    assert code == 0
    assert f"wrote 1 synthetic row for 1 client to {out}" in capsys.readouterr().err


def test_the_retention_sentence_of_one_episode_says_episode() -> None:
    assert summary(kaplan_meier([Stay(1, False)])) == (
        "Of 1 episode, none has ended early without agreement so far."
    )
    text = summary(kaplan_meier([Stay(1, True)]))
    assert text.startswith("Of 1 episode, 1 ended early")
    assert "after 1 session;" in text


def test_refreshing_the_status_of_one_client_says_client(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from unstuck.web import commands

    def refresh_stale(progress: Callable[[int, int], None]) -> None:
        progress(0, 1)  # as snapshots.refresh_statuses reports it: before, then after
        progress(1, 1)

    fake = types.ModuleType("unstuck.web.records.snapshots")
    fake.refresh_stale = refresh_stale  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "unstuck.web.records.snapshots", fake)
    commands.refresh_statuses()
    out = capsys.readouterr().out
    assert "updating the status of 1 client." in out


def test_statuses_remade_in_batches_are_announced_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Statuses are remade 200 at a time: the heading comes before the first batch (0 done),
    then progress after each, never at 1."""
    from unstuck.web import commands

    def refresh_stale(progress: Callable[[int, int], None]) -> None:
        for done in (0, 200, 400, 450):  # as snapshots.refresh_statuses reports it
            progress(done, 450)

    fake = types.ModuleType("unstuck.web.records.snapshots")
    fake.refresh_stale = refresh_stale  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "unstuck.web.records.snapshots", fake)
    commands.refresh_statuses()
    out = capsys.readouterr().out
    assert out.count("The detection rules have changed: updating the status of 450 clients.") == 1
    assert out.endswith("\r  updated 450/450\n")
    assert "updated 200/450" in out
    assert out.index("The detection rules") < out.index("updated 200/450")
    assert "updated 0/" not in out


def test_one_unanswered_item_too_many_says_item(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "session_feedback", "--answers", ",3,3,3"]) == 0
    assert "Session feedback: 1 item unanswered, too many for a total." in capsys.readouterr().out


def test_a_course_fitted_on_one_client_says_client() -> None:
    from unstuck.progress.course import CourseModel

    model = CourseModel("phq9", 15.0, -3.0, -0.1, 3.0, 1.0, False, "test", 1, 1, 0.8, 2.0)
    assert "Fitted on 1 client (1 score after the first)" in model.describe("PHQ-9")
