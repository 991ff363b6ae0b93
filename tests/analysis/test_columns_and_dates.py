"""A file's item columns cover every item of the instruments it answers item by item, and
each client's sessions are dated in their order: otherwise the file (or the row) is refused
with a message, never prorated or read out of order in silence (found by exploratory
testing of `unstuck analyze`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csv_files import write
from unstuck.analysis.csvinput import read_observations
from unstuck.cli import main
from unstuck.errors import InvalidRows, MissingColumns
from unstuck.measures import load_instruments

INSTRUMENTS = load_instruments()


def items(k: int) -> str:
    return ",".join(f"item_{i}" for i in range(1, k + 1))


def run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *flags: str
) -> tuple[int, str, str]:
    code = main(["analyze", str(write(tmp_path, text)), "--format", "csv", *flags])
    out, err = capsys.readouterr()
    return code, out, err


# -- item columns ---------------------------------------------------------------------------


def test_phq9_answers_in_seven_item_columns_are_refused_not_prorated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All 3s in item_1..item_7 were read as 21 prorated to 27, "severe", with exit 0."""
    rows = "A,1,phq9,3,3,3,3,3,3,3\nA,2,phq9,1,1,1,1,1,1,1\n"
    text = f"client_id,occasion,instrument,{items(7)}\n{rows}"
    for flags in ((), ("--skip-invalid",)):
        code, out, err = run(tmp_path, capsys, text, *flags)
        assert (code, out) == (2, "")
        assert err == (
            "unstuck: PHQ-9 answers are given item by item (from row 2), but the file has no "
            "column item_8, item_9: PHQ-9 has 9 items, item_1 to item_9, and each needs its "
            "column (leave an answer the client skipped empty)\n"
        )
    with pytest.raises(MissingColumns) as caught:  # a MissingColumns, for callers of the core
        read_observations(write(tmp_path, text), INSTRUMENTS)
    from unstuck.analysis.rowscores import MissingItemColumns

    assert isinstance(caught.value, MissingItemColumns)
    assert caught.value.missing == ("item_8", "item_9")


def test_instruments_with_fewer_items_share_the_item_columns(tmp_path: Path) -> None:
    text = (
        f"client_id,occasion,instrument,{items(9)}\n"
        "A,1,phq9,1,1,1,1,1,1,1,1,0\n"
        "A,1,gad7,2,2,2,2,2,2,2,,\n"
        "A,1,session_feedback,9,9,10,10,,,,,\n"
        "A,2,phq9,1,1,1,1,1,1,1,,0\n"  # a skipped item is still prorated
    )
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    assert frame.get_column("total").to_list() == [8.0, 14.0, 38.0, 8.0]
    assert frame.get_column("prorated").to_list() == [False, False, False, True]


def test_an_instrument_given_by_its_total_needs_no_item_columns(tmp_path: Path) -> None:
    """GAD-7 item by item in item_1..item_7, PHQ-9 as totals: nothing is missing."""
    text = (
        f"client_id,occasion,instrument,score,{items(7)}\n"
        "A,1,gad7,,1,1,1,1,1,1,1\n"
        "A,1,phq9,12,,,,,,,\n"
    )
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    assert frame.get_column("total").to_list() == [7.0, 12.0]


# -- dates in session order -----------------------------------------------------------------

DATED = "client_id,occasion,date,instrument,score,attendance\n"


def test_a_session_dated_before_an_earlier_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DATED + (
        "A,1,2026-01-01,phq9,18,attended\n"
        "A,2,2026-01-08,phq9,16,attended\n"
        "A,3,2026-01-15,phq9,14,attended\n"
        "A,4,2026-01-22,phq9,13,attended\n"
        "A,5,2025-03-01,phq9,12,attended\n"
        "B,1,2026-01-01,phq9,18,attended\n"
        "B,2,2027-01-01,phq9,12,attended\n"
    )
    code, out, err = run(tmp_path, capsys, text)
    assert (code, out) == (2, "")
    assert err.splitlines()[1:-1] == [
        "  row 6, column 'date', value '2025-03-01': is before the date of session 4 "
        "(2026-01-22) of this client: sessions are numbered in the order they happened; "
        "check both dates"
    ]
    assert err.splitlines()[-1].startswith("unstuck: fix these rows, or add --skip-invalid")
    code, out, err = run(tmp_path, capsys, text, "--skip-invalid")
    assert code == 0
    assert "left out 1 row with 1 problem:\n  row 6, column 'date'" in err
    # after the report's two lines about the row left out (a heading and the problem)
    assert out.splitlines()[3].startswith("A,on_track,")
    assert ",4,unchanged," in out.splitlines()[3]  # sessions 1 to 4


def test_every_row_of_a_session_dated_too_early_is_named_past_blank_dates(
    tmp_path: Path,
) -> None:
    """Compared with the latest earlier session, so the rows kept are in order; a session
    without a date is passed over; the intake (occasion 0) is a session too."""
    text = (
        "client_id,occasion,date,instrument,score\n"
        "A,0,2026-01-10,phq9,20\n"
        "A,1,2026-01-12,phq9,18\n"
        "A,2,,phq9,17\n"
        "A,3,2026-01-11,phq9,15\n"
        "A,3,2026-01-11,gad7,10\n"
        "A,4,2026-01-12,phq9,14\n"  # the same date as session 1: fine
        "B,1,2026-03-01,phq9,12\n"
        "B,2,2026-02-27,phq9,11\n"
        "C,0,2026-01-10,phq9,12\n"
        "C,1,2026-01-09,phq9,11\n"
    )
    with pytest.raises(InvalidRows) as caught:
        read_observations(write(tmp_path, text), INSTRUMENTS)
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        (5, "date", "2026-01-11"),
        (6, "date", "2026-01-11"),
        (9, "date", "2026-02-27"),
        (11, "date", "2026-01-09"),
    ]
    reasons = [p.reason.split(":")[0] for p in caught.value.problems]
    assert reasons == [
        "is before the date of session 1 (2026-01-12) of this client",
        "is before the date of session 1 (2026-01-12) of this client",
        "is before the date of session 1 (2026-03-01) of this client",
        "is before the date of session 0 (2026-01-10) of this client",
    ]


def test_sessions_in_date_order_whatever_the_row_order_are_read(tmp_path: Path) -> None:
    text = DATED + (
        "A,3,2026-01-15,phq9,14,attended\n"
        "A,1,2026-01-01,phq9,18,attended\n"
        "A,2,2026-01-01,phq9,,cancelled\n"
        "A,2,2026-01-01,gad7,,cancelled\n"
    )
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    assert frame.height == 4


def test_a_date_with_a_time_of_day_is_read_as_its_date(tmp_path: Path) -> None:
    """Record systems export a session's start (2026-12-03T10:00): the date written is the
    session's; it was refused with no word about the time."""
    text = (
        "client_id,date,instrument,score\n"
        "A,2026-12-03T10:00,phq9,15\nA,2026-12-10 09:30:00,phq9,12\n"
        "A, 2026-12-17T08:05:59.5 ,phq9,9\n"
    )
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    assert [str(d) for d in frame.get_column("date")] == ["2026-12-03", "2026-12-10", "2026-12-17"]
    assert frame.get_column("occasion").to_list() == [1, 2, 3]


@pytest.mark.parametrize(
    "value", ["2026-12-03T10:00Z", "2026-12-03T10:00+01:00", "2026-12-03T25:00"]
)
def test_a_date_with_a_time_zone_or_another_ending_is_refused_saying_to_write_the_date_alone(
    tmp_path: Path, value: str
) -> None:
    """With a time zone the day written need not be the clinic's: not guessed at."""
    with pytest.raises(InvalidRows) as caught:
        read_observations(
            write(tmp_path, f"client_id,date,instrument,score\nA,{value},phq9,5\n"), INSTRUMENTS
        )
    assert [str(p) for p in caught.value.problems] == [
        f"row 2, column 'date', value {value!r}: date must be a calendar date written "
        "YYYY-MM-DD (such as 2026-12-03); a time after the date is read only as HH:MM or "
        "HH:MM:SS, without a time zone (which can change the day): write the date alone"
    ]


def test_a_day_month_year_date_with_a_time_gets_the_not_guessed_message(tmp_path: Path) -> None:
    with pytest.raises(InvalidRows) as caught:
        read_observations(
            write(tmp_path, "client_id,date,instrument,score\nA,03/04/2026 10:00,phq9,5\n"),
            INSTRUMENTS,
        )
    (problem,) = caught.value.problems
    assert "a date like 03/12/2026 could be 3 December or 12 March, so it is not" in str(problem)
