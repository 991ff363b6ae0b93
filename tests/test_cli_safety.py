"""`unstuck analyze`: the safety flag is current and is never dropped with a refused row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unstuck.cli import main

HEADER = "client_id,occasion,date,instrument," + ",".join(f"item_{i}" for i in range(1, 10))


def analyze(
    capsys: pytest.CaptureFixture[str], path: Path, *extra: str
) -> tuple[int, dict[str, dict[str, object]], str]:
    code = main(["analyze", str(path), *extra])
    captured = capsys.readouterr()
    clients = {c["client_id"]: c for c in json.loads(captured.out)} if code == 0 else {}
    return code, clients, captured.err


def test_the_flag_stays_and_says_when_and_what_followed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        f"{HEADER}\n"
        "A,1,2026-01-05,phq9,2,2,2,2,2,2,1,1,1\n"
        "A,2,2026-01-12,phq9,2,2,2,2,2,2,1,1,2\n"
        "A,3,2026-01-19,phq9,0,0,0,0,0,0,0,0,0\n"
        "A,4,2026-01-26,phq9,0,0,0,0,0,0,0,0,0\n"
        "B,1,2026-01-05,phq9,2,2,2,2,2,2,1,1,0\n"
        "B,2,2026-01-12,phq9,2,2,2,2,2,2,1,1,1\n"
    )
    code, clients, _ = analyze(capsys, path)
    assert code == 0
    a, b = clients["A"], clients["B"]
    assert a["flags"][0] == "safety"  # PHQ-9 0 now, and the flag is still raised
    assert a["status"] == "off_track"
    assert a["explanations"][0] == (
        "Safety: PHQ-9 item 9 (a risk question) was answered above 0 at sessions 1 and 2, "
        "most recently at session 2 (2026-01-12). Later questionnaires answered it 0 "
        "(sessions 3 and 4). Please check on safety with the client now."
    )
    assert b["explanations"][0] == (
        "Safety: PHQ-9 item 9 (a risk question) was answered above 0 at session 2 "
        "(2026-01-12). No later questionnaire has answered it 0. "
        "Please check on safety with the client now."
    )


def test_a_later_blank_safety_item_is_not_a_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(f"{HEADER}\nA,1,,phq9,2,2,2,2,2,2,1,1,1\nA,2,,phq9,2,2,2,2,2,2,1,1,\n")
    code, clients, _ = analyze(capsys, path)
    assert code == 0
    first = clients["A"]["explanations"][0]
    assert "above 0 at session 1. No later questionnaire has answered it 0." in first


def test_a_refused_row_still_raises_its_safety_flag_and_is_named_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        f"{HEADER}\n"
        "A,1,2026-01-05,phq9,1,1,1,1,1,1,1,1,0\n"
        "A,2,2026-01-12,phq9,1,1,1,1,1,1,1,1,0\n"
        "C,1,2026-01-05,phq9,x,1,1,1,1,1,1,1,0\n"  # refused, no safety answer: listed later
        "C,2,2026-01-12,phq9,1,1,1,1,1,1,1,1,0\n"
        "A,3,2026-01-19,phq9,1,1,7,1,1,1,1,1,2\n"  # item 3 out of range, item 9 positive
    )
    code, clients, err = analyze(capsys, path)
    assert code == 2  # without --skip-invalid nothing is analysed, and the row is named first
    listed = [line.strip() for line in err.splitlines() if line.strip().startswith("row ")]
    assert listed[0].startswith("row 6, column 'item_9', value '2': a safety answer above 0")
    code, clients, err = analyze(capsys, path, "--skip-invalid")
    assert code == 0
    assert clients["A"]["flags"][0] == "safety"
    assert clients["A"]["explanations"][0].startswith(
        "Safety: PHQ-9 item 9 (a risk question) was answered above 0 at session 3 (2026-01-19)."
    )
    assert clients["A"]["measures"]["phq9"]["n"] == 2  # the refused row gives no score
    assert "safety" not in clients["C"]["flags"]
    listed = [line.strip() for line in err.splitlines() if line.strip().startswith("row ")]
    assert listed[0].startswith("row 6, column 'item_9', value '2': a safety answer above 0")
    assert any(line.startswith("row 6, column 'item_3'") for line in listed[1:])
    assert any(line.startswith("row 4, column 'item_1'") for line in listed[1:])


def test_a_refused_duplicate_raises_the_kept_rows_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        f"{HEADER}\n"
        "A,1,2026-01-05,phq9,1,1,1,1,1,1,1,1,0\n"
        "A,2,2026-01-12,phq9,1,1,1,1,1,1,1,1,0\n"
        "A,2,2026-01-12,phq9,1,1,9,1,1,1,1,1,1\n"
    )
    code, clients, _ = analyze(capsys, path, "--skip-invalid")
    assert code == 0
    assert clients["A"]["flags"][0] == "safety"
    assert "at session 2" in clients["A"]["explanations"][0]
    # Still one row per session: the kept row carries the flag, no second session 2.
    assert clients["A"]["attendance"]["attended"] == 2
    assert clients["A"]["measures"]["phq9"]["n"] == 2
