"""`unstuck report`: the team figures from a caseload CSV, with therapists and endings."""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

import pytest

from unstuck.cli import build_parser, main


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    rows = ["client_id,occasion,instrument,score"]
    for i in range(5):  # five of A's clients: 20 -> 6, reliably improved and recovered
        rows += [f"SYN-A{i},1,phq9,20", f"SYN-A{i},2,phq9,12", f"SYN-A{i},3,phq9,6"]
    rows += ["SYN-A9,1,phq9,6", "SYN-A9,2,phq9,20"]  # reliably worse
    rows += ["SYN-B1,1,phq9,18", "SYN-B1,2,phq9,16", "SYN-B2,1,phq9,14"]
    caseload = tmp_path / "caseload.csv"
    caseload.write_text("\n".join(rows) + "\n")
    therapists = tmp_path / "therapists.csv"
    therapists.write_text(
        "client_id,therapist\n"
        + "".join(f"SYN-A{i},Alex\n" for i in (0, 1, 2, 3, 4, 9))
        + "SYN-B1,Sam\nSYN-B2,Sam\n"
    )
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("client_id,ended\nSYN-B1,dropped_out\nSYN-A0,completed\nSYN-A1,ongoing\n")
    return caseload, therapists, outcomes


def test_report_prints_the_team_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    caseload, therapists, outcomes = _files(tmp_path)
    args = ["report", str(caseload), "--therapists", str(therapists), "--outcomes", str(outcomes)]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "group,clients,compared,improved,recovered,recovered_of,reliably_recovered,"
        "deteriorated,ended,ended_early,safety_open,plans_overdue,safety_alerts_open"
    )
    # everyone: 8 clients, 7 compared; 5 improved; cases at first: A0-4, B1 (6), recovered 5
    assert lines[1] == "All,8,7,5,5,6,5,1,2,1,0,,"
    assert lines[2] == "Alex,6,6,5,5,5,5,1,1,0,0,,"
    assert lines[3] == "Sam,2,1,,,,,,1,1,0,,"


def test_open_safety_alerts_and_overdue_plans_are_left_empty_as_a_file_cannot_know_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whether a safety answer has been followed up, and which plans are past their review
    date, are recorded only in the web app: a 0 would read as 'none open', 'none overdue'
    (plans_overdue was written 0)."""
    caseload = tmp_path / "caseload.csv"
    items = ",".join(f"item_{i}" for i in range(1, 10))
    caseload.write_text(f"client_id,occasion,instrument,{items}\nSYN-1,1,phq9,1,1,1,1,1,1,1,1,2\n")
    assert main(["report", str(caseload)]) == 0
    header, everyone, *_ = capsys.readouterr().out.splitlines()
    figures = dict(zip(header.split(","), everyone.split(","), strict=True))
    assert (figures["safety_open"], figures["safety_alerts_open"]) == ("1", "")
    assert figures["plans_overdue"] == ""


def test_without_therapists_everyone_is_one_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caseload, *_ = _files(tmp_path)
    assert main(["report", str(caseload)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("(therapist not given),8,7,5,")


def test_bad_inputs_get_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    caseload, therapists, _ = _files(tmp_path)
    therapists.write_text("client_id,who\nSYN-A0,Alex\n")
    assert main(["report", str(caseload), "--therapists", str(therapists)]) != 0
    assert "therapist" in capsys.readouterr().err
    assert main(["report", str(caseload), "--instrument", "nope"]) != 0
    assert "'nope'" in capsys.readouterr().err


def test_a_client_listed_twice_or_a_therapist_left_empty_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As --outcomes refuses a client listed twice: which therapist is right cannot be told
    (the last one used to win in silence)."""
    caseload, therapists, _ = _files(tmp_path)
    with therapists.open("a") as more:
        more.write("SYN-A0,Bob\nSYN-B3,\n")
    assert main(["report", str(caseload), "--therapists", str(therapists)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "unstuck: therapists.csv: 2 problems in 2 rows",
        "  row 10, column 'client_id', value 'SYN-A0': appears twice (rows 2 and 10): keep one "
        "row per client",
        "  row 11, column 'therapist', value (empty): therapist is empty: write the "
        "therapist's name or code",
    ]


def test_clients_the_therapists_file_does_not_list_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caseload, therapists, _ = _files(tmp_path)
    therapists.write_text(therapists.read_text().replace("SYN-B2,Sam\n", "SYN-B02,Sam\n"))
    assert main(["report", str(caseload), "--therapists", str(therapists)]) == 0
    out, err = capsys.readouterr()
    assert "(therapist not given),1," in out
    assert err == (
        f"unstuck: 1 client of {caseload} is not in {therapists} (SYN-B2), so counted under "
        "'(therapist not given)': add a row for each, or check that the codes are written the "
        "same in both files\n"
    )
    main(["report", str(caseload), "--therapists", str(therapists), "--table", "completion"])
    assert "1 client of" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--therapists", "--outcomes"])
def test_a_therapists_or_outcomes_file_with_no_rows_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    """An empty --outcomes file made every episode ongoing, 'ended 0', with exit 0."""
    caseload, therapists, outcomes = _files(tmp_path)
    path = therapists if option == "--therapists" else outcomes
    path.write_text(path.read_text().splitlines()[0] + "\n\n")
    assert main(["report", str(caseload), option, str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"unstuck: {path}: the file has a header but no rows under it")


def test_the_retention_curve_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caseload, _, outcomes = _files(tmp_path)
    args = ["report", str(caseload), "--outcomes", str(outcomes), "--table", "retention"]
    assert main(args) == 0
    # sessions: A0-A4 3 each, A9 2, B1 2 (ended early), B2 1; only B1 is an event
    assert capsys.readouterr().out.splitlines() == [
        "sessions,still_in_count,ended_early,last_seen_here,share_still_attending,share_lower_95,share_upper_95",
        "1,8,0,1,1.0000,1.0000,1.0000",
        "2,7,1,1,0.8571,0.3341,0.9786",
        "3,5,0,5,0.8571,0.3341,0.9786",
    ]


DATED = """client_id,date,instrument,score,attendance
SYN-1,2026-01-05,phq9,20,attended
SYN-1,2026-04-05,phq9,10,attended
SYN-1,2026-04-05,gad7,10,attended
SYN-2,2026-01-09,phq9,5,attended
SYN-2,2026-01-19,,,no_show
SYN-2,2026-02-19,phq9,14,late
"""


def test_quarters_and_completion_from_a_dated_caseload(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caseload = tmp_path / "dated.csv"
    caseload.write_text(DATED)
    outcomes = tmp_path / "ended.csv"
    outcomes.write_text("client_id,ended\nSYN-2,dropped_out\n")
    base = ["report", str(caseload), "--outcomes", str(outcomes), "--table"]
    assert main([*base, "quarters"]) == 0
    # Q1: both seen; SYN-2 5 -> 14 reliably worse (not a case at first), ended early at its
    # last session (February); SYN-1 has one score by March. Q2: SYN-1 20 -> 10 improved,
    # still in the clinical range (10), so not recovered.
    assert capsys.readouterr().out.splitlines() == [
        "period,seen,compared,improved,recovered,recovered_of,deteriorated,ended,ended_early",
        "2026 Q1,2,1,0,0,0,1,1,1",
        "2026 Q2,1,1,1,0,1,0,0,0",
    ]
    assert main([*base, "completion"]) == 0
    # four attended sessions (the missed one does not count; late does), one with a GAD-7
    assert capsys.readouterr().out.splitlines()[1:3] == ["All,phq9,4,4", "All,gad7,4,1"]


def test_without_outcomes_endings_are_left_empty_as_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'ended 0, ended_early 0' read as "no one ended early" when no one had said."""
    caseload, therapists, _ = _files(tmp_path)
    assert main(["report", str(caseload), "--therapists", str(therapists)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "All,8,7,5,5,6,5,1,,,0,,",
        "Alex,6,6,5,5,5,5,1,,,0,,",
        "Sam,2,1,,,,,,,,0,,",
    ]
    dated = tmp_path / "dated.csv"
    dated.write_text(DATED)
    assert main(["report", str(dated), "--table", "quarters"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "2026 Q1,2,1,0,0,0,1,,",
        "2026 Q2,1,1,1,0,1,0,,",
    ]


def test_the_retention_curve_needs_the_outcomes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its only events are endings 'dropped_out': without them it showed 100% still attending."""
    caseload, *_ = _files(tmp_path)
    assert main(["report", str(caseload), "--table", "retention"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "unstuck: --table 'retention': needs --outcomes FILE (client_id,ended): the curve "
        "counts episodes that ended early, and without that file none would, so it would show "
        "everyone still attending\n"
    )


def test_quarters_need_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    caseload, *_ = _files(tmp_path)
    assert main(["report", str(caseload), "--table", "quarters"]) != 0
    assert "needs a date on every row" in capsys.readouterr().err


@pytest.mark.parametrize(
    "shape",
    [
        "UTF-16",
        "semicolons",
        "tabs, CRLF and a byte-order mark",
        "blank lines",
        "CR only",
        "two empty columns",
    ],
)
def test_therapists_and_outcomes_are_read_as_the_caseload_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    """They were read as UTF-8 with commas only: a UTF-16 file ended in a traceback and a
    semicolon-separated one was refused for want of its columns."""
    caseload, therapists, outcomes = _files(tmp_path)
    args = ["report", str(caseload), "--therapists", str(therapists), "--outcomes", str(outcomes)]
    assert main(args) == 0
    expected = capsys.readouterr().out
    for path in (therapists, outcomes):
        text = path.read_text()
        if shape == "UTF-16":
            path.write_bytes(text.encode("utf-16"))
        elif shape == "semicolons":
            path.write_text(text.replace(",", ";"))
        elif shape == "blank lines":
            path.write_text(text.replace("\n", "\n \n", 2) + "\n\n")
        elif shape == "CR only":
            path.write_text(text.replace("\n", "\r"))
        elif shape == "two empty columns":
            path.write_text(text.replace("\n", ";;\n").replace(",", ";"))
        else:
            path.write_bytes(
                b"\xef\xbb\xbf" + text.replace(",", "\t").replace("\n", "\r\n").encode()
            )
    assert main(args) == 0, capsys.readouterr().err
    assert capsys.readouterr().out == expected


@pytest.mark.parametrize("option", ["--therapists", "--outcomes"])
def test_a_therapists_or_outcomes_file_not_in_utf8_is_refused_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    caseload, *_ = _files(tmp_path)
    path = tmp_path / "latin1.csv"
    column = "therapist" if option == "--therapists" else "ended"
    path.write_bytes(f"client_id,{column}\nSYN-A0,x\nSYN-A1,Jos\xe9\n".encode("latin-1"))
    assert main(["report", str(caseload), option, str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err == (
        f"unstuck: {path}: line 3 holds a byte that is not UTF-8 text (b'\\xe9'); save the "
        "file as CSV UTF-8\n"
    )


def test_rows_of_the_outcomes_file_keep_their_numbers_after_a_blank_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caseload, _, outcomes = _files(tmp_path)
    outcomes.write_text("client_id;ended\nSYN-A0;completed\n\nSYN-A1;dropout\n")
    assert main(["report", str(caseload), "--outcomes", str(outcomes)]) == 2
    assert "row 4, column 'ended', value 'dropout': must be one of" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        ["analyze"],
        ["report"],
        ["fit", "-o", "models.toml"],
        ["fit-dropout", "--outcomes", "ended.csv"],
    ],
)
def test_advice_names_only_options_the_command_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """Only analyze has --skip-invalid; the others were told to use it all the same."""
    caseload = tmp_path / "caseload.csv"
    items = ",".join(f"item_{i}" for i in range(1, 10))
    caseload.write_text(f"client_id,occasion,instrument,{items}\nSYN-1,1,phq9,3,3,3,2,2,2,2,9,1\n")
    (tmp_path / "ended.csv").write_text("client_id,ended\nSYN-1,completed\n")
    name, *rest = command
    argv = [name, str(caseload), *(str(tmp_path / a) if "." in a else a for a in rest)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "row 2, column 'item_9', value '1': a safety answer above 0" in err
    assert set(re.findall(r"--[a-z][a-z-]*", err)) <= options_of(name)
    assert ("--skip-invalid" in err) is (name == "analyze")


def test_score_advises_only_options_it_has(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "bdi", "--answers", "1"]) == 2
    err = capsys.readouterr().err
    assert "unknown instrument 'bdi'" in err
    assert set(re.findall(r"--[a-z][a-z-]*", err)) <= options_of("score")
    assert "unstuck --instruments-dir FOLDER score" in err


def options_of(command: str) -> set[str]:
    """The options `unstuck COMMAND` takes: its own and the ones before the command."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    actions = [*parser._actions, *commands.choices[command]._actions]
    return {option for action in actions for option in action.option_strings}


def test_report_reads_standard_input_as_analyze_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`unstuck report -` said "-: file not found", where its help says "as for analyze"."""
    caseload, therapists, _ = _files(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(caseload.read_bytes())))
    therapists.write_text("client_id,therapist\nSYN-B1,Sam\n")
    assert main(["report", "-", "--therapists", str(therapists)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1].startswith("All,8,7,5,")
    assert "unstuck: 7 clients of standard input are not in" in captured.err
