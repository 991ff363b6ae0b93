"""Reading and checking the long CSV: good rows are kept, every bad value is named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from csv_files import write
from unstuck.analysis.csvinput import read_observations
from unstuck.errors import InvalidRows, MissingColumns
from unstuck.measures import load_instruments, score_only_instrument

INSTRUMENTS = load_instruments()
PHQ_HEADER = "client_id,occasion,instrument," + ",".join(f"item_{i}" for i in range(1, 10))


def problems_of(path: Path, instruments=INSTRUMENTS) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRows) as caught:
        read_observations(path, instruments)
    return [str(p) for p in caught.value.problems]


def test_it_scores_item_rows_and_keeps_totals(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{PHQ_HEADER}\nA,1,phq9,1,2,0,3,1,0,2,1,0\nA,2,phq9,0,0,0,1,0,0,0,0,1\n",
    )
    frame = read_observations(path, INSTRUMENTS).frame
    assert frame.get_column("total").to_list() == [10.0, 2.0]
    assert frame.get_column("safety_alert").to_list() == [False, True]
    assert frame.get_column("row").to_list() == [2, 3]
    assert frame.get_column("attendance").to_list() == ["attended", "attended"]


def test_it_accepts_totals_and_missed_sessions_without_a_score(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "client_id,occasion,instrument,score,attendance\n"
        "A,1,phq9,18,attended\nA,2,phq9,,cancelled\nA,3,phq9,,no-show\nA,4,PHQ9 ,12,Late\n",
    )
    frame = read_observations(path, INSTRUMENTS).frame
    assert frame.get_column("total").to_list() == [18.0, None, None, 12.0]
    assert frame.get_column("attendance").to_list() == ["attended", "cancelled", "no_show", "late"]
    # A total alone cannot show item 9: it is marked unknown, never read as "no risk".
    assert frame.get_column("safety_unanswered").to_list() == [True, False, False, True]


def test_it_prorates_and_keeps_incomplete_rows_without_a_total(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{PHQ_HEADER}\nA,1,phq9,2,2,2,2,2,2,2,2,\nA,2,phq9,2,,,,,,,,1\n",
    )
    frame = read_observations(path, INSTRUMENTS).frame
    first, second = frame.iter_rows(named=True)
    assert first["total"] == 18.0  # 16 over 8 answered items, times 9
    assert first["prorated"] is True
    assert first["safety_unanswered"] is True
    assert second["total"] is None
    assert second["incomplete"] is True
    assert second["safety_alert"] is True  # item 9 answered 1 still counts


def test_it_numbers_sessions_by_date_when_there_is_no_occasion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "client_id,date,instrument,score\n"
        "A,2026-03-10,phq9,9\nA,2026-03-03,phq9,14\nA,2026-03-03,gad7,10\nB,2026-01-01,phq9,3\n",
    )
    frame = read_observations(path, INSTRUMENTS).frame.sort("row")
    assert frame.get_column("occasion").to_list() == [2, 1, 1, 1]


def test_it_reads_headers_with_spaces_capitals_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffClient_ID , Occasion,INSTRUMENT,Score\nA, 1 ,gad7, 9 \n")
    frame = read_observations(path, INSTRUMENTS).frame
    assert frame.row(0, named=True)["total"] == 9.0
    assert frame.row(0, named=True)["occasion"] == 1


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "A,1,phq9,1,2,0,4,1,0,2,1,0",
            "row 2, column 'item_4', value '4': must be one of 0, 1, 2, 3",
        ),
        ("A,1,phq9,1,2,0,x,1,0,2,1,0", "row 2, column 'item_4', value 'x': not a number"),
        ("A,1,phq9,1,2,0,1.5,1,0,2,1,0", "row 2, column 'item_4', value '1.5': must be one of"),
        (
            "A,1,bdi,1,2,0,1,1,0,2,1,0",
            "row 2, column 'instrument', value 'bdi': unknown instrument",
        ),
        ("A,-1,phq9,1,2,0,1,1,0,2,1,0", "row 2, column 'occasion', value '-1': occasion must be"),
        ("A,two,phq9,1,2,0,1,1,0,2,1,0", "row 2, column 'occasion', value 'two'"),
        (
            ",1,phq9,1,2,0,1,1,0,2,1,0",
            "row 2, column 'client_id', value (empty): client_id is empty",
        ),
        ("A,1,gad7,1,2,0,1,1,0,2,1,", "row 2, column 'item_8', value '1': GAD-7 has 7 items"),
    ],
)
def test_it_names_row_column_and_value_of_a_bad_item_row(
    tmp_path: Path, line: str, expected: str
) -> None:
    messages = problems_of(write(tmp_path, f"{PHQ_HEADER}\n{line}\n"))
    assert any(m.startswith(expected) for m in messages), messages


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "A,1,phq9,28,attended",
            "row 2, column 'score', value '28': PHQ-9 totals run from 0 to 27",
        ),
        ("A,1,phq9,-1,attended", "value '-1': PHQ-9 totals run from 0 to 27"),
        ("A,1,phq9,nan,attended", "row 2, column 'score', value 'nan': not a number"),
        ("A,1,phq9,12.5,attended", "row 2, column 'score', value '12.5': PHQ-9 totals are whole"),
        ("A,1,phq9,,attended", "row 2, column 'score', value (empty): no score and no item"),
        (
            "A,1,phq9,5,maybe",
            "row 2, column 'attendance', value 'maybe': attendance must be one of",
        ),
    ],
)
def test_it_names_row_column_and_value_of_a_bad_score_row(
    tmp_path: Path, line: str, expected: str
) -> None:
    text = f"client_id,occasion,instrument,score,attendance\n{line}\n"
    messages = problems_of(write(tmp_path, text))
    assert any(expected in m for m in messages), messages


def test_it_rejects_a_bad_date(tmp_path: Path) -> None:
    messages = problems_of(
        write(tmp_path, "client_id,date,instrument,score\nA,03/04/2026,phq9,5\n")
    )
    # Day and month order is never guessed (03/04 is 3 April or 4 March): the message says
    # how to save the dates instead, in one line naming row, column and value.
    assert messages == [
        "row 2, column 'date', value '03/04/2026': date must be a calendar date written "
        "YYYY-MM-DD (such as 2026-12-03); a date like 03/12/2026 could be 3 December or "
        "12 March, so it is not guessed: save the dates as YYYY-MM-DD in Excel "
        "(Format Cells > Custom > yyyy-mm-dd)"
    ]


def test_a_date_that_is_not_day_month_year_gets_the_short_message(tmp_path: Path) -> None:
    messages = problems_of(
        write(tmp_path, "client_id,date,instrument,score\nA,2026-13-01,phq9,5\n")
    )
    assert messages == [
        "row 2, column 'date', value '2026-13-01': date must be a calendar date written "
        "YYYY-MM-DD (such as 2026-12-03)"
    ]


def test_it_rejects_a_score_that_disagrees_with_the_items(tmp_path: Path) -> None:
    header = PHQ_HEADER + ",score"
    messages = problems_of(write(tmp_path, f"{header}\nA,1,phq9,1,2,0,3,1,0,2,1,0,11\n"))
    assert messages == [
        "row 2, column 'score', value '11': does not match the total of the item answers (10)"
    ]


def test_it_rejects_a_second_row_for_the_same_session(tmp_path: Path) -> None:
    text = "client_id,occasion,instrument,score\nA,1,phq9,5\nA,2,phq9,6\nA,1,phq9,7\n"
    assert problems_of(write(tmp_path, text)) == [
        "row 4, column 'occasion', value '1': client A already has a phq9 row for this session "
        "(row 2)"
    ]


@pytest.mark.parametrize(
    ("rows", "repeat", "first"),
    [
        ("A,1,phq9,5\nA,1,phq9,7\nA,2,phq9,6\nB,1,phq9,3\n", 3, 2),  # in order, side by side
        ("A,1,phq9,5\nA,1,gad7,4\nA,1,phq9,7\nB,1,phq9,3\n", 4, 2),  # apart, in one session
        ("B,1,phq9,3\nA,1,phq9,5\nB,2,phq9,4\nA,1,phq9,7\n", 5, 3),  # clients out of order
    ],
)
def test_it_finds_a_repeated_row_wherever_it_is(
    tmp_path: Path, rows: str, repeat: int, first: int
) -> None:
    text = "client_id,occasion,instrument,score\n" + rows
    assert problems_of(write(tmp_path, text)) == [
        f"row {repeat}, column 'occasion', value '1': client A already has a phq9 row for this "
        f"session (row {first})"
    ]


def test_it_forgives_spaces_around_a_date(tmp_path: Path) -> None:
    text = "client_id,date,instrument,score\nA, 2026-03-02 ,phq9,5\nA,2026-03-09,phq9,4\n"
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    assert frame.get_column("date").to_list() == [date(2026, 3, 2), date(2026, 3, 9)]
    assert frame.get_column("occasion").to_list() == [1, 2]


def test_it_rejects_two_attendances_for_one_session(tmp_path: Path) -> None:
    text = (
        "client_id,occasion,instrument,score,attendance\nA,1,phq9,5,attended\nA,1,gad7,,no_show\n"
    )
    assert problems_of(write(tmp_path, text)) == [
        "row 3, column 'attendance', value 'no_show': differs from row 2 for the same session "
        "(attended)"
    ]
    # A blank attendance and a given one disagree too.
    text = "client_id,occasion,instrument,score,attendance\nB,1,phq9,5,\nB,1,gad7,4,late\n"
    assert problems_of(write(tmp_path, text)) == [
        "row 3, column 'attendance', value 'late': differs from row 2 for the same session (empty)"
    ]


def test_it_rejects_two_dates_for_one_session(tmp_path: Path) -> None:
    text = (
        "client_id,occasion,date,instrument,score\n"
        "A,1,2026-03-02,phq9,5\nA,1,2026-03-02,gad7,4\nA,1,2026-03-09,session_feedback,30\n"
        "B,1,2026-03-02,phq9,5\nB,1,,gad7,4\n"
    )
    assert problems_of(write(tmp_path, text)) == [
        "row 4, column 'date', value '2026-03-09': differs from row 2 for the same session "
        "(2026-03-02)",
        "row 6, column 'date', value (empty): differs from row 5 for the same session (2026-03-02)",
    ]


def test_it_reads_the_resistance_markers_of_each_session(tmp_path: Path) -> None:
    text = (
        "client_id,occasion,instrument,score,markers\n"
        "A,1,phq9,12,0\nA,1,gad7,9,0\nA,2,phq9,12,2\nA,2,gad7,9,2\nA,3,phq9,12,\n"
    )
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    assert frame.sort("occasion", "instrument").get_column("markers").to_list() == [0, 0, 2, 2, 0]
    without = read_observations(
        write(tmp_path, "client_id,occasion,instrument,score\nA,1,phq9,12\n"), INSTRUMENTS
    ).frame
    assert without.get_column("markers").to_list() == [0]


def test_it_rejects_bad_or_clashing_markers(tmp_path: Path) -> None:
    text = (
        "client_id,occasion,instrument,score,markers\n"
        "A,1,phq9,12,-1\nB,1,phq9,12,1.5\nC,1,phq9,12,1\nC,1,gad7,9,3\n"
    )
    assert problems_of(write(tmp_path, text)) == [
        "row 2, column 'markers', value '-1': markers must be a whole number from 0 up "
        "(signs of pulling back noted)",
        "row 3, column 'markers', value '1.5': markers must be a whole number from 0 up "
        "(signs of pulling back noted)",
        "row 5, column 'markers', value '3': differs from row 4 for the same session (1)",
    ]


def test_it_lists_every_problem_and_stores_nothing_by_default(tmp_path: Path) -> None:
    text = "client_id,occasion,instrument,score\nA,1,phq9,5\nA,2,phq9,99\nB,1,xyz,3\nB,2,phq9,4\n"
    with pytest.raises(InvalidRows) as caught:
        read_observations(write(tmp_path, text), INSTRUMENTS)
    err = caught.value
    assert (err.total, err.rows) == (2, 2)
    assert [p.row for p in err.problems] == [3, 4]
    assert "2 problems in 2 rows" in str(err)


def test_skip_invalid_keeps_the_good_rows_and_lists_the_bad_ones(tmp_path: Path) -> None:
    text = "client_id,occasion,instrument,score\nA,1,phq9,5\nA,2,phq9,99\nB,1,xyz,3\nB,2,phq9,4\n"
    result = read_observations(write(tmp_path, text), INSTRUMENTS, skip_invalid=True)
    assert result.frame.get_column("row").to_list() == [2, 5]
    assert (result.skipped_rows, result.skipped_problems) == (2, 2)
    assert [(p.row, p.column, p.value) for p in result.skipped] == [
        (3, "score", "99"),
        (4, "instrument", "xyz"),
    ]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("occasion,instrument,score", "client_id"),
        ("client_id,instrument,score", "occasion (or date)"),
        ("client_id,occasion,score", "instrument"),
        ("client_id,occasion,instrument", "score (or item_1..item_k)"),
    ],
)
def test_it_names_a_missing_column(tmp_path: Path, header: str, missing: str) -> None:
    with pytest.raises(MissingColumns) as caught:
        read_observations(write(tmp_path, header + "\n"), INSTRUMENTS)
    assert missing in caught.value.missing
    assert "The file has:" in str(caught.value)


def test_a_score_only_instrument_named_on_the_command_line_is_range_free(tmp_path: Path) -> None:
    bdi = score_only_instrument(
        "bdi", reliability=0.9, sd=10.0, cutoff=14.0, higher_is_better=False
    )
    instruments = INSTRUMENTS.with_instrument(bdi)
    path = write(tmp_path, "client_id,occasion,instrument,score\nA,1,bdi,30\nA,2,BDI,12.5\n")
    frame = read_observations(path, instruments).frame
    assert frame.get_column("total").to_list() == [30.0, 12.5]
    assert isinstance(frame, pl.DataFrame)


def test_dated_sessions_of_many_clients_are_not_mistaken_for_repeats(tmp_path: Path) -> None:
    lines = ["client_id,date,instrument,score,attendance"]
    for c in range(60):
        for week in range(3):
            day = 1 + c % 7 + 7 * week
            lines.append(f"K{c},2026-03-{day:02d},phq9,{10 + week},attended")
    frame = read_observations(write(tmp_path, "\n".join(lines) + "\n"), INSTRUMENTS).frame
    assert frame.height == 180
    assert sorted(set(frame.get_column("occasion").to_list())) == [1, 2, 3]


# A made-up clinic scale whose answers do not fit in a byte and whose totals do not fit in
# 16 bits: item answers are read as small integers when they look like it, and must still
# be checked and added up exactly.
BIG_STEPS = """
id = "bigsteps"
name = "Big steps (test)"
description = "A made-up scale whose answers and totals go beyond small integers."
higher_is_better = false
license = "Made up for a test."
options = [{value = 0, label = "None"}, {value = 5000, label = "All"}]
items = [
  {number = 1, text = "One"}, {number = 2, text = "Two"}, {number = 3, text = "Three"},
  {number = 4, text = "Four"}, {number = 5, text = "Five"}, {number = 6, text = "Six"},
  {number = 7, text = "Seven"}, {number = 8, text = "Eight"}, {number = 9, text = "Nine"},
]
bands = [{name = "any", low = 0, high = 45000}]
[missing]
max_missing = 0
source = "test rule"
"""


def test_large_item_answers_are_checked_and_added_exactly(tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "bigsteps.toml").write_text(BIG_STEPS, encoding="utf-8")
    instruments = load_instruments([folder])
    big = ",".join(["5000"] * 9)
    path = write(tmp_path, f"{PHQ_HEADER}\nA,1,bigsteps,{big}\nA,2,phq9,1,2,0,3,1,0,2,1,0\n")
    assert read_observations(path, instruments).frame.get_column("total").to_list() == [
        45000.0,
        10.0,
    ]
    # An answer beyond 16 bits is still named as a wrong answer, not misread.
    wrong = ",".join(["5000"] * 8 + ["70000"])
    messages = problems_of(write(tmp_path, f"{PHQ_HEADER}\nA,1,bigsteps,{wrong}\n"), instruments)
    assert messages == ["row 2, column 'item_9', value '70000': must be one of 0, 5000"]


@pytest.mark.parametrize("far", [False, True], ids=["in the first rows", "far down the file"])
def test_item_answers_written_with_a_decimal_point_are_read(tmp_path: Path, far: bool) -> None:
    # Some programs write whole numbers as "2.0"; the first rows decide how items are read,
    # and a file that changes style further down is read again the careful way.
    plain = [f"C{i:05d},1,phq9,1,2,0,3,1,0,2,1,0" for i in range(3000 if far else 0)]
    text = "\n".join(
        [PHQ_HEADER, *plain, "Z,1,phq9,1.0,2.0,0,3,1,0,2,1,0.0", "Z,2,phq9,1.5,2,0,3,1,0,2,1,0"]
    )
    path = write(tmp_path, text + "\n")
    messages = problems_of(path)
    assert messages == [
        f"row {len(plain) + 3}, column 'item_1', value '1.5': must be one of 0, 1, 2, 3"
    ]
    good = write(
        tmp_path, "\n".join([PHQ_HEADER, *plain, "Z,1,phq9,1.0,2.0,0,3,1,0,2,1,0.0"]) + "\n"
    )
    assert read_observations(good, INSTRUMENTS).frame.get_column("total").to_list()[-1] == 10.0


def test_spaces_around_a_client_id_do_not_make_another_client(tmp_path: Path) -> None:
    text = (
        "client_id,occasion,instrument,score\n"
        "A,1,phq9,20\n A,2,phq9,15\nA\t,3,phq9,9\n"
        "B,1,phq9,20\nB,2,phq9,18\n B ,3,phq9,17\n"
    )
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    assert frame.get_column("client_id").to_list() == ["A"] * 3 + ["B"] * 3
    # Plain ids are left as they are (and compared as they are).
    plain = "client_id,occasion,instrument,score\nA,1,phq9,20\nB,1,phq9,15\n"
    frame = read_observations(write(tmp_path, plain), INSTRUMENTS).frame
    assert frame.get_column("client_id").to_list() == ["A", "B"]


def test_session_numbers_and_markers_may_be_written_with_a_decimal_point(tmp_path: Path) -> None:
    # A program that writes a column with blanks as floats writes 1 as "1.0".
    text = "client_id,occasion,instrument,score,markers\nA,1.0,phq9,12.0,0\nA,2.0,phq9,9,1.0\n"
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    assert frame.get_column("occasion").to_list() == [1, 2]
    assert frame.get_column("markers").to_list() == [0, 1]
    broken = "client_id,occasion,instrument,score,markers\nA,1.5,phq9,12,0\nA,2,phq9,9,0.5\n"
    assert problems_of(write(tmp_path, broken)) == [
        "row 2, column 'occasion', value '1.5': occasion must be a whole number (session "
        "number) from 0 up (0 is the intake or baseline)",
        "row 3, column 'markers', value '0.5': markers must be a whole number from 0 up "
        "(signs of pulling back noted)",
    ]
