"""`unstuck analyze`: the safety flag is current and is never dropped with a refused row."""

from __future__ import annotations

import csv
import io
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
    report = json.loads(captured.out) if code == 0 else []
    if "--skip-invalid" in extra and code == 0:  # the clients beside what was left out
        report = report["clients"]
    clients = {c["client_id"]: c for c in report}
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
        "Safety answer: PHQ-9 item 9 (a risk question) was answered above 0 at sessions 1 and 2, "
        "most recently at session 2 (2026-01-12). Later questionnaires answered it 0 "
        "(sessions 3 and 4). Please check on safety with the client now."
    )
    assert b["explanations"][0] == (
        "Safety answer: PHQ-9 item 9 (a risk question) was answered above 0 at session 2 "
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
        "Safety answer: PHQ-9 item 9 (a risk question) was answered above 0 at session "
        "3 (2026-01-19)."
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


@pytest.mark.parametrize("written", ["PHQ-9", "phq-9", "PHQ 9", " Phq_9 "])
def test_the_usual_spellings_of_an_instrument_are_that_instrument(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, written: str
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        f"{HEADER}\n"
        "A,1,2026-01-05,phq9,1,1,1,1,1,1,1,1,0\n"
        f'A,2,2026-01-12,"{written}",1,1,1,1,1,1,1,1,3\n'
    )
    code, clients, err = analyze(capsys, path)
    assert (code, err) == (0, "")  # not refused at all
    assert clients["A"]["flags"][0] == "safety"
    assert clients["A"]["measures"]["phq9"]["n"] == 2


@pytest.mark.parametrize(
    ("header", "row", "column"),
    [
        ("client_id,date", "A,05/01/2026", "date"),  # sessions by date: a date not YYYY-MM-DD
        ("client_id,occasion", "A,x", "occasion"),
        ("client_id,occasion", "A,", "occasion"),
    ],
)
def test_a_refused_rows_safety_answer_counts_when_its_session_cannot_be_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, header: str, row: str, column: str
) -> None:
    items = ",".join(f"item_{i}" for i in range(1, 10))
    path = tmp_path / "m.csv"
    path.write_text(
        f"{header},instrument,{items}\n"
        + ("A,2026-01-05" if column == "date" else "A,1")
        + ",phq9,1,1,1,1,1,1,1,1,0\n"
        f"{row},phq9,1,1,1,1,1,1,1,1,3\n"
        f"{row.replace('A', 'B')},phq9,1,1,1,1,1,1,1,1,2\n"  # B's only row
    )
    code, clients, err = analyze(capsys, path)
    assert code == 2
    listed = [line.strip() for line in err.splitlines() if line.strip().startswith("row ")]
    assert listed[0].startswith("row 3, column 'item_9', value '3': a safety answer above 0")
    assert "--skip-invalid" not in listed[0]  # the advice is analyze's, after the list
    code, clients, err = analyze(capsys, path, "--skip-invalid")
    assert code == 0
    listed = [line.strip() for line in err.splitlines() if line.strip().startswith("row ")]
    assert listed[0].startswith("row 3, column 'item_9', value '3': a safety answer above 0")
    assert "still raises the client's safety flag" in listed[0]
    assert any(line.startswith(f"row 3, column '{column}'") for line in listed)
    for client in ("A", "B"):
        assert clients[client]["flags"][0] == "safety"
        assert clients[client]["explanations"][0] == (
            "Safety answer: PHQ-9 item 9 (a risk question) was answered above 0 at a session whose "
            "number or date could not be read (in a row left out). Whether a later "
            "questionnaire answered it 0 cannot be told, as that session is not known. "
            "Please check on safety with the client now."
        )
    assert clients["A"]["measures"]["phq9"]["n"] == 1
    assert clients["B"]["measures"] == {}
    assert clients["B"]["attendance"]["attended"] == 0  # no session is made up for it


def test_an_answer_of_an_unknown_session_follows_the_known_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        f"{HEADER}\n"
        "A,1,2026-01-05,phq9,1,1,1,1,1,1,1,1,1\n"
        "A,x,2026-01-12,phq9,1,1,1,1,1,1,1,1,2\n"
        "A,3,2026-01-19,phq9,1,1,1,1,1,1,1,1,0\n"
    )
    code, clients, _ = analyze(capsys, path, "--skip-invalid")
    assert code == 0
    assert clients["A"]["explanations"][0] == (
        "Safety answer: PHQ-9 item 9 (a risk question) was answered above 0 at session 1 "
        "(2026-01-05) and at a session whose number or date could not be read (in a row "
        "left out). Whether a later questionnaire answered it 0 cannot be told, as that "
        "session is not known. Please check on safety with the client now."
    )
    assert clients["A"]["attendance"]["attended"] == 2


def test_a_safety_answer_without_a_client_promises_no_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        f"{HEADER}\nA,1,2026-01-05,phq9,1,1,1,1,1,1,1,1,0\n,2,2026-01-12,phq9,1,1,1,1,1,1,1,1,2\n"
    )
    code, clients, err = analyze(capsys, path, "--skip-invalid")
    assert code == 0
    assert set(clients) == {"A"}
    listed = [line.strip() for line in err.splitlines() if line.strip().startswith("row ")]
    assert listed[0] == (
        "row 3, column 'item_9', value '2': a safety answer above 0 in a row without a "
        "client_id: it cannot raise any client's safety flag, so please find whose answer "
        "it is and fix the row"
    )


def test_the_text_report_counts_every_client_with_the_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """C's only PHQ-9 row was refused (item 8 out of range): no score, but the flag."""
    path = tmp_path / "m.csv"
    path.write_text(
        f"{HEADER}\n"
        "C,1,2026-01-05,phq9,1,1,1,1,1,1,1,9,1\n"
        "D,1,2026-01-05,phq9,1,1,1,1,1,1,1,1,3\n"
        "E,1,2026-01-05,phq9,1,1,1,1,1,1,1,1,0\n"
    )
    code = main(["analyze", str(path), "--skip-invalid", "--format", "text"])
    assert code == 0
    out = capsys.readouterr().out
    assert "  with a safety answer to check: 2\n" in out
    assert "C  [off track]  flags: Safety answer" in out


def test_the_csv_report_carries_the_safety_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        f"{HEADER}\n"
        "C,1,2026-01-05,phq9,1,1,1,1,1,1,1,9,1\n"  # refused: C has no score, only the flag
        "D,1,2026-01-05,phq9,1,1,1,1,1,1,1,1,3\n"
        "D,1,2026-01-05,gad7,1,1,1,1,1,1,1,,\n"
        "D,2,2026-01-12,phq9,3,3,3,3,3,3,3,3,0\n"
    )
    code = main(["analyze", str(path), "--skip-invalid", "--format", "csv"])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    left_out = [r["flags"] for r in rows if r["status"] == "row_left_out"]
    assert left_out == ["", "safety", ""]  # a heading, then C's row's two problems
    as_json = main(["analyze", str(path), "--skip-invalid"])
    clients = {c["client_id"]: c for c in json.loads(capsys.readouterr().out)["clients"]}
    assert as_json == 0
    c, *d = rows[len(left_out) :]
    assert (c["client_id"], c["flags"], c["instrument"]) == ("C", "safety", "")
    assert c["client_explanations"] == clients["C"]["explanations"][0]
    assert c["client_explanations"].startswith(
        "Safety answer: PHQ-9 item 9 (a risk question) was answered above 0 at session "
        "1 (2026-01-05)."
    )
    assert [r["instrument"] for r in d] == ["gad7", "phq9"]
    for row in d:  # the client's sentences on each of its rows; the measure's beside them
        assert row["client_explanations"].startswith("Safety answer: PHQ-9 item 9")
        for sentence in (
            "Getting worse: PHQ-9 went from 11",
            "Not on the expected course: PHQ-9 is 24",
        ):
            assert sentence in row["client_explanations"]
        assert row["explanation"] in clients["D"]["explanations"]
        assert row["explanation"] not in row["client_explanations"]
    assert " ".join(clients["D"]["explanations"][:-2]) == d[0]["client_explanations"]


TWO_RISK_ITEMS = """
id = "two_risks"
name = "Two risks"
description = "A made-up form with two risk questions (our own test form)."
higher_is_better = false
license = "Written for Unstuck's tests."
safety_items = [2, 3]
options = [{value = 0, label = "No"}, {value = 1, label = "Some"}, {value = 2, label = "Much"}]
items = [
  {number = 1, text = "Placeholder one"},
  {number = 2, text = "Placeholder risk two"},
  {number = 3, text = "Placeholder risk three"},
]
[missing]
max_missing = 1
source = "test rule"
[change]
reliable_change_points = 2
source = "test"
"""


@pytest.mark.parametrize(
    ("answers", "raised", "quiet"),
    [("1,0,2", ["item 3"], ["item 2"]), ("1,,2", ["item 3"], ["item 2 was answered"])],
)
def test_score_names_only_the_safety_items_answered_above_0(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    answers: str,
    raised: list[str],
    quiet: list[str],
) -> None:
    """With two risk questions, one answered 0 (or left blank) was said to be answered above
    0 too: every safety item was named whenever any one raised the alert."""
    (tmp_path / "two_risks.toml").write_text(TWO_RISK_ITEMS, encoding="utf-8")
    argv = ["--instruments-dir", str(tmp_path), "score", "two_risks", "--answers", answers]
    assert main(argv) == 0
    out = capsys.readouterr().out
    for item in raised:
        assert f"SAFETY: {item} was answered above 0." in out
    for words in quiet:
        assert f"SAFETY: {words}" not in out
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["safety_raised"] == [3]
