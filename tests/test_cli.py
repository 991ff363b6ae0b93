"""The `unstuck` command: its JSON is a contract other tools rely on."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from unstuck.cli import main

MEASURE_KEYS = {
    "first",
    "last",
    "change",
    "n",
    "reliable_change",
    "recovered",
    "reliably_recovered",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_json_has_total_severity_and_safety(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "phq9", "--answers", "1,2,0,3,1,0,2,1,0", "--json")
    assert code == 0
    result = json.loads(out)
    assert (result["total"], result["severity"], result["safety_alert"]) == (10, "moderate", False)


def test_score_raises_the_safety_alert_first_in_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "phq9", "--answers", "0,0,0,0,0,0,0,0,2")
    assert code == 0
    assert out.splitlines()[0].startswith("SAFETY: item 9 was answered above 0")
    assert "PHQ-9: total 2 of 27 (minimal)." in out


def test_score_prorates_a_skipped_item(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "score", "gad7", "--answers", "3,3,3,,3,3,3", "--json")
    result = json.loads(out)
    assert (result["total"], result["prorated"], result["missing_items"]) == (21, True, [4])


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        # Said "column 'item_9'" and "column 'answers', value 3": the command has no columns.
        ("1,2,0,3,1,0,2,1,4", "--answers: the answer to item 9, 4: must be one of 0, 1, 2, 3"),
        ("1,2,0,3,1,0,2,1,x", "--answers: the answer to item 9, 'x': not a whole number"),
        ("1,2,0", "--answers: PHQ-9 has 9 items; got 3 answers"),
    ],
)
def test_score_rejects_bad_answers_with_status_2(
    capsys: pytest.CaptureFixture[str], answers: str, message: str
) -> None:
    code, out, err = run(capsys, "score", "phq9", "--answers", answers)
    assert code == 2
    assert out == ""
    assert message in err
    assert "column" not in err


def test_score_names_an_unknown_instrument(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", "bdi2", "--answers", "1")
    assert code == 2
    assert "unknown instrument 'bdi2'" in err
    assert "phq9" in err


def caseload(tmp_path: Path) -> Path:
    path = tmp_path / "caseload.csv"
    path.write_text(
        "client_id,occasion,instrument,score,attendance\n"
        "C1,1,phq9,18,attended\nC1,2,phq9,,no_show\nC1,3,phq9,8,attended\n"
        "C2,1,phq9,12,attended\nC2,2,phq9,16,attended\n"
        "C3,1,gad7,9,attended\n"
    )
    return path


def test_analyze_json_follows_the_contract(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "analyze", str(caseload(tmp_path)), "--format", "json")
    assert code == 0
    clients = {c["client_id"]: c for c in json.loads(out)}
    assert set(clients) == {"C1", "C2", "C3"}
    for c in clients.values():
        assert {"client_id", "status", "flags", "explanations", "measures"} <= set(c)
        assert all(set(m) >= MEASURE_KEYS for m in c["measures"].values())
        assert c["explanations"]
    c1 = clients["C1"]["measures"]["phq9"]
    assert (c1["first"], c1["last"], c1["change"], c1["n"]) == (18, 8, -10, 2)
    assert (c1["reliable_change"], c1["recovered"], c1["reliably_recovered"]) == (
        "improved",
        True,
        True,
    )
    c2 = clients["C2"]["measures"]["phq9"]
    assert (c2["reliable_change"], c2["recovered"]) == ("unchanged", False)
    assert clients["C3"]["status"] == "insufficient_data"


def test_analyze_csv_and_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "analyze", str(caseload(tmp_path)), "--format", "csv")
    assert code == 0
    header, *rows = out.strip().splitlines()
    assert header.startswith("client_id,status,flags,instrument,first,last,change,n")
    assert len(rows) == 3
    code, out, _ = run(capsys, "analyze", str(caseload(tmp_path)), "--format", "text")
    assert "Clients: 3" in out
    assert "PHQ-9: 2 clients with 2+ scores" in out


def test_the_text_report_names_flags_in_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "worse.csv"
    path.write_text("client_id,occasion,instrument,score\nW,1,phq9,5\nW,2,phq9,19\n")
    code, out, _ = run(capsys, "analyze", str(path), "--format", "text")
    assert code == 0
    assert "W  [off track]  flags: Getting worse; Not on the expected course" in out
    assert "not_on_track" not in out


def test_analyze_with_a_custom_score_only_instrument(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bdi.csv"
    path.write_text("client_id,occasion,instrument,score\nA,1,bdi,30\nA,2,bdi,12\n")
    argv = ["analyze", str(path), "--instrument", "bdi", "--reliability", "0.9", "--sd", "10"]
    code, out, _ = run(capsys, *argv, "--cutoff", "14")
    assert code == 0
    bdi = json.loads(out)[0]["measures"]["bdi"]
    # Threshold 1.96 * 10 * sqrt(2 * (1 - 0.9)) = 8.77 points: an 18-point drop is reliable.
    assert (bdi["reliable_change"], bdi["recovered"], bdi["reliably_recovered"]) == (
        "improved",
        True,
        True,
    )
    code, _, err = run(capsys, "analyze", str(path), "--instrument", "bdi", "--sd", "10")
    assert code == 2
    assert "--reliability" in err


def test_analyze_stops_on_bad_rows_unless_told_to_skip(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("client_id,occasion,instrument,score\nA,1,phq9,5\nA,2,phq9,30\nB,1,phq9,7\n")
    code, out, err = run(capsys, "analyze", str(path))
    assert code == 2
    assert out == ""
    assert "row 3, column 'score', value '30': PHQ-9 totals run from 0 to 27" in err
    code, out, err = run(capsys, "analyze", str(path), "--skip-invalid")
    assert code == 0
    assert "left out 1 row" in err
    assert "row 3, column 'score'" in err
    assert {c["client_id"] for c in json.loads(out)["clients"]} == {"A", "B"}


@pytest.mark.parametrize("fmt", ["json", "csv", "text"])
@pytest.mark.parametrize("rows", ["", "\n,,,\n \t\n"])  # none, or only blank ones
def test_analyze_of_a_file_with_no_rows_writes_no_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str, rows: str
) -> None:
    """An empty report ([], "Clients: 0") with exit 0 read as a caseload with no one in it,
    as --skip-invalid leaving out every row would (refused since: the test below)."""
    header_only = tmp_path / "header.csv"
    header_only.write_text(f"client_id,occasion,instrument,score\n{rows}")
    code, out, err = run(capsys, "analyze", str(header_only), "--format", fmt)
    assert (code, out) == (2, "")
    assert err == (
        f"unstuck: {header_only}: the file has a header but no rows under it: check that this "
        "is the file you meant (an export of an empty list, or of the wrong sheet, looks like "
        "this)\n"
    )


def test_skip_invalid_that_leaves_out_every_row_writes_no_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An empty report after --skip-invalid would read as a caseload with no one in it."""
    all_bad = tmp_path / "bad.csv"
    all_bad.write_text("client_id,occasion,instrument,score\nA,1,phq9,99\nB,1,phq9,x\n")
    report = tmp_path / "report.txt"
    code, out, err = run(capsys, "analyze", str(all_bad), "--skip-invalid", "-o", str(report))
    assert code == 2
    assert "left out 2 rows" in err
    assert "row 2, column 'score', value '99'" in err
    assert err.rstrip().endswith("every row was left out, so there is no report.")
    assert not report.exists()
    assert out == ""


def test_analyze_reports_an_unreadable_or_missing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "analyze", str(tmp_path / "nope.csv"))
    assert code == 2
    assert "file not found" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, _, err = run(capsys, "analyze", str(empty))
    assert code == 2
    assert "empty" in err


def test_the_installed_command_prints_no_traceback_for_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("client_id,occasion,instrument,score\nA,1,phq9,abc\n")
    done = subprocess.run(
        [sys.executable, "-m", "unstuck.cli", "analyze", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "row 2, column 'score', value 'abc': not a number" in done.stderr


def test_instruments_lists_and_exports_fhir(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "instruments")
    assert code == 0
    assert {line.split()[0] for line in out.splitlines()} >= {"phq9", "gad7", "session_feedback"}
    code, out, _ = run(capsys, "instruments", "gad7", "--fhir")
    resource = json.loads(out)
    assert resource["resourceType"] == "Questionnaire"
    questions = resource["item"][0]["item"]
    assert [q["type"] for q in questions] == ["choice"] * 7


def test_demo_prints_a_report_marked_synthetic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--report", "--clients", "12")
    assert code == 0
    assert "SYNTHETIC DATA" in out
    assert "Clients: 12" in out


def test_help_explains_the_csv_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["analyze", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "client_id" in out
    assert "--skip-invalid" in out


def test_analyze_fills_status_flags_and_puts_safety_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "items.csv"
    header = "client_id,occasion,instrument," + ",".join(f"item_{i}" for i in range(1, 10))
    path.write_text(
        f"{header}\nR,1,phq9,2,2,2,2,2,2,1,1,0\nR,2,phq9,3,3,3,3,3,2,2,2,1\n"
        "G,1,phq9,2,2,2,2,2,2,1,1,0\nG,2,phq9,1,1,1,1,1,0,0,0,0\n"
    )
    code, out, _ = run(capsys, "analyze", str(path))
    assert code == 0
    clients = {c["client_id"]: c for c in json.loads(out)}
    assert clients["R"]["status"] == "off_track"
    assert clients["R"]["flags"][0] == "safety"
    assert "deterioration" in clients["R"]["flags"]
    assert clients["R"]["explanations"][0].startswith("Safety answer:")
    assert (clients["G"]["status"], clients["G"]["flags"]) == ("on_track", [])


def test_fit_writes_models_that_analyze_uses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "clinic.csv"
    models = tmp_path / "models.toml"
    assert run(capsys, "synth", str(data), "--clients", "300")[0] == 0
    code, out, _ = run(capsys, "fit", str(data), "-o", str(models))
    assert code == 0
    assert "PHQ-9: a client whose first score is" in out
    assert re.search(r"Fitted on \d+ clients .* inside the 80% band", out)
    code, out, _ = run(capsys, "analyze", str(data), "--models", str(models))
    assert code == 0
    assert "fitted on this clinic's data" in out
    # The text report says which expected course it used, and how well it fitted.
    _, shipped, _ = run(capsys, "analyze", str(data), "--format", "text")
    _, own, _ = run(capsys, "analyze", str(data), "--format", "text", "--models", str(models))
    assert "Expected course in use" in shipped
    assert (
        "PHQ-9: a client whose first score is 15.0 is expected to score 4.3 points lower by "
        "session 4" in shipped
    )
    assert "not fitted on patient data" in shipped
    assert re.search(r"PHQ-9: a client whose .* Fitted on \d+ clients", own)
    assert "Session feedback: a client" not in own


def test_a_clinic_thresholds_file_changes_the_rules(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from importlib import resources

    shipped = (resources.files("unstuck.progress") / "thresholds.toml").read_text()
    strict = tmp_path / "thresholds.toml"
    strict.write_text(shipped.replace("floor = 30", "floor = 36"))
    data = tmp_path / "fb.csv"
    data.write_text("client_id,occasion,instrument,score\nA,1,session_feedback,35\n")
    _, out, _ = run(capsys, "analyze", str(data))
    assert json.loads(out)[0]["flags"] == []
    _, out, _ = run(capsys, "analyze", str(data), "--thresholds", str(strict))
    assert json.loads(out)[0]["flags"] == ["alliance_rupture"]
    broken = tmp_path / "broken.toml"
    broken.write_text("[plateau]\nwindow = 3\n")
    code, _, err = run(capsys, "analyze", str(data), "--thresholds", str(broken))
    assert code == 2
    assert "broken.toml" in err


@pytest.mark.parametrize("option", ["--thresholds", "--models"])
@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"# caf\xe9 (saved in Latin-1)\n", "settings.toml: is not UTF-8 text"),
        (None, "settings.toml: cannot be read (No such file or directory)"),
        (b"[plateau\n", "settings.toml at line 1, column 9: is not valid TOML: "),
    ],
)
def test_a_settings_file_that_cannot_be_read_is_named_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    option: str,
    content: bytes | None,
    said: str,
) -> None:
    """A thresholds or models file saved in Latin-1 stopped analyze with a traceback
    (UnicodeDecodeError), and a missing one was '[Errno 2] No such file or directory'."""
    settings = tmp_path / "settings.toml"
    if content is not None:
        settings.write_bytes(content)
    data = tmp_path / "fb.csv"
    data.write_text("client_id,occasion,instrument,score\nA,1,phq9,12\n")
    code, out, err = run(capsys, "analyze", str(data), option, str(settings))
    assert (code, out) == (2, "")
    assert f"unstuck: {settings.parent}/{said}" in err
    assert "Errno" not in err


def test_an_unknown_option_is_named_with_the_commands_own_usage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["report", str(tmp_path / "x.csv"), "--format", "text"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: unstuck report ")
    assert "unstuck report: error: unrecognized arguments: --format text" in err


@pytest.mark.parametrize("given", [["--help"], ["-h"], ["migrate", "--help"], ["help"]])
def test_manage_passes_every_argument_to_django(
    monkeypatch: pytest.MonkeyPatch, given: list[str]
) -> None:
    """`unstuck manage --help` was refused as an unrecognized argument of unstuck's own."""
    from unstuck.web import commands

    passed: list[list[str]] = []
    monkeypatch.setattr(commands, "manage", lambda argv: passed.append(list(argv)) or 0)
    assert main(["manage", *given]) == 0
    assert passed == [given]


def test_python_m_unstuck_is_the_command(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("client_id,occasion,instrument,score\nA,1,phq9,abc\n")
    done = subprocess.run(
        [sys.executable, "-m", "unstuck", "analyze", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("unstuck: ")
    assert "row 2, column 'score', value 'abc': not a number" in done.stderr


@pytest.mark.parametrize("given", [["flush"], ["flush", "--no-input"], ["sqlflush"]])
def test_manage_flush_is_refused_in_words(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    given: list[str],
) -> None:
    """It was refused by the append-only audit log part way, with Django's message that 'the
    database isn't running or isn't configured correctly'."""
    data = tmp_path / "data"
    monkeypatch.setenv("UNSTUCK_DATA_DIR", str(data))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["manage", *given]) == 2
    err = capsys.readouterr().err
    assert "would empty the database, its audit log too" in err
    assert "nothing was changed" in err
    assert not data.exists()  # refused before the settings made a data folder


def test_setup_help_names_the_page_an_administrator_lands_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """It sent the administrator to "the administration screens (/admin/)"; they land on the
    Administration page, as the README calls it (tests/test_first_run.py signs in there)."""
    with pytest.raises(SystemExit):
        main(["setup", "--help"])
    words = " ".join(capsys.readouterr().out.split())
    assert "you land on the Administration page (/overview/)" in words
    assert "/admin/" not in words
