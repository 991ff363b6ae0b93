"""Where the commands write: checked before any work, never over an input, whole or not at all."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from unstuck.cli import main
from unstuck.cli_output import write_output
from unstuck.errors import CannotWrite

CASELOAD = (
    "client_id,occasion,instrument,score\n"
    "A1,1,phq9,18\nA1,2,phq9,12\nA1,3,phq9,9\nB2,1,phq9,12\nB2,2,phq9,18\n"
)


@pytest.fixture
def caseload(tmp_path: Path) -> Path:
    path = tmp_path / "caseload.csv"
    path.write_text(CASELOAD, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "{csv}", "-o", "{csv}"],
        ["analyze", "{csv}", "--format", "text", "-o", "{link}"],
        ["report", "{csv}", "--output", "{csv}"],
        ["fit", "{csv}", "-o", "{csv}", "--min-clients", "2"],
        ["fit-dropout", "{csv}", "--outcomes", "{csv}", "-o", "{csv}"],
    ],
)
def test_an_output_that_is_the_input_is_refused_and_the_input_kept(
    capsys: pytest.CaptureFixture[str], caseload: Path, command: list[str]
) -> None:
    link = caseload.with_name("same.csv")
    link.symlink_to(caseload)
    argv = [a.format(csv=caseload, link=link) for a in command]
    code, err = run(capsys, *argv)
    assert code == 2
    assert "is the input file" in err
    assert "would replace it" in err
    assert caseload.read_text(encoding="utf-8") == CASELOAD


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{dir}", "is a folder"),
        ("{dir}/missing/out.json", "does not exist"),
        ("{dir}/pipe", "not an ordinary file"),  # a named pipe, as a device would be
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "{csv}", "-o"],
        ["report", "{csv}", "-o"],
        ["fit", "{csv}", "--min-clients", "2", "-o"],
        ["synth"],
        ["synth", "{dir}/new.csv", "--outcomes"],
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_any_work(
    capsys: pytest.CaptureFixture[str],
    caseload: Path,
    command: list[str],
    target: str,
    message: str,
) -> None:
    folder = caseload.parent
    os.mkfifo(folder / "pipe")  # never /dev/null: without the check it would be replaced
    argv = [a.format(csv=caseload, dir=folder) for a in [*command, target]]
    code, err = run(capsys, *argv)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == ["caseload.csv", "pipe"]  # nothing half done


def test_dash_is_the_screen(capsys: pytest.CaptureFixture[str], caseload: Path) -> None:
    assert main(["analyze", str(caseload), "-o", "-"]) == 0
    assert '"client_id":"A1"' in capsys.readouterr().out
    assert not (Path.cwd() / "-").exists()


def test_a_failed_write_keeps_the_old_file_whole(
    capsys: pytest.CaptureFixture[str], caseload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = caseload.with_name("report.json")
    report.write_text("yesterday's report", encoding="utf-8")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    code, err = run(capsys, "analyze", str(caseload), "-o", str(report))
    assert code == 2
    assert "No space left on device" in err
    assert report.read_text(encoding="utf-8") == "yesterday's report"
    assert sorted(p.name for p in caseload.parent.iterdir()) == ["caseload.csv", "report.json"]


def test_a_written_report_has_the_usual_permissions(
    capsys: pytest.CaptureFixture[str], caseload: Path
) -> None:
    report = caseload.with_name("report.json")
    assert main(["analyze", str(caseload), "-o", str(report)]) == 0
    mask = os.umask(0)
    os.umask(mask)
    assert report.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize(
    ("option", "value"),
    [("--clients", "0"), ("--clients", "-5"), ("--occasions", "0"), ("--instruments", "bdi")],
)
def test_synth_refuses_impossible_options_plainly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["synth", str(tmp_path / "x.csv"), option, value])
    assert stopped.value.code == 2
    assert f"argument {option}: '{value}'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("report.csv", "client_id,status,flags,"),
        ("REPORT.CSV", "client_id,status,flags,"),
        ("report.json", '[{"client_id":'),
        ("report.txt", "Unstuck report: "),
        ("report.out", '[{"client_id":'),  # a name of no format: the default, JSON
    ],
)
def test_without_format_the_output_files_name_decides(
    capsys: pytest.CaptureFixture[str], caseload: Path, name: str, starts: str
) -> None:
    """`-o report.csv` wrote JSON into the .csv file."""
    report = caseload.parent / name
    assert main(["analyze", str(caseload), "-o", str(report)]) == 0
    assert report.read_text(encoding="utf-8").startswith(starts)


def test_an_explicit_format_wins_over_the_files_name(
    capsys: pytest.CaptureFixture[str], caseload: Path
) -> None:
    report = caseload.parent / "report.csv"
    assert main(["analyze", str(caseload), "--format", "text", "-o", str(report)]) == 0
    assert report.read_text(encoding="utf-8").startswith("Unstuck report: ")


def test_the_demo_report_takes_its_format_from_the_files_name_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "demo.csv"
    assert main(["demo", "--report", "--clients", "3", "-o", str(report)]) == 0
    assert report.read_text(encoding="utf-8").startswith("client_id,status,flags,")
    assert main(["demo", "--report", "--clients", "3"]) == 0  # the screen: text, as before
    assert capsys.readouterr().out.startswith("Unstuck demo: ")


@pytest.mark.parametrize(
    "command", [["synth", "{csv}"], ["synth", "{dir}/synthetic.csv", "--outcomes", "{csv}"]]
)
def test_synth_never_writes_over_an_existing_file(
    capsys: pytest.CaptureFixture[str], caseload: Path, command: list[str]
) -> None:
    """A clinic's real export is often called caseload.csv (or ended.csv): synthetic data
    written there would destroy it, with exit 0."""
    code, err = run(capsys, *(a.format(csv=caseload, dir=caseload.parent) for a in command))
    assert code == 2
    assert f"{caseload}': the file already exists" in err
    assert "choose another name, or delete that file first. Nothing was written" in err
    assert caseload.read_text(encoding="utf-8") == CASELOAD
    assert sorted(p.name for p in caseload.parent.iterdir()) == ["caseload.csv"]


@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "{csv}", "-o", "{out}"],
        ["report", "{csv}", "-o", "{out}"],
        ["fit", "{csv}", "--min-clients", "2", "-o", "{out}"],
    ],
)
def test_a_report_or_model_is_written_over_its_older_self(
    capsys: pytest.CaptureFixture[str], caseload: Path, command: list[str]
) -> None:
    """Made again from its input in a moment, an old report is replaced as asked (only
    synthetic data, shaped like the clinic's own, is kept from an existing file)."""
    out = caseload.with_name("out.txt")
    out.write_text("yesterday's", encoding="utf-8")
    assert main([a.format(csv=caseload, out=out) for a in command]) == 0
    assert out.read_text(encoding="utf-8") != "yesterday's"


def test_a_file_that_appears_while_synthetic_data_is_made_is_kept(caseload: Path) -> None:
    """Checked before the work, and again before the new file takes the name."""
    with pytest.raises(CannotWrite, match="the file already exists"):
        write_output(caseload, "the output file", lambda out: out.write(b"SYN"), new=True)
    assert caseload.read_text(encoding="utf-8") == CASELOAD
    assert sorted(p.name for p in caseload.parent.iterdir()) == ["caseload.csv"]


def test_a_report_read_from_standard_input_is_titled_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`unstuck analyze - --format text` was titled 'Unstuck report: -'."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CASELOAD.encode())))
    assert main(["analyze", "-", "--format", "text"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        "Unstuck report: standard input",
        "==============================",
    ]


def test_problems_read_from_standard_input_name_it_so() -> None:
    """Rows refused from standard input were said to be in '<stdin>' (Python's name for it).
    A real process: only the real standard input carries that name."""
    import subprocess

    bad = "client_id,occasion,instrument,score\nA,1,phq9,30\n"
    run = subprocess.run(
        [sys.executable, "-m", "unstuck", "analyze", "-"],
        input=bad,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == "unstuck: standard input: 1 problem in 1 row"
