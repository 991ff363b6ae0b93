"""Every format lists the clients in the one order of attention: safety first.

JSON and CSV were sorted by client id, so a client with a safety answer could be the last
row of a 500-row CSV opened in a spreadsheet; only the text put safety first.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from unstuck.cli import main

# Z: a safety answer (and off track), last in id order; M: reliably worse (off track);
# A: no change yet (on track); B: one score (not enough data).
CASELOAD = (
    "client_id,occasion,instrument,score,item_9\n"
    "A,1,phq9,12,0\nA,2,phq9,12,0\n"
    "B,1,phq9,14,0\n"
    "M,1,phq9,5,0\nM,2,phq9,19,0\n"
    "Z,1,phq9,14,0\nZ,2,phq9,15,2\n"
)
ATTENTION = ["Z", "M", "A", "B"]


def report(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> str:
    path = tmp_path / "caseload.csv"
    path.write_text(CASELOAD, encoding="utf-8")
    assert main(["analyze", str(path), "--format", fmt]) == 0
    return capsys.readouterr().out


def test_a_client_with_a_safety_answer_comes_first_in_csv_and_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = csv.DictReader(io.StringIO(report(capsys, tmp_path, "csv")))
    first = next(rows)
    assert (first["client_id"], first["flags"]) == ("Z", "safety")
    clients = json.loads(report(capsys, tmp_path, "json"))
    assert [c["client_id"] for c in clients] == ATTENTION
    assert clients[0]["flags"] == ["safety"]


def test_every_format_lists_the_clients_in_the_same_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = csv.DictReader(io.StringIO(report(capsys, tmp_path, "csv")))
    in_csv = list(dict.fromkeys(r["client_id"] for r in rows))
    in_json = [c["client_id"] for c in json.loads(report(capsys, tmp_path, "json"))]
    text = report(capsys, tmp_path, "text")
    in_text = re.findall(r"^(\w+)  \[", text, flags=re.MULTILINE)
    assert in_csv == in_json == in_text == ATTENTION
