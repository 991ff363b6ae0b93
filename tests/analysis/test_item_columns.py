"""Item answers are never lost to a file's shape or to a column's name.

Found by a tester of `unstuck analyze`:

- a total with PHQ-9 item 9 beside it, where the export gave GAD-7 rows a 0 in ``item_9``,
  made the whole file unreadable (even with --skip-invalid), saying the GAD-7 lacked item
  columns, so the PHQ-9's safety answer was never reported. The stray cell is a problem of
  its row, as it is when all nine item columns exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unstuck.analysis import read_observations
from unstuck.cli import main
from unstuck.errors import InvalidRows
from unstuck.measures import load_instruments

INSTRUMENTS = load_instruments()
RISK_HEADER = "client_id,occasion,instrument,score,item_9\n"
BEYOND_GAD7 = (
    "row 3, column 'item_9', value '0': GAD-7 has 7 items, so this column should be empty on "
    "its rows (a GAD-7 given as a total in 'score' has no item answers)"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "input.csv"
    path.write_text(text, encoding="utf-8")
    return path


def analyze(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *flags: str
) -> tuple[int, str, str]:
    code = main(["analyze", str(write(tmp_path, text)), *flags])
    out, err = capsys.readouterr()
    return code, out, err


# -- a value in an item column beyond the instrument's items -------------------------------


def test_a_gad7_answer_in_item_9_refuses_its_row_not_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, RISK_HEADER + "T1,1,phq9,12,2\nT1,1,gad7,10,0\n")
    with pytest.raises(InvalidRows) as caught:
        read_observations(path, INSTRUMENTS)
    assert [str(p) for p in caught.value.problems] == [BEYOND_GAD7]


def test_the_phq9_safety_answer_beside_a_stray_gad7_cell_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = RISK_HEADER + "T1,1,phq9,12,2\nT1,1,gad7,10,0\nT1,2,gad7,8,\n"
    code, out, err = analyze(tmp_path, capsys, text)
    assert code == 2
    assert out == ""
    assert BEYOND_GAD7 in err
    code, out, err = analyze(tmp_path, capsys, text, "--skip-invalid")
    assert code == 0, err
    assert "left out 1 row with 1 problem" in err and BEYOND_GAD7 in err
    (client,) = json.loads(out)
    assert client["flags"][0] == "safety"
    assert "PHQ-9 item 9 (a risk question) was answered above 0 at session 1" in (
        client["explanations"][0]
    )
    # the GAD-7 row without the stray cell is read as its total
    assert client["measures"]["gad7"]["last"] == 8


def test_a_refused_phq9_rows_safety_answer_still_counts_beside_a_stray_gad7_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The PHQ-9 row is refused too (its total is out of range), yet its risk answer raises
    the client's flag, and is named first among the problems."""
    text = RISK_HEADER + "T1,1,phq9,30,2\nT1,1,gad7,10,0\n"
    code, _, err = analyze(tmp_path, capsys, text)
    assert code == 2
    first = err.splitlines()[1]
    assert first.startswith("  row 2, column 'item_9', value '2': a safety answer above 0")
    code, out, err = analyze(tmp_path, capsys, text, "--skip-invalid")
    assert code == 0, err
    (client,) = json.loads(out)
    assert client["flags"] == ["safety"]


def test_a_gad7_row_given_item_by_item_still_needs_its_own_columns(tmp_path: Path) -> None:
    """Only the stray cell is a row problem: GAD-7 answers in item_1 .. item_5 with no
    item_6 and item_7 still refuse the file (the missing answers cannot be told from
    skipped ones)."""
    from unstuck.analysis.rowscores import MissingItemColumns

    items = ",".join(f"item_{j}" for j in range(1, 6))
    path = write(tmp_path, f"client_id,occasion,instrument,{items}\nA,1,gad7,1,1,1,1,1\n")
    with pytest.raises(MissingItemColumns):
        read_observations(path, INSTRUMENTS)
