"""`unstuck fit-dropout`: from a measures CSV and an outcomes CSV to a saved, validated model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unstuck.cli import main
from unstuck.progress.dropout import DropoutModel


def test_it_fits_reports_and_saves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, outcomes, out = tmp_path / "m.csv", tmp_path / "o.csv", tmp_path / "model.json"
    args = ["synth", str(data), "--clients", "800", "--occasions", "12", "--seed", "4"]
    assert main([*args, "--outcomes", str(outcomes)]) == 0
    assert main(["fit-dropout", str(data), "--outcomes", str(outcomes), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "held-out AUC: model 0." in printed
    assert "odds ratio per SD of missed_last3" in printed
    model = DropoutModel.from_dict(json.loads(out.read_text()))
    assert model.horizon == 5
    assert model.episodes > 600


def test_bad_outcomes_name_the_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, outcomes = tmp_path / "m.csv", tmp_path / "o.csv"
    main(["synth", str(data), "--clients", "20"])
    outcomes.write_text("client_id,ended\nSYN-000001,finished\nSYN-000001,completed\n")
    assert main(["fit-dropout", str(data), "--outcomes", str(outcomes)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column 'ended', value 'finished': must be one of" in err
    assert "Traceback" not in err


def test_too_few_episodes_is_a_clear_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, outcomes = tmp_path / "m.csv", tmp_path / "o.csv"
    main(["synth", str(data), "--clients", "40", "--occasions", "12", "--outcomes", str(outcomes)])
    assert main(["fit-dropout", str(data), "--outcomes", str(outcomes)]) == 2
    assert "needs at least 100 ended episodes" in capsys.readouterr().err


def test_a_missing_outcomes_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "m.csv"
    main(["synth", str(data), "--clients", "20"])
    assert main(["fit-dropout", str(data), "--outcomes", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: cannot be read (No such file or directory)" in capsys.readouterr().err
