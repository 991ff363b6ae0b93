"""Item answers are never lost to a file's shape or to a column's name.

Found by a tester of `unstuck analyze`:

- a PHQ-9 item 9 answer under a header such as ``PHQ9_9`` or ``Risk (PHQ-9 item 9)`` was
  ignored with only a notice: exit 0, "on track", no safety flag, and the false sentence that
  item 9 had no answer. Such a column now refuses the file, saying how to rename it.
- a total with PHQ-9 item 9 beside it, where the export gave GAD-7 rows a 0 in ``item_9``,
  made the whole file unreadable (even with --skip-invalid), saying the GAD-7 lacked item
  columns, so the PHQ-9's safety answer was never reported. The stray cell is a problem of
  its row, as it is when all nine item columns exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csv_files import analyze, write
from unstuck.analysis import read_observations
from unstuck.errors import InvalidRows
from unstuck.measures import load_instruments

INSTRUMENTS = load_instruments()
RISK_HEADER = "client_id,occasion,instrument,score,item_9\n"
BEYOND_GAD7 = (
    "row 3, column 'item_9', value '0': GAD-7 has 7 items, so this column should be empty on "
    "its rows (a GAD-7 given as a total in 'score' has no item answers)"
)


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
    assert "left out 1 row with 1 problem" in err
    assert BEYOND_GAD7 in err
    (client,) = json.loads(out)["clients"]
    assert client["flags"][0] == "safety"
    safety = client["explanations"][0]
    assert "PHQ-9 item 9 (a risk question) was answered above 0 at session 1" in safety
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
    (client,) = json.loads(out)["clients"]
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


# -- a column not read whose header names an item ------------------------------------------
# A PHQ-9 item 9 answered 2 under a header Unstuck does not read (only Q9, Item 9, item09 and
# the like are read) gave exit 0, "on track", no safety flag, and the false sentence that
# item 9 had no answer; only a notice named the column.
UNREAD_HEADERS = [
    ("PHQ-9 item 9", 9),
    ("PHQ9_9", 9),
    ("phq9_q9", 9),
    ("PHQ9 Q9 (self-harm)", 9),
    ("Risk (PHQ-9 item 9)", 9),
    ("GAD7_3", 3),
    ("GAD-7 3", 3),
    ("gad7_item3", 3),
    ("Question 9", 9),
    ("Item 9 (risk)", 9),
]


@pytest.mark.parametrize(("header", "item"), UNREAD_HEADERS)
def test_a_value_under_a_header_naming_an_item_refuses_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, item: int
) -> None:
    text = f"client_id,occasion,instrument,score,{header}\nT1,1,phq9,12,2\nT1,2,phq9,10,\n"
    for flags in ((), ("--skip-invalid",), ("--format", "text")):
        code, out, err = analyze(tmp_path, capsys, text, *flags)
        assert (code, out) == (2, ""), err  # nothing reported: no "on track", no "no answer"
        assert err == (
            f"unstuck: {tmp_path / 'input.csv'}: column {header!r} looks like item {item}'s "
            "answers, but Unstuck does not read it, so an answer there (a safety answer above "
            f"all) would be lost: rename it item_{item}. Answers item by item are read only "
            "from columns headed item_1, item_2, ... (or Q1, Item 1); a column that holds "
            "something else needs a name that does not look like an item's\n"
        )


def test_renamed_as_the_message_says_the_safety_answer_raises_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "client_id,occasion,instrument,score,item_9\nT1,1,phq9,12,2\n"
    code, out, err = analyze(tmp_path, capsys, text)
    assert (code, err) == (0, "")
    assert json.loads(out)[0]["flags"] == ["safety"]


def test_instruments_with_columns_of_their_own_are_told_to_share_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "client_id,occasion,instrument,PHQ9_1,GAD7_1\nT1,1,phq9,1,\nT1,1,gad7,,2\n"
    code, _, err = analyze(tmp_path, capsys, text)
    assert code == 2
    assert "rename PHQ9_1 to item_1, GAD7_1 to item_1. Answers to the same item of two " in err
    assert "each row's instrument says whose answers they are" in err


def test_a_clinics_own_instrument_names_its_items_too() -> None:
    from unstuck.analysis.columns import looks_like_an_item

    assert looks_like_an_item("CORE-10 4", ["core10"]) == 4
    assert looks_like_an_item("CORE-10 4", ["phq9"]) is None


@pytest.mark.parametrize(
    "header", ["PHQ9 severity", "PHQ-9 total", "PHQ9", "notes", "Sequence 2", "FAQ1"]
)
def test_a_header_that_names_no_item_is_only_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str
) -> None:
    text = f"client_id,occasion,instrument,score,{header}\nT1,1,phq9,12,2\n"
    code, _, err = analyze(tmp_path, capsys, text)
    assert (code, err) == (0, f"unstuck: Ignored column not used by Unstuck: {header}\n")


def test_an_empty_column_named_like_an_item_is_only_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "client_id,occasion,instrument,score,PHQ9_9\nT1,1,phq9,12,\nT1,2,phq9,10, \n"
    code, _, err = analyze(tmp_path, capsys, text)
    assert (code, err) == (0, "unstuck: Ignored column not used by Unstuck: PHQ9_9\n")


def test_an_answer_headed_item_0_refuses_its_row_never_read_nor_lost(tmp_path: Path) -> None:
    """An answer under item_0 (or Q0) beside item_1 .. item_9 was dropped in silence."""
    items = ",".join(f"item_{j}" for j in range(10))
    path = write(
        tmp_path, f"client_id,occasion,instrument,{items}\nT1,1,phq9,3,1,1,1,1,1,1,1,1,0\n"
    )
    with pytest.raises(InvalidRows) as caught:
        read_observations(path, INSTRUMENTS)
    assert [str(p) for p in caught.value.problems] == [
        "row 2, column 'item_0', value '3': items are numbered from 1 (item_1 is the first), so "
        "this column should be empty: if the export numbers them from 0, add 1 to each item "
        "column's number"
    ]
