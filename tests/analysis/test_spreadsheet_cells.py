"""The CSV files Unstuck writes cannot run a formula when a spreadsheet opens them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from unstuck.analysis.spreadsheet import safe_cell
from unstuck.cli import main

FORMULA = '=HYPERLINK("http://example.invalid","open")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_a_spreadsheet_would_run_gets_an_apostrophe(start: str) -> None:
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


def test_other_cells_are_left_as_they_are() -> None:
    for value in ("SYN-001", "a-b", "", "O'Neil", -2.0, 3, None):
        assert safe_cell(value) == value


def test_analyze_csv_quotes_a_formula_client_id_and_keeps_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "caseload.csv"
    path.write_text(
        "client_id,occasion,instrument,score\n"
        f'"{FORMULA.replace(chr(34), chr(34) * 2)}",1,phq9,12\n'
        f'"{FORMULA.replace(chr(34), chr(34) * 2)}",2,phq9,10\n'
        "-7,1,phq9,15\n-7,2,phq9,15\n"
    )
    assert main(["analyze", str(path), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["client_id"] for r in rows] == ["'-7", "'" + FORMULA]
    assert [r["change"] for r in rows] == ["0.0", "-2.0"]  # numbers stay numbers


def test_report_quotes_a_formula_therapist_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caseload = tmp_path / "caseload.csv"
    caseload.write_text("client_id,occasion,instrument,score\nSYN-1,1,phq9,20\nSYN-1,2,phq9,8\n")
    therapists = tmp_path / "therapists.csv"
    therapists.write_text("client_id,therapist\nSYN-1,@SUM(A1:A9)\n")
    for table in ("therapists", "completion"):  # the tables with a therapist's name
        args = ["report", str(caseload), "--therapists", str(therapists), "--table", table]
        assert main(args) == 0
        rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
        assert rows[2][0] == "'@SUM(A1:A9)"


def test_analyze_csv_quotes_a_formula_in_the_clients_sentences(tmp_path: Path) -> None:
    """A clinic's instrument named like a formula starts the sentence about its safety item."""
    from dataclasses import replace

    from unstuck.analysis import analyze_file
    from unstuck.analysis.report import render
    from unstuck.measures import load_instruments

    phq9 = load_instruments()["phq9"]
    odd = replace(phq9, id="odd", name="@SUM(A1:A9)")
    instruments = load_instruments().with_instrument(odd)
    path = tmp_path / "caseload.csv"
    path.write_text("client_id,occasion,instrument,score\nSYN-1,1,odd,12\nSYN-1,2,odd,6\n")
    summary = analyze_file(path, instruments).summary
    rows = list(csv.DictReader(io.StringIO(render(summary, "csv", instruments))))
    assert rows[0]["client_explanations"].startswith("'@SUM(A1:A9) item 9 (safety) has no answer")
    assert rows[0]["explanation"].startswith("'@SUM(A1:A9): ")
