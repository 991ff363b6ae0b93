"""A clinic's score-only scale named on the command line (`unstuck.cli_scale`), and instrument
names as every command reads them: bad numbers are refused by option, never a traceback."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from unstuck.cli import main

SCALE = ["--instrument", "BDI-II", "--reliability", "0.9", "--sd", "10"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def scores(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "bdi.csv"
    path.write_text("client_id,occasion,instrument,score\n" + "\n".join(rows) + "\n")
    return path


H2 = ("A,1,BDI-II,30", "A,2,BDI-II,28", "A,3,bdi ii,25", "B,1,bdi_ii,20", "B,2,BDIII,10")


@pytest.mark.parametrize(
    ("options", "said"),
    [
        # Each stopped with a traceback, or reported nonsense, before the bounds.
        (["--sd", "10", "--cutoff", "1e307"], "--cutoff 1e+307: must be a number from 0 to"),
        (["--sd", "1e-300"], "--sd 1e-300: is too small: SDs and changes in points are at least"),
        (["--sd", "1e300"], "--sd 1e+300: is too large"),
        (["--sd", "1e-160"], "--sd 1e-160: is too small"),
        (["--sd", "10", "--cutoff", "-5"], "--cutoff -5.0: must be a number from 0 to 1,000,000"),
        (["--sd", "10", "--cutoff", "1e40"], "--cutoff 1e+40: must be a number from 0"),
        (["--sd", "10", "--cutoff", "1e400"], "--cutoff inf: must be a number from 0"),
        (["--sd", "10", "--reliability", "0.9999999"], "--reliability 0.9999999: with SD 10"),
    ],
)
def test_a_number_out_of_bounds_is_refused_naming_its_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, options: list[str], said: str
) -> None:
    argv = ["analyze", str(scores(tmp_path, *H2)), "--instrument", "BDI-II", "--reliability"]
    code, out, err = run(capsys, *argv, "0.9", *options)
    assert (code, out) == (2, "")
    assert err.startswith(f"unstuck: {said}")


def test_a_score_beyond_the_bounds_is_refused_by_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = ("A,1,BDI-II,30", "A,2,BDI-II,1e307", "A,3,BDI-II,-3", "A,4,bdi_ii,1e400")
    path = scores(tmp_path, *rows)
    code, out, err = run(capsys, "analyze", str(path), *SCALE, "--format", "text")
    assert (code, out) == (2, "")
    assert "row 3, column 'score', value '1e307': BDI-II totals run from 0 to 1000000" in err
    assert "row 4, column 'score', value '-3': BDI-II totals run from 0 to 1000000" in err
    assert "row 5, column 'score', value '1e400': too large a number" in err
    code, _, err = run(capsys, "analyze", str(path), *SCALE, "--skip-invalid")
    assert code == 0
    assert "left out 3 rows" in err


def test_the_scale_is_found_however_the_file_writes_it_and_shown_as_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = scores(tmp_path, *H2)
    code, out, _ = run(capsys, "analyze", str(path), *SCALE, "--cutoff", "14", "--format", "text")
    assert code == 0
    assert "BDI-II: 20 at session 1, 10 at session 2 (2 scores)" in out
    assert "BDI_II" not in out
    code, out, _ = run(capsys, "analyze", str(path), *SCALE)
    assert [set(c["measures"]) for c in json.loads(out)] == [{"bdi_ii"}, {"bdi_ii"}]


def test_a_name_that_is_already_an_instrument_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = scores(tmp_path, "A,1,phq9,10")
    argv = ["analyze", str(path), "--instrument", "PHQ-9", "--reliability", "0.9", "--sd", "5"]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith(
        "unstuck: --instrument 'PHQ-9': is already an instrument (phq9, built in)"
    )


def test_report_and_synth_find_an_instrument_however_it_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    caseload = tmp_path / "caseload.csv"
    argv = ["synth", str(caseload), "--clients", "6", "--instruments", "PHQ-9, gad 7"]
    code, _, _ = run(capsys, *argv)
    assert code == 0
    assert {line.split(",")[3] for line in caseload.read_text().splitlines()[1:]} == {
        "phq9",
        "gad7",
    }
    code, out, _ = run(capsys, "report", str(caseload), "--instrument", "GAD-7")
    assert code == 0
    assert out.startswith("group,clients,")
    code, _, err = run(capsys, "report", str(caseload), "--instrument", "BDI")
    assert code == 2
    assert "unknown instrument 'BDI'. Known instruments: gad7, phq9, session_feedback." in err


def clinic_of_scale(tmp_path: Path) -> Path:
    """60 clients of a score-only scale, improving in log(session) with noise."""
    chance = random.Random(3)
    rows = []
    for c in range(60):
        start, slope = chance.uniform(15, 45), chance.gauss(-4, 2)
        for s in range(1, 9):
            score = max(0, round(start + slope * math.log(s) + chance.gauss(0, 3)))
            rows.append(f"C{c},{s},BDI-II,{score}")
    return scores(tmp_path, *rows)


def test_fit_takes_the_same_options_and_analyze_uses_its_course(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The report's advice for a scale named on the command line ('fit the clinic's own with
    unstuck fit') can be followed: fit takes the same options, analyze uses what it wrote."""
    path, models = clinic_of_scale(tmp_path), tmp_path / "models.toml"
    code, out, _ = run(capsys, "analyze", str(path), *SCALE, "--format", "text")
    assert code == 0
    assert "give fit the same --instrument, --reliability and --sd" in out
    code, out, _ = run(capsys, "fit", str(path), "-o", str(models), *SCALE)
    assert code == 0
    assert out.startswith("BDI-II: a client whose first score is")
    assert "[bdi_ii]" in models.read_text()
    argv = ["analyze", str(path), *SCALE, "--models", str(models), "--format", "text"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    course = out.split("Expected course in use")[1].split("\n\n")[0]
    assert "BDI-II: a client whose first score is" in course
    assert "Source: fitted on this clinic's data (" in course
    for alone in (["--sd", "10"], ["--higher-is-better"]):  # the second was ignored in silence
        code, _, err = run(capsys, "fit", str(path), "-o", str(models), *alone)
        assert code == 2
        assert "--cutoff and --higher-is-better describe a scale of your own and need" in err
        code, out, err = run(capsys, "analyze", str(path), *alone)
        assert (code, out) == (2, "")
        assert "need --instrument NAME (its name in the file)" in err


# A clinic's definition file with a reliable change in points and a cutoff, but no SD (no
# `sd`, no clinical norm): no default expected course can be scaled to it.
NO_SD = """\
id = "core10"
name = "CORE-10"
version = "1"
license = "Free to use"
description = "Ten questions on distress; totals only."
higher_is_better = false
score_min = 0
score_max = 40

[change]
reliable_change_points = 6
caseness_cutoff = 11
source = "Barkham et al. (2013)"
"""
NO_COURSE = (
    "CORE-10 has no expected course, so Unstuck cannot tell whether its scores are off the "
    "expected course ('not on track'). To judge that, add the scale's standard deviation to "
    "its definition file (sd, with reliability, under [change]), or fit its course from your "
    "clinic's scores with `unstuck fit`."
)


def test_a_scale_without_an_sd_is_said_to_have_no_expected_course(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """It got no course, and the report said nothing: a client worse on it read 'on track'."""
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "core10.toml").write_text(NO_SD)
    path = tmp_path / "core.csv"
    path.write_text(
        "client_id,occasion,instrument,score\n"
        "A,1,core10,20\nA,2,core10,22\nA,3,core10,25\nB,1,core10,18\n"
    )
    scale = ["--instruments-dir", str(tmp_path / "defs"), "analyze", str(path)]
    code, out, _ = run(capsys, *scale, "--format", "text")
    assert code == 0
    course = out.split("Expected course in use (for 'not on track'):\n")[1].split("\n\n")[0]
    assert course == f"  {NO_COURSE}"
    code, out, _ = run(capsys, *scale)
    assert code == 0
    report = {c["client_id"]: c["explanations"] for c in json.loads(out)}
    assert NO_COURSE in report["A"]  # two scores: the course would have been read
    assert NO_COURSE not in report["B"]  # one score: nothing to judge yet
