"""Files as spreadsheets and other programs write them are read whole, or refused with a
message naming what is wrong: never an empty report, a silently lost row or a traceback
(issue 15, "CLI")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from unstuck.cli import main

GOOD = "client_id,occasion,instrument,score\nSYN-1,1,phq9,20\nSYN-1,2,phq9,12\nSYN-2,1,gad7,9\n"


def analyze(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, *flags: str
) -> tuple[int, str, str]:
    path = tmp_path / "input.csv"
    path.write_bytes(data)
    code = main(["analyze", str(path), *flags])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("old Mac line endings (CR only)", GOOD.replace("\n", "\r").encode()),
        ("Windows line endings", GOOD.replace("\n", "\r\n").encode()),
        ("no line ending at the end", GOOD.rstrip("\n").encode()),
        ("a byte-order mark", b"\xef\xbb\xbf" + GOOD.encode()),
        ("CR only with a byte-order mark", b"\xef\xbb\xbf" + GOOD.replace("\n", "\r").encode()),
        ("UTF-16 (Unicode text)", GOOD.encode("utf-16")),
        ("semicolons", GOOD.replace(",", ";").encode()),
        ("tabs", GOOD.replace(",", "\t").encode()),
        ("Excel's separator hint", ("sep=;\n" + GOOD.replace(",", ";")).encode()),
        ("the hint, CRLF, a mark", ("\ufeffsep=;\r\n" + GOOD.replace(",", ";")).encode()),
        ("the hint as a cell", ('"sep=;";;;\n' + GOOD.replace(",", ";")).encode()),
        ("a comma hint", ("SEP=,\n" + GOOD).encode()),
        ("a tab hint in UTF-16", ("sep=\t\n" + GOOD.replace(",", "\t")).encode("utf-16")),
        ("a hint and CR only", ("sep=;\r" + GOOD.replace(",", ";").replace("\n", "\r")).encode()),
    ],
)
def test_every_row_is_read_whatever_the_file_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes
) -> None:
    code, out, err = analyze(tmp_path, capsys, data, "--format", "csv")
    assert (code, err) == (0, ""), name
    lines = out.splitlines()
    assert len(lines) == 3, (name, lines)  # the header and both clients
    assert [line[:6] for line in lines[1:]] == ["SYN-1,", "SYN-2,"]
    code, out, _ = analyze(tmp_path, capsys, data)
    assert '"n":2' in out.replace(" ", "")  # both of SYN-1's scores


def test_excel_hides_the_separator_hint_and_so_do_the_row_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ("sep=;\n" + GOOD.replace(",", ";").replace(";12\n", ";12 points\n")).encode()
    code, _, err = analyze(tmp_path, capsys, data)
    assert code == 2
    assert "row 3, column 'score', value '12 points': not a number" in err


def test_a_separator_hint_that_cannot_be_read_is_named_for_deletion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = analyze(tmp_path, capsys, ("sep=:\n" + GOOD.replace(",", ":")).encode())
    assert (code, out) == (2, "")
    assert err == (
        f"unstuck: {tmp_path / 'input.csv'}: the first line ('sep=:') is a separator hint for "
        "Excel that Unstuck cannot read: delete that line, so that the header (client_id, ...) "
        "is the first line\n"
    )


def test_a_cr_only_file_larger_than_the_sniffed_start_is_read_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [f"SYN-{c:05d},{o},phq9,{10 + o}" for c in range(3000) for o in (1, 2)]
    data = "\r".join(["client_id,occasion,instrument,score", *rows]).encode()
    assert len(data) > 1 << 16
    code, out, _ = analyze(tmp_path, capsys, data, "--format", "csv")
    assert code == 0
    assert len(out.splitlines()) == 3001


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "client_id,occasion,instrument,score,score",
            "the header names the column 'score' more than once (column 4 ('score') and "
            "column 5 ('score'))",
        ),
        (
            "client_id,occasion,instrument,score,CLIENT_ID",
            "the header names the column 'client_id' more than once (column 1 ('client_id') "
            "and column 5 ('CLIENT_ID'))",
        ),
        (
            "client_id,occasion,Instrument , instrument,score",
            "the header names the column 'instrument' more than once (column 3 ('Instrument ') "
            "and column 4 (' instrument'))",
        ),
        (
            "client_id,occasion,instrument,score,note,note",
            "the header names the column 'note' more than once",
        ),
    ],
)
def test_a_column_named_twice_is_refused_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, message: str
) -> None:
    row = ",".join(["SYN-1", "1", "phq9", "20", "phq9", "x"][: header.count(",") + 1])
    code, out, err = analyze(tmp_path, capsys, f"{header}\n{row}\n".encode())
    assert (code, out) == (2, "")
    assert message in err
    assert "Traceback" not in err


def test_a_quote_left_open_is_refused_not_read_as_one_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The open quote joins the next rows into one value; they must not vanish."""
    data = (
        b'client_id,occasion,instrument,score\nSYN-1,1,phq9,"20\nSYN-1,2,phq9,12\nSYN-1,3,phq9,"\n'
    )
    code, out, err = analyze(tmp_path, capsys, data + b"SYN-2,1,phq9,8\n")
    assert (code, out) == (2, "")
    assert "row 2, column 'score'" in err
    assert "holds a line break: a quote mark" in err
    code, out, err = analyze(tmp_path, capsys, data + b"SYN-2,1,phq9,8\n", "--skip-invalid")
    assert code == 0
    assert "left out 1 row" in err  # said, not silent


NOTE_ON_SEVERAL_LINES = (
    "holds a line break inside quote marks (a cell written on several lines, as Alt+Enter "
    "makes in Excel); Unstuck reads one line per row, since a line break cannot always be told "
    "from rows joined by a stray quote mark: remove the line breaks (in Excel, Find and "
    "Replace: Ctrl+J in 'Find what', a space in 'Replace with')"
)
QUOTE_LEFT_OPEN = (
    'holds a line break: a quote mark (") that is never closed joins the lines after it into '
    "this one value; close the quote or remove it"
)


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_a_quote_left_open_is_told_apart_from_a_note_on_several_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], separator: str
) -> None:
    """Both are refused (rows must never vanish), each with its own advice: the quoted note,
    closed as it should be, used to be blamed on a quote mark never closed."""
    lines = GOOD.replace(",", separator).splitlines()
    lines[0] += f"{separator}Notes"
    lines[2] += f'{separator}"tired{separator} sad\r\nslept badly"'  # Alt+Enter, saved
    code, _, err = analyze(tmp_path, capsys, "\n".join(lines).encode())
    assert code == 2
    shown = repr(f"tired{separator} sad\r\nslept badly")
    assert f"row 3, column 'Notes', value {shown}: {NOTE_ON_SEVERAL_LINES}" in err
    lines[2] = lines[2].replace(f'{separator} sad\r\nslept badly"', "")  # '"tired': open ...
    lines[3] += f'{separator}sad"'  # ... and a stray quote a row later closes it
    code, _, err = analyze(tmp_path, capsys, "\n".join(lines).encode())
    assert code == 2
    shown = repr("tired\n" + lines[3].rstrip('"'))  # SYN-2's row, swallowed
    assert f"row 3, column 'Notes', value {shown}: {QUOTE_LEFT_OPEN}" in err
    assert "Alt+Enter" not in err


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"client_id,occasion,instrument,score\nSYN-1,1,phq9,2\xe90\n",
            "line 2 holds a byte that is not UTF-8 text (b'\\xe9'); save the file as CSV UTF-8",
        ),
        (b"", "the file is empty"),
        (
            b"client_id,occasion,instrument,score\nSYN-1,1,phq9,20,5\n",
            "row 2, column '(whole row)', value 'SYN-1,1,phq9,20,5': has 5 fields where the "
            "header has 4: probably a comma inside a value",
        ),
        (
            b"client_id,occasion,instrument,score\nSYN\x00-1,1,phq9,20\n",
            "row 2, column 'client_id', value 'SYN\\x00-1': client_id holds a control character",
        ),
        (
            b"client_id,occasion,instrument,score\nSYN-1,1,phq9," + b"9" * 5000 + b"\n",
            "row 2, column 'score', value '99999",
        ),
        (
            b"client_id,occasion,instrument,score\nSYN-1," + b"9" * 30 + b",phq9,20\n",
            "row 2, column 'occasion', value '999999999999999999999999999999'",
        ),
    ],
)
def test_unreadable_input_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str
) -> None:
    code, out, err = analyze(tmp_path, capsys, data)
    assert (code, out) == (2, "")
    assert message in err, err
    assert len(err) < 2000  # a huge value is shown cut


def test_a_directory_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["analyze", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.startswith(f"unstuck: {tmp_path}: ")


def test_a_header_with_a_control_character_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"client_id,occasion,instrument,sc\rore\nSYN-1,1,phq9,20\n"
    code, out, err = analyze(tmp_path, capsys, data)
    assert (code, out) == (2, "")
    assert "column 4 of the header ('sc\\rore') holds a quote mark, a line break" in err


def test_a_stray_quote_in_the_header_is_refused_not_an_empty_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the fuzz test: polars reads such a header, then no row at all (exit 0, [])."""
    data = b'client_id,o"ccasion,instrument,score\nSYN-1,1,phq9,20\nSYN-1,2,phq9,18\n'
    code, out, err = analyze(tmp_path, capsys, data)
    assert (code, out) == (2, "")
    assert "column 2 of the header ('o\"ccasion') holds a quote mark" in err


def test_blank_lines_and_empty_rows_are_not_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spreadsheets often end a file with blank lines or rows of bare commas; the rows
    after a blank line keep the numbers a spreadsheet shows."""
    data = GOOD.replace("SYN-1,2", "\n,,,\nSYN-1,2") + "\n\n,,,\n"
    code, out, _ = analyze(tmp_path, capsys, data.encode(), "--format", "csv")
    assert code == 0
    assert len(out.splitlines()) == 3
    code, _, err = analyze(
        tmp_path, capsys, data.replace("SYN-1,2,phq9,12", "SYN-1,2,phq9,x").encode()
    )
    assert code == 2
    assert "row 5, column 'score', value 'x'" in err


HEADER = "client_id,occasion,instrument,score\n"


@pytest.mark.parametrize(("separator", "mark"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_a_row_with_more_fields_than_the_header_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], separator: str, mark: str
) -> None:
    """A comma in a note without quote marks: polars named no row ("found more fields than
    defined in 'Schema'"). The blank line is a row, as a spreadsheet shows it."""
    text = HEADER + "A,1,phq9,10\n\nA,2,phq9,5,extra,more\nA,3,phq9,4\nB,1,phq9,8\n"
    data = text.replace(",", separator).encode()
    code, out, err = analyze(tmp_path, capsys, data)
    assert (code, out) == (2, "")
    shown = "A,2,phq9,5,extra,more".replace(",", separator)
    assert err.splitlines()[1] == (
        f"  row 4, column '(whole row)', value {shown!r}: has 6 fields where the header has "
        f"4: probably a {mark} inside a value (such as a note) without quote marks around it; "
        f'put the value in quotes ("...") or remove the {mark}'
    )
    code, out, err = analyze(tmp_path, capsys, data, "--skip-invalid", "--format", "csv")
    assert code == 0
    assert "left out 1 row with 1 problem:\n  row 4, column '(whole row)'" in err
    # the report's heading and one line about the row left out, then the clients
    assert [line[:2] for line in out.splitlines()[1:]] == [",r", ",r", "A,", "B,"]
    code, out, _ = analyze(tmp_path, capsys, data, "--skip-invalid")
    assert '"n":2' in out.replace(" ", "")  # A's sessions 1 and 3


def test_a_row_with_more_fields_is_refused_for_that_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its values are misplaced, so "two" is not also reported as a bad session number."""
    code, _, err = analyze(tmp_path, capsys, (HEADER + "A,1,phq9,10\nA,two,phq9,5,x\n").encode())
    assert code == 2
    assert err.splitlines()[0].endswith(": 1 problem in 1 row")
    assert "row 3, column '(whole row)', value 'A,two,phq9,5,x': has 5 fields" in err


def test_a_carriage_return_inside_a_value_does_not_shift_the_row_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """polars keeps a lone CR in the value where Python's csv module would end a row there:
    the rows are counted as polars reads them, or the wrong row would be left out."""
    data = (HEADER + "A,1,phq9,1\r0\nA,2,phq9,5,x\nA,3,phq9,4\n").encode()
    code, _, err = analyze(tmp_path, capsys, data, "--skip-invalid")
    assert code == 0
    assert "left out 2 rows with 3 problems" in err  # the CR is refused in its own row
    assert "row 2, column 'score', value '1\\r0': not a number" in err
    assert "row 3, column '(whole row)', value 'A,2,phq9,5,x': has 5 fields" in err


@pytest.mark.parametrize(
    "rows",
    [
        'A,1,phq9,10,said "ok\nB,1,phq9,7,x"\nC,1,phq9,5\n',  # polars: one quoted value
        'A,1,phq9,10,1"A\n",",\nC,1,phq9,5\n',  # polars: "CSV malformed"
    ],
)
def test_longer_rows_whose_place_is_uncertain_refuse_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str
) -> None:
    """A quote mark inside a value (not around it) can make polars split the rows where
    Python's csv module does not: a row named then may not be that row of the table, so none
    is left out in its place; the file is refused naming the row."""
    code, out, err = analyze(tmp_path, capsys, (HEADER + rows).encode(), "--skip-invalid")
    assert (code, out) == (2, "")
    assert ": row 2 has 5 fields where the header has 4: probably a comma" in err


def test_every_row_longer_than_the_header_is_a_short_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"client_id,occasion,instrument\nA,1,phq9,10\nA,2,phq9,5\n"
    code, out, err = analyze(tmp_path, capsys, data, "--skip-invalid")
    assert (code, out) == (2, "")
    assert "every row has more fields than the header (row 2 has 4, the header 3)" in err


def test_empty_fields_past_the_header_lose_nothing_and_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (HEADER + "A,1,phq9,10,,\nA,2,phq9,5, ,\t\n").encode()
    code, out, err = analyze(tmp_path, capsys, data)
    assert (code, err) == (0, "")
    assert '"n":2' in out.replace(" ", "")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            'A,1,phq9,10\n"A,2,phq9,5\nA,3,phq9,4\n',
            "row 3, '\"A,2,phq9,5': a quote mark (\") opens a value that is never closed, so "
            "every line after it would be part of that one value; close the quote or remove it",
        ),
        (  # the value over two lines before it makes rows and lines differ
            'A,1,phq9,"1\n0"\n"A,2,phq9,5\nA,3,phq9,4\n',
            "row 3 (line 4 of the file), '\"A,2,phq9,5': a quote mark (\") opens a value",
        ),
        (
            'A,1,phq9,10\nA,2,phq9,"5"x\n',
            "row 3, 'A,2,phq9,\"5\"x': a value in quote marks is followed by more text",
        ),
    ],
)
def test_a_quote_mark_that_breaks_the_file_is_named_by_its_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, message: str
) -> None:
    """Never closed, the quote makes the rest of the file one value: no row after it can be
    read, so even --skip-invalid refuses the file (it would lose every row after it)."""
    for flags in ((), ("--skip-invalid",)):
        code, out, err = analyze(tmp_path, capsys, (HEADER + rows).encode(), *flags)
        assert (code, out) == (2, "")
        assert message in err, err


def test_lines_of_only_spaces_or_tabs_are_not_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = GOOD.replace("SYN-1,2", "   \n\t\n \t, ,\t,\nSYN-1,2")
    code, out, err = analyze(tmp_path, capsys, data.encode(), "--format", "csv")
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 3
    code, _, err = analyze(
        tmp_path, capsys, data.replace("SYN-1,2,phq9,12", "SYN-1,2,phq9,x").encode()
    )
    assert code == 2
    assert "1 problem in 1 row\n  row 6, column 'score', value 'x'" in err
    # A row with values is a row, whatever its client_id.
    code, _, err = analyze(tmp_path, capsys, (GOOD + "  ,3,phq9,9\n").encode())
    assert code == 2
    assert "row 5, column 'client_id', value '': client_id is empty" in err


def test_a_pipe_or_a_device_is_read_as_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`unstuck analyze <(command)` names a pipe (/dev/fd/63; here /dev/stdin) and
    `/dev/null` a device: neither can be mapped into memory or read twice as a file is, and
    both ended in a traceback ("No such device")."""
    done = subprocess.run(
        [sys.executable, "-m", "unstuck.cli", "analyze", "/dev/stdin", "--format", "csv"],
        input=GOOD,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert [line.split(",")[0] for line in done.stdout.splitlines()[1:]] == ["SYN-1", "SYN-2"]
    assert main(["analyze", os.devnull]) == 2
    assert capsys.readouterr().err == f"unstuck: {os.devnull}: the file is empty\n"
