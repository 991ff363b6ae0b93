"""Real exports are read: occasion 0 is the intake, and a row with attendance but no
instrument is a session without a questionnaire (issue 13, section 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unstuck.analysis import analyze_file, read_observations
from unstuck.errors import InvalidRows
from unstuck.measures import load_instruments

INSTRUMENTS = load_instruments()
HEADER = "client_id,occasion,instrument,score,attendance\n"


def write(tmp_path: Path, text: str, name: str = "input.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidRows) as caught:
        read_observations(path, INSTRUMENTS)
    return [str(p) for p in caught.value.problems]


def client(path: Path) -> dict[str, object]:
    clients = analyze_file(path, INSTRUMENTS).summary.clients
    assert clients.height == 1
    row: dict[str, object] = clients.row(0, named=True)
    return row


def measure(path: Path) -> dict[str, object]:
    measures = analyze_file(path, INSTRUMENTS).summary.measures
    assert measures.height == 1
    row: dict[str, object] = measures.row(0, named=True)
    return row


# -- occasion 0: the intake or baseline ------------------------------------------------------


def test_occasion_0_is_read_as_the_first_occasion(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "SYN-1,0,phq9,20,\nSYN-1,1,phq9,17,\nSYN-1,2,phq9,12,\n")
    frame = read_observations(path, INSTRUMENTS).frame
    assert frame.get_column("occasion").to_list() == [0, 1, 2]
    m = measure(path)
    assert (m["first"], m["first_occasion"], m["last"], m["change"]) == (20.0, 0, 12.0, -8.0)
    assert m["reliable_change"] == "improved"
    assert "20 (severe) at session 0, 12 (moderate) at session 2" in m["sentence"]


@pytest.mark.parametrize(
    "scores",
    [
        (20, 17, 12, 9, 6, 5),  # improving
        (18, 18, 19, 18, 18, 19),  # flat and severe
        (12, 15, 19, 22, 25, 27),  # getting worse
        (20,),  # one score
    ],
)
def test_a_course_from_occasion_0_is_judged_as_the_same_course_from_1(
    tmp_path: Path, scores: tuple[int, ...]
) -> None:
    """Numbering from 0 changes the session numbers in the sentences, nothing else: the
    first score, the change from it, the expected course and every flag are the same."""
    from_0 = write(
        tmp_path, HEADER + "".join(f"SYN-1,{j},phq9,{s},\n" for j, s in enumerate(scores)), "a"
    )
    from_1 = write(
        tmp_path, HEADER + "".join(f"SYN-1,{j + 1},phq9,{s},\n" for j, s in enumerate(scores)), "b"
    )
    a, b = client(from_0), client(from_1)
    assert (a["status"], a["flags"], a["attendance"]) == (b["status"], b["flags"], b["attendance"])
    ma, mb = measure(from_0), measure(from_1)
    assert (ma["first_occasion"], mb["first_occasion"]) == (0, 1)
    assert ma["last_occasion"] == mb["last_occasion"] - 1
    same = ("first", "last", "change", "n", "reliable_change", "recovered", "first_severity")
    assert [ma[k] for k in same] == [mb[k] for k in same]


@pytest.mark.parametrize("value", ["-1", "0.5", "x"])
def test_an_occasion_below_0_or_not_whole_is_refused(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, HEADER + f"SYN-1,{value},phq9,20,\n")
    assert problems_of(path) == [
        f"row 2, column 'occasion', value '{value}': occasion must be a whole number "
        "(session number) from 0 up (0 is the intake or baseline)"
    ]


# -- attendance without an instrument: a session without a questionnaire ----------------------


def test_a_missed_session_without_an_instrument_is_read_as_its_attendance(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        HEADER + "SYN-1,1,phq9,20,attended\nSYN-1,2,,,no_show\nSYN-1,3,,,Cancelled\n"
        "SYN-1,4,phq9,14,attended\n",
    )
    frame = read_observations(path, INSTRUMENTS).frame
    assert frame.get_column("occasion").to_list() == [1, 2, 3, 4]
    assert frame.get_column("instrument").to_list() == ["phq9"] * 4
    assert frame.get_column("total").to_list() == [20.0, None, None, 14.0]
    assert frame.get_column("safety_unanswered").to_list() == [True, False, False, True]
    # Exactly as the same missed sessions written with the instrument and no score.
    named = write(
        tmp_path,
        HEADER + "SYN-1,1,phq9,20,attended\nSYN-1,2,phq9,,no_show\nSYN-1,3,phq9,,cancelled\n"
        "SYN-1,4,phq9,14,attended\n",
        "named.csv",
    )
    assert client(path) == client(named)
    assert client(path)["attendance"] == {
        "attended": 2,
        "late": 0,
        "cancelled": 1,
        "no_show": 1,
    }


def test_an_attended_session_without_a_questionnaire_counts_as_attended(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, HEADER + "SYN-1,0,phq9,20,attended\nSYN-1,1,,,attended\nSYN-1,2,phq9,15,late\n"
    )
    row = client(path)
    assert row["attendance"] == {"attended": 2, "late": 1, "cancelled": 0, "no_show": 0}
    assert measure(path)["n"] == 2  # no score is made up for the session without one


def test_a_mixed_export_is_read_whole(tmp_path: Path) -> None:
    """Intake at 0, two questionnaires a session, a missed session told once without an
    instrument, a session told by its questionnaire rows and an attendance row, a client
    with attendance only."""
    path = write(
        tmp_path,
        HEADER + "SYN-1,0,phq9,20,attended\n"
        "SYN-1,0,gad7,15,attended\n"
        "SYN-1,1,,,no_show\n"
        "SYN-1,2,,,attended\n"
        "SYN-1,2,gad7,12,attended\n"
        "SYN-1,2,phq9,16,attended\n"
        "SYN-2,0,,,attended\n"
        "SYN-2,1,,,cancelled\n",
    )
    observations = read_observations(path, INSTRUMENTS)
    frame = observations.frame
    assert frame.select("client_id", "occasion", "instrument", "total").rows() == [
        ("SYN-1", 0, "phq9", 20.0),
        ("SYN-1", 0, "gad7", 15.0),
        ("SYN-1", 1, "phq9", None),  # the client's first questionnaire in the file
        ("SYN-1", 2, "gad7", 12.0),  # the attendance row of session 2 (row 5) is not kept
        ("SYN-1", 2, "phq9", 16.0),
        ("SYN-2", 0, "gad7", None),  # no questionnaire at all: the first known instrument
        ("SYN-2", 1, "gad7", None),
    ]
    assert len(observations.client_codes) == frame.height
    clients = analyze_file(path, INSTRUMENTS).summary.clients
    assert clients.get_column("attendance").to_list() == [
        {"attended": 2, "late": 0, "cancelled": 0, "no_show": 1},
        {"attended": 1, "late": 0, "cancelled": 1, "no_show": 0},
    ]
    assert clients.get_column("status").to_list()[1] == "insufficient_data"


def test_dated_sessions_without_a_questionnaire_are_numbered_with_the_others(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "client_id,date,instrument,score,attendance\n"
        "SYN-1,2026-03-02,phq9,20,attended\nSYN-1,2026-03-09,,,no_show\n"
        "SYN-1,2026-03-16,phq9,15,attended\n",
    )
    frame = read_observations(path, INSTRUMENTS).frame
    assert frame.get_column("occasion").to_list() == [1, 2, 3]
    assert frame.get_column("attendance").to_list() == ["attended", "no_show", "attended"]


def test_an_attendance_row_that_disagrees_with_its_session_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "SYN-1,1,phq9,20,attended\nSYN-1,1,,,no_show\n")
    assert problems_of(path) == [
        "row 3, column 'attendance', value 'no_show': differs from row 2 for the same "
        "session (attended)"
    ]


def test_a_repeated_attendance_row_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "SYN-1,1,,,no_show\nSYN-1,1,,,no_show\nSYN-1,2,phq9,9,\n")
    frame = read_observations(path, INSTRUMENTS).frame
    assert frame.get_column("occasion").to_list() == [1, 2]
    # Beside a repeated questionnaire row, only that one is refused.
    path = write(
        tmp_path,
        HEADER + "SYN-1,1,,,no_show\nSYN-1,1,,,no_show\nSYN-1,2,phq9,9,\nSYN-1,2,phq9,9,\n",
    )
    assert problems_of(path) == [
        "row 5, column 'occasion', value '2': client SYN-1 already has a phq9 row for this "
        "session (row 4)"
    ]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("SYN-1,1,,20,attended", "instrument is empty: name the questionnaire this score"),
        ("SYN-1,1,,20,", "instrument is empty: name the questionnaire this score"),
        ("SYN-1,1,,,", "instrument is empty: a row without a questionnaire needs its attendance"),
        (" SYN-1 ,1,  ,,", "instrument is empty: a row without a questionnaire needs its"),
    ],
)
def test_a_row_without_an_instrument_and_without_an_attendance_or_with_a_score_is_refused(
    tmp_path: Path, row: str, reason: str
) -> None:
    path = write(tmp_path, HEADER + "SYN-1,0,phq9,20,attended\n" + row + "\n")
    found = problems_of(path)
    assert len(found) == 1, found
    assert found[0].startswith("row 3, column 'instrument', value ")
    assert reason in found[0]


def test_without_an_attendance_column_an_empty_instrument_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "client_id,occasion,instrument,score\nSYN-1,1,,\n")
    assert problems_of(path) == [
        "row 2, column 'instrument', value (empty): instrument is empty: a row without a "
        "questionnaire needs its attendance (attended, late, cancelled, no_show)"
    ]


def test_item_answers_without_an_instrument_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "client_id,occasion,instrument,item_1,item_2,attendance\nSYN-1,1,,1,2,attended\n",
    )
    found = problems_of(path)
    assert found == [
        "row 2, column 'instrument', value (empty): instrument is empty: name the questionnaire "
        "this score belongs to"
    ]


def test_skip_invalid_keeps_attendance_rows_and_leaves_out_bad_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER + "SYN-1,0,phq9,20,attended\nSYN-1,1,,,no_show\nSYN-1,2,,5,attended\n"
    )
    result = read_observations(path, INSTRUMENTS, skip_invalid=True)
    assert result.frame.get_column("row").to_list() == [2, 3]
    assert [(p.row, p.column) for p in result.skipped] == [(4, "instrument")]


def test_a_decimal_comma_is_refused_saying_a_point_is_expected(tmp_path: Path) -> None:
    """A European spreadsheet writes 12,0 in a semicolon-separated file: "not a number" alone
    left the reader to guess why."""
    items = ";".join(f"item_{i}" for i in range(1, 10))
    path = write(
        tmp_path,
        f"client_id;occasion;instrument;score;{items}\n"
        "A;1;phq9;12,0;;;;;;;;;\n"
        "A;2;gad7;;1,0;1;1;1;1;1;1;;\n"
        "A;3;phq9;x;;;;;;;;;\n",
    )
    assert problems_of(path) == [
        "row 2, column 'score', value '12,0': not a number: write decimals with a point "
        "(12.0), not a comma",
        "row 3, column 'item_1', value '1,0': not a number: write decimals with a point "
        "(1.0), not a comma",
        "row 4, column 'score', value 'x': not a number",
    ]


# -- a total with the risk item beside it -------------------------------------------------
# Many record systems export the PHQ-9 as its total and item 9 alone (the risk question).
RISK_HEADER = "client_id,occasion,instrument,score,Item 9\n"


def test_a_total_with_only_the_risk_item_is_read_and_the_risk_answer_counts(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, RISK_HEADER + "A,1,phq9,18,2\nA,2,phq9,15,0\nA,3,phq9,12,\n")
    row = client(path)
    assert row["flags"][0] == "safety"  # type: ignore[index]
    safety = row["explanations"][0]  # type: ignore[index]
    assert "item 9 (a risk question) was answered above 0 at session 1" in safety
    assert "Later questionnaires answered it 0 (session 2)" in safety
    scores = measure(path)
    assert (scores["first"], scores["last"], scores["n"]) == (18.0, 12.0, 3)
    observations = read_observations(path, INSTRUMENTS).frame
    assert observations.get_column("prorated").to_list() == [False] * 3
    # a blank risk answer is unanswered, never a 0
    assert observations.get_column("safety_unanswered").to_list() == [False, False, True]


def test_a_risk_answer_with_no_total_still_raises_the_safety_flag(tmp_path: Path) -> None:
    path = write(tmp_path, RISK_HEADER + "A,1,phq9,18,0\nA,2,phq9,,3\n")
    row = client(path)
    assert row["flags"] == ["safety"]
    assert measure(path)["n"] == 1  # the row without a total is no score


SAFETY_FIRST = "a safety answer above 0 in a row with problems: please check the client"


@pytest.mark.parametrize(
    ("rows", "problem", "safety"),
    [
        (
            "A,1,phq9,1,3\n",
            "column 'score', value '1': is less than the safety item's answer (3)",
            1,
        ),
        ("A,1,phq9,18,4\n", "column 'Item 9', value '4': must be one of 0, 1, 2, 3", 1),
        ("A,1,phq9,28,0\n", "column 'score', value '28': PHQ-9 totals run from 0 to 27", 0),
        ("A,1,phq9,12.5,0\n", "column 'score', value '12.5': PHQ-9 totals are whole numbers", 0),
    ],
)
def test_a_total_with_the_risk_item_is_checked_as_both(
    tmp_path: Path, rows: str, problem: str, safety: int
) -> None:
    """Each problem is named where it is; a risk answer above 0 in a refused row is named
    first (the client still needs the check)."""
    problems = problems_of(write(tmp_path, RISK_HEADER + rows))
    assert len(problems) == 1 + safety, problems
    assert problems[-1] == f"row 2, {problem}"
    assert all(SAFETY_FIRST in p for p in problems[:safety])


def test_some_items_other_than_the_risk_item_are_still_refused(tmp_path: Path) -> None:
    """Items 1 and 9 alone are not a total with its risk item: the rest are missing, and
    their answers cannot be told from skipped ones."""
    from unstuck.analysis.rowscores import MissingItemColumns

    path = write(tmp_path, "client_id,occasion,instrument,score,item_1,item_9\nA,1,phq9,9,1,0\n")
    with pytest.raises(MissingItemColumns):
        read_observations(path, INSTRUMENTS)
