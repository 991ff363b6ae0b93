"""`unstuck fit-dropout`: from a measures CSV and an outcomes CSV to a saved, validated model."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from unstuck.cli import main


def synth(tmp_path: Path, clients: int, seed: int = 4) -> tuple[Path, Path]:
    data, outcomes = tmp_path / "m.csv", tmp_path / "o.csv"
    args = ["synth", str(data), "--clients", str(clients), "--occasions", "12"]
    assert main([*args, "--seed", str(seed), "--outcomes", str(outcomes)]) == 0
    return data, outcomes


def test_it_fits_reports_scores_ongoing_and_saves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, outcomes = synth(tmp_path, 800)
    ended = pl.read_csv(outcomes)
    assert set(ended["ended"]) == {"completed", "dropped_out"}
    assert ended["client_id"].str.starts_with("SYN-").all()
    # the last 20 clients are still in therapy: not trained on, scored
    ended = ended.with_columns(
        ended=pl.when(pl.int_range(pl.len()) >= 780).then(pl.lit("ongoing")).otherwise("ended")
    )
    ended.write_csv(outcomes)
    out = tmp_path / "model.json"
    code = main(["fit-dropout", str(data), "--outcomes", str(outcomes), "-o", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Held-out AUC (5-fold by client): 0." in printed
    assert "the withdrawal rule on the same rows 0." in printed
    assert "cancelled or missed among the last 3 sessions [missed_last3" in printed
    assert "Ongoing episodes (20), as of their latest session:" in printed
    assert "SYN-000800  session " in printed
    model = json.loads(out.read_text())
    assert model["landmarks"] == list(range(3, 11))
    assert 700 < model["episodes"] <= 780
    assert model["validation"]["auc"] > 0.7


def test_landmarks_and_seed_are_options(tmp_path: Path) -> None:
    data, outcomes = synth(tmp_path, 600, seed=9)
    out = tmp_path / "model.json"
    args = ["fit-dropout", str(data), "--outcomes", str(outcomes), "-o", str(out)]
    assert main([*args, "--landmarks", "4,6", "--seed", "3"]) == 0
    model = json.loads(out.read_text())
    assert model["landmarks"] == [4, 6]
    assert model["seed"] == 3


def test_bad_landmarks_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["fit-dropout", "m.csv", "--outcomes", "o.csv", "--landmarks", "three"])
    assert exit_info.value.code == 2
    assert "'three' is not a list of session numbers" in capsys.readouterr().err


def test_bad_outcomes_name_the_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, outcomes = tmp_path / "m.csv", tmp_path / "o.csv"
    main(["synth", str(data), "--clients", "20"])
    outcomes.write_text(
        "client_id,ended\nSYN-000002,finished\nSYN-000001,completed\nSYN-000001,ongoing\n"
    )
    assert main(["fit-dropout", str(data), "--outcomes", str(outcomes)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column 'ended', value 'finished': must be one of" in err
    assert "row 4, column 'client_id', value 'SYN-000001': appears twice" in err
    assert "Traceback" not in err


def test_an_outcomes_file_without_its_columns_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, outcomes = tmp_path / "m.csv", tmp_path / "o.csv"
    main(["synth", str(data), "--clients", "20"])
    outcomes.write_text("client,outcome\nSYN-000001,completed\n")
    assert main(["fit-dropout", str(data), "--outcomes", str(outcomes)]) == 2
    assert "missing columns: client_id, ended" in capsys.readouterr().err


def test_too_few_episodes_is_a_clear_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, outcomes = synth(tmp_path, 40)
    out = tmp_path / "model.json"
    assert main(["fit-dropout", str(data), "--outcomes", str(outcomes), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "needs at least 200 ended episodes" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_a_missing_outcomes_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "m.csv"
    main(["synth", str(data), "--clients", "20"])
    assert main(["fit-dropout", str(data), "--outcomes", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: cannot be read (No such file or directory)" in capsys.readouterr().err
