"""A written report records the rows `--skip-invalid` left out, a safety answer's first.

They were listed on standard error only: `analyze safety.csv --skip-invalid -o out.txt`
exited 0 with nothing in out.txt about a row that held a safety answer above 0 but no
client id, nor about a client's first session that was left out.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from unstuck.analysis.leftout import LeftOut, left_out_lines
from unstuck.cli import main
from unstuck.errors import Problem

# Row 2: B's first session, out of range; row 4: a safety answer above 0 without a client
# id. The safety answer is later in the file, yet listed first.
CASELOAD = (
    "client_id,occasion,date,instrument,score,item_9,notes\n"
    "B,1,2026-01-05,phq9,30,0,\n"
    "B,2,2026-01-12,phq9,14,0,\n"
    ",1,2026-01-05,phq9,10,3,\n"
    "A,1,2026-01-05,phq9,12,0,\n"
    "A,2,2026-01-12,phq9,12,0,\n"
)
SAFETY = (
    "SAFETY: row 4, column 'item_9', value '3': a safety answer above 0 in a row without a "
    "client_id: it cannot raise any client's safety flag, so please find whose answer it is "
    "and fix the row"
)
OUT_OF_RANGE = "row 2, column 'score', value '30': PHQ-9 totals run from 0 to 27"
IGNORED = "Ignored column not used by Unstuck: notes"


def analyze(tmp_path: Path, name: str, *extra: str) -> str:
    path = tmp_path / "safety.csv"
    path.write_text(CASELOAD, encoding="utf-8")
    out = tmp_path / name
    assert main(["analyze", str(path), "--skip-invalid", *extra, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_the_text_report_lists_the_rows_left_out_a_safety_answer_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = analyze(tmp_path, "out.txt", "--format", "text")
    lines = text.splitlines()
    start = lines.index(
        "Rows left out of this report: 2 rows of the file, with 3 problems. Their scores are "
        "not in the figures below, so a client's first or latest score may be missing (a "
        "safety answer above 0 in a row that names its client still raises that client's "
        "safety flag). Please fix these rows and run the report again."
    )
    assert lines[start + 1 : start + 5] == [
        f"  {SAFETY}",
        "  row 2, column 'score', value '30': PHQ-9 totals run from 0 to 27",
        "  row 4, column 'client_id', value (empty): client_id is empty",
        "",
    ]
    assert text.index(SAFETY) < text.index(IGNORED) < text.index("Clients: 2")


def test_the_json_report_has_the_rows_left_out_beside_the_clients(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = json.loads(analyze(tmp_path, "out.json"))
    assert set(report) == {"skipped", "notes", "clients"}
    skipped = report["skipped"]
    assert (skipped["rows"], skipped["problems"]) == (2, 3)
    assert [(p["row"], p["column"], p["safety"]) for p in skipped["listed"]] == [
        (4, "item_9", True),
        (2, "score", False),
        (4, "client_id", False),
    ]
    assert skipped["listed"][0]["reason"].startswith("a safety answer above 0 in a row")
    assert report["notes"] == [IGNORED]
    assert [c["client_id"] for c in report["clients"]] == ["A", "B"]


def test_the_csv_report_has_the_rows_left_out_above_the_clients(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list(csv.DictReader(io.StringIO(analyze(tmp_path, "out.csv"))))
    about_the_file = [(r["client_id"], r["status"], r["flags"], r["explanation"]) for r in rows]
    assert about_the_file[1:5] == [
        ("", "row_left_out", "safety", SAFETY),
        ("", "row_left_out", "", OUT_OF_RANGE),
        ("", "row_left_out", "", "row 4, column 'client_id', value (empty): client_id is empty"),
        ("", "note", "", IGNORED),
    ]
    assert about_the_file[0][1] == "row_left_out"
    assert about_the_file[0][3].startswith("Rows left out of this report: 2 rows")
    assert [r["client_id"] for r in rows[5:]] == ["A", "B"]


def test_a_problem_not_listed_is_counted() -> None:
    listed = tuple(Problem(row, "score", "99", "too high") for row in range(2, 52))
    lines = left_out_lines(LeftOut(listed, problems=60, rows=60))
    assert lines[-1].text == "... and 10 more problems not listed here."
    assert len(lines) == 52  # the heading, the 50 listed, and the count of the others


def test_nothing_is_said_when_no_row_was_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "good.csv"
    path.write_text("client_id,occasion,instrument,score\nA,1,phq9,12\n", encoding="utf-8")
    assert main(["analyze", str(path), "--skip-invalid", "--format", "text"]) == 0
    assert "left out" not in capsys.readouterr().out
    assert main(["analyze", str(path), "--skip-invalid"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["skipped"] == {
        "rows": 0,
        "problems": 0,
        "listed": [],
        "clients_left_out": {"clients": 0, "listed": [], "text": None},
    }
    assert main(["analyze", str(path)]) == 0  # without --skip-invalid: the list, as before
    assert [c["client_id"] for c in json.loads(capsys.readouterr().out)] == ["A"]


# C7: every row out of range, so C7 is in no figure; D: every row refused too, but one holds a
# safety answer above 0, so D comes back with its flag and is not left out entirely.
WHOLE_CLIENT = (
    "client_id,occasion,instrument,score,item_9\n"
    "A,1,phq9,14,0\n"
    "A,2,phq9,12,0\n"
    "C7,1,phq9,40,0\n"
    "C7,2,phq9,41,0\n"
    "C7,3,phq9,50,0\n"
    "D,1,phq9,30,0\n"
    "D,2,phq9,31,2\n"
)
GONE = (
    "1 client left out entirely, as every row of theirs has a problem: C7 (all 3 rows). "
    "They are not in this report's figures or its list of clients: please fix their rows and "
    "run the report again."
)


def test_a_client_whose_every_row_was_left_out_is_named_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "whole.csv"
    path.write_text(WHOLE_CLIENT, encoding="utf-8")
    assert main(["analyze", str(path), "--skip-invalid", "--format", "text"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Rows left out"))
    assert lines[start + 1].startswith("  SAFETY: row 8, column 'item_9'")  # still first
    assert lines[start + 2] == f"  {GONE}"
    assert "Clients: 2 in this report, and 1 left out entirely (named above)" in lines
    assert f"unstuck: {GONE}" in captured.err.splitlines()

    assert main(["analyze", str(path), "--skip-invalid"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["skipped"]["clients_left_out"] == {
        "clients": 1,
        "listed": [{"client_id": "C7", "rows": 3}],
        "text": GONE,
    }
    assert [c["client_id"] for c in report["clients"]] == ["D", "A"]  # D: its safety flag
