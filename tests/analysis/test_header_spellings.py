"""Column names, instrument ids and attendance words as clinic exports spell them.

Found by review of `unstuck analyze`: item columns headed ``Item 1`` .. ``Item 9`` beside a
``score`` column were dropped in silence, so a PHQ-9 item 9 answered above 0 raised no safety
flag, and the report even said item 9 had no answer. Every spelling here is read as the
column (or word) it stands for, and a column that is not read is named, never lost quietly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csv_files import analyze, write
from unstuck.analysis.columns import column_name
from unstuck.analysis.csvinput import read_observations
from unstuck.cli import main
from unstuck.errors import InvalidRows
from unstuck.measures import load_instruments

INSTRUMENTS = load_instruments()
# Item 9 (the PHQ-9's risk question) answered 1 at both sessions; the totals agree.
ANSWERS = ("2,2,2,2,2,2,1,1,1", "1,1,1,1,1,1,1,1,1")
TOTALS = (15, 9)


def phq9_file(item: str, extra_header: str = "", extra: str = "") -> str:
    items = ",".join(item.format(n=n) for n in range(1, 10))
    rows = [
        f"SYN-001,{s},phq9,{total},{answers}{extra}"
        for s, (total, answers) in enumerate(zip(TOTALS, ANSWERS, strict=True), start=1)
    ]
    return "\n".join([f"client_id,occasion,instrument,score,{items}{extra_header}", *rows, ""])


@pytest.mark.parametrize(
    "item",
    [
        *("Item {n}", "item{n}", "item-{n}", "Item_{n}", "ITEM {n}", "item_0{n}"),
        *("Q{n}", "q{n}", "q_{n}"),
    ],
)
def test_a_safety_answer_in_item_columns_spelled_otherwise_raises_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], item: str
) -> None:
    code, out, err = analyze(tmp_path, capsys, phq9_file(item))
    assert code == 0, err
    (client,) = json.loads(out)
    assert "safety" in client["flags"]
    assert client["status"] != "on_track"
    assert not any("has no answer" in e for e in client["explanations"])
    assert err == ""  # every column was read


def test_a_bad_answer_is_named_under_the_column_as_the_file_heads_it(tmp_path: Path) -> None:
    text = phq9_file("Q{n}").replace("1,1,1,1,1,1,1,1,1", "1,1,1,1,1,1,1,1,5")
    with pytest.raises(InvalidRows) as caught:
        read_observations(write(tmp_path, text), INSTRUMENTS)
    assert {p.column for p in caught.value.problems} == {"Q9"}


def test_item_columns_named_twice_in_two_spellings_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "client_id,occasion,instrument,score,Item 1,item_1\nSYN-001,1,gad7,1,1,1\n"
    code, _, err = analyze(tmp_path, capsys, text)
    assert code == 2
    assert "'item_1' more than once (column 5 ('Item 1') and column 6 ('item_1'))" in err


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("Client ID", "client_id"),
        ("client id", "client_id"),
        ("Client-ID", "client_id"),
        ("ClientID", "client_id"),
        ("CLIENT_ID", "client_id"),
        ("Session", "occasion"),
        ("Session number", "occasion"),
        ("Occasion", "occasion"),
        ("Session date", "date"),
        ("Date", "date"),
        ("Instrument", "instrument"),
        ("Total", "score"),
        ("Total score", "score"),
        ("Attendance", "attendance"),
        ("notes", "notes"),
    ],
)
def test_header_spellings_are_read_as_the_column_they_stand_for(header: str, name: str) -> None:
    assert column_name(header) == name


def test_a_file_with_every_column_spelled_otherwise_is_analysed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "Client ID,Session,Session date,Instrument,Total,Attendance\n"
        "SYN-001,1,2026-03-02,PHQ-9,15,attended\nSYN-001,2,2026-03-09,PHQ-9,,no_show\n"
    )
    code, out, err = analyze(tmp_path, capsys, text)
    assert code == 0, err
    (client,) = json.loads(out)
    assert client["client_id"] == "SYN-001"
    assert client["attendance"]["no_show"] == 1


def test_columns_not_read_are_named_on_stderr_and_in_the_text_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = phq9_file("item_{n}", ",notes,therapist", ",seemed tired,T1")
    code, out, err = analyze(tmp_path, capsys, text)
    assert code == 0
    assert err == "unstuck: Ignored columns not used by Unstuck: notes, therapist\n"
    (client,) = json.loads(out)  # the JSON keeps its keys
    assert set(client) == {"client_id", "status", "flags", "explanations", "measures", "attendance"}
    code, out, err = analyze(tmp_path, capsys, text, "--format", "text")
    assert "Ignored columns not used by Unstuck: notes, therapist" in out


@pytest.mark.parametrize("spare", [",", ",,", ",,,", ", ,"])
def test_empty_columns_with_no_name_are_not_worth_a_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spare: str
) -> None:
    """Excel ends a header with a separator for every empty column it once held."""
    text = f"client_id,occasion,instrument,score{spare}\nSYN-001,1,gad7,3{spare}\n"
    code, _, err = analyze(tmp_path, capsys, text)
    assert (code, err) == (0, "")


def test_an_excel_header_ending_in_two_empty_columns_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the tester's export had it: a byte-order mark, semicolons, CRLF, two empty columns."""
    text = (
        "\ufeffClient ID;Session;Session date;Instrument;Total;Notes;;\r\n"
        "C-1;1;2026-01-05;PHQ-9;15;;;\r\nC-1;2;2026-01-12;PHQ-9;10;slept better;;\r\n"
    )
    code, out, err = analyze(tmp_path, capsys, text)
    assert code == 0, err
    assert err == "unstuck: Ignored column not used by Unstuck: Notes\n"
    assert json.loads(out)[0]["measures"]["phq9"]["change"] == -5


@pytest.mark.parametrize("spare", [",", ",,", ",,,"])
def test_a_column_with_no_name_that_holds_values_is_refused_saying_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spare: str
) -> None:
    """Unnamed, a column cannot be told from an answer (item 9 above all) typed without a
    heading: the file is refused, naming the column, a value and its row."""
    rows = [f"SYN-001,{n},gad7,3{spare}" for n in (1, 2, 3)]
    rows[1] += "call GP"
    rows[2] += "x"
    text = "\n".join([f"client_id,occasion,instrument,score{spare}", *rows, ""])
    code, out, err = analyze(tmp_path, capsys, text)
    assert (code, out) == (2, "")
    column = 5 + len(spare) - 1
    assert err == (
        f"unstuck: {tmp_path / 'input.csv'}: column {column} has no name in the header but "
        "holds values, such as 'call GP' in row 3 (and 1 more row): give it a name in the "
        "header (row 1), such as notes, or delete the column\n"
    )


# an en dash, an em dash, a minus sign and the typographic hyphen
@pytest.mark.parametrize("name", ["PHQ\u20139", "PHQ\u20149", "phq\u22129", "PHQ\u20109"])
def test_an_instrument_id_with_another_dash_is_read_like_a_hyphen(name: str) -> None:
    assert INSTRUMENTS.id_for(name) == "phq9"
    assert INSTRUMENTS.id_for("GAD\u20137") == "gad7"


def test_an_instrument_written_with_an_en_dash_in_a_file_is_analysed(tmp_path: Path) -> None:
    path = write(tmp_path, "client_id,occasion,instrument,score\nSYN-001,1,PHQ\u20139,12\n")
    assert read_observations(path, INSTRUMENTS).frame.get_column("instrument").to_list() == ["phq9"]


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("DNA", "no_show"),
        ("dna", "no_show"),
        ("Did not attend", "no_show"),
        ("Did-not-attend", "no_show"),
        ("No Show", "no_show"),
        ("noshow", "no_show"),
        ("Cancelled by client", "cancelled"),
        ("Client cancelled", "cancelled"),
        ("Canceled", "cancelled"),
        ("Attended", "attended"),
    ],
)
def test_attendance_words_clinic_systems_write_are_read(
    tmp_path: Path, word: str, kind: str
) -> None:
    path = write(
        tmp_path, f"client_id,occasion,instrument,score,attendance\nSYN-001,1,phq9,,{word}\n"
    )
    if kind == "attended":  # an attended session needs its score
        path = write(tmp_path, path.read_text().replace(",,", ",4,"))
    frame = read_observations(path, INSTRUMENTS).frame
    assert frame.get_column("attendance").to_list() == [kind]


@pytest.mark.parametrize(
    "word",
    [
        "Cancelled by therapist",
        "canceled by the therapist",
        "Therapist-Cancelled",
        "Cancelled (clinician)",
        "CANCELLED BY SERVICE",
        "provider cancelled",
    ],
)
def test_a_session_cancelled_by_the_therapist_is_refused_saying_what_to_do(
    tmp_path: Path, word: str
) -> None:
    """Not the client's missed session (README): relabelled `cancelled`, as the general
    message invited, it would count toward the withdrawal signal."""
    path = write(
        tmp_path,
        "client_id,occasion,instrument,score,attendance\n"
        f"SYN-001,1,phq9,12,attended\nSYN-001,2,phq9,,{word}\nSYN-001,3,phq9,,holiday\n",
    )
    with pytest.raises(InvalidRows) as caught:
        read_observations(path, INSTRUMENTS)
    assert [str(p) for p in caught.value.problems] == [
        f"row 3, column 'attendance', value {word!r}: a session the therapist cancelled is not "
        "one the client missed, and Unstuck does not count it: delete this row (writing "
        "'cancelled' instead would count it as the client's missed session, a sign of "
        "pulling away)",
        "row 4, column 'attendance', value 'holiday': attendance must be one of attended, "
        "late, cancelled, no_show",
    ]


def test_columns_named_like_items_but_not_read_refuse_the_file_saying_how_to_rename(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """They were only named in a notice, and the safety answer in PHQ9_9 was lost (see
    tests/analysis/test_item_columns.py)."""
    items = ",".join(f"PHQ9_{n}" for n in range(1, 10))
    text = f"client_id,occasion,instrument,score,{items}\nSYN-001,1,phq9,9,{ANSWERS[1]}\n"
    code, out, err = analyze(tmp_path, capsys, text)
    assert (code, out) == (2, "")
    assert "columns 'PHQ9_1', 'PHQ9_2', 'PHQ9_3'," in err
    assert "rename PHQ9_1 to item_1, PHQ9_2 to item_2, PHQ9_3 to item_3," in err
    assert "read only from columns headed item_1, item_2, ... (or Q1, Item 1)" in err


@pytest.mark.parametrize("command", ["fit", "report"])
def test_other_commands_reading_the_caseload_name_the_columns_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = write(tmp_path, phq9_file("item_{n}", ",notes", ",seemed tired"))
    argv = [command, str(path)]
    argv += ["-o", str(tmp_path / "models.toml"), "--min-clients", "2"] if command == "fit" else []
    main(argv)
    assert "unstuck: Ignored column not used by Unstuck: notes\n" in capsys.readouterr().err


def test_a_missing_column_lists_the_headers_as_the_file_writes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = analyze(tmp_path, capsys, "Patient,Session,Total\nSYN-001,1,4\n")
    assert code == 2
    assert "The file has: Patient, Session, Total." in err


@pytest.mark.parametrize("header", ["row", "Row", "_c", "_raw_score", "_written"])
def test_a_column_not_read_never_clashes_with_a_name_the_checks_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str
) -> None:
    # A column headed "row" stopped `unstuck analyze` with a traceback (DuplicateError).
    text = f"client_id,occasion,instrument,score,{header}\nSYN-001,1,phq9,5,7\n"
    code, out, err = analyze(tmp_path, capsys, text)
    assert code == 0
    assert json.loads(out)[0]["measures"]["phq9"]["last"] == 5
    assert err == f"unstuck: Ignored column not used by Unstuck: {header}\n"


def test_a_line_break_in_a_column_not_read_is_named_under_its_header(tmp_path: Path) -> None:
    text = 'client_id,occasion,instrument,score,Notes\nSYN-001,1,phq9,5,"tired\nlate"\n'
    with pytest.raises(InvalidRows) as caught:
        read_observations(write(tmp_path, text), INSTRUMENTS)
    assert [p.column for p in caught.value.problems] == ["Notes"]
