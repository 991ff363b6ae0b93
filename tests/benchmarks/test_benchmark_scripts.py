"""The issue-13 benchmarks run end to end on a tiny size and print every figure they promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_alert_burden_runs_on_20_clients_and_prints_each_target() -> None:
    out = run(
        "alert_burden.py", "--clients", "20", "--demo-clients", "12", "--demo-mix-clients", "200"
    )
    for kind in ("improving", "recovered", "deteriorating", "flat_severe"):
        assert f"\n{kind}: 5 clients" in out
    assert out.count("PASS") + out.count("FAIL") == 7
    assert "plateau while the latest PHQ-9 is below 10:" in out
    assert "clients of each kind" in out
    assert "demo caseload (unstuck demo --report --clients 12 --seed 7):" in out
    assert "of 12 clients flagged" in out
    assert "demo outcome mix (200 clients" in out


def test_real_data_runs_and_compares_the_status_with_the_20_percent_rule() -> None:
    out = run("real_data.py", "--occasions", "2")
    for name in ("Beat the Blues", "HELP", "Auranofin arthritis trial"):
        assert f"\n{name} (" in out
    assert out.count("status Youden") == 3
    assert out.count("< 20% improvement by") == 6
    assert "reliable deterioration so far" in out
    assert "AUC: minus percent improvement so far" in out


def test_real_data_numbers_sessions_by_the_weeks_elapsed_unless_told() -> None:
    # 2 months is weekly session 10, not session 2: the slow-response flag and the expected
    # course read it, so the status differs from the run with occasions counted 1, 2, 3.
    def statuses(out: str) -> list[str]:
        return [line for line in out.splitlines() if "Unstuck status" in line]

    weeks = run("real_data.py", "--occasions", "3")
    occasions = run("real_data.py", "--occasions", "3", "--numbering", "occasions")
    assert "session numbers: weeks" in weeks
    assert "session numbers: occasions" in occasions
    assert weeks.count("status Youden") == 3
    assert statuses(weeks) != statuses(occasions)


def test_real_data_judges_those_who_start_as_cases_unless_told() -> None:
    cases = run("real_data.py", "--occasions", "2")
    everyone = run("real_data.py", "--occasions", "2", "--everyone")
    assert "77 with the first 2 and room to improve, who started in the clinical range" in cases
    assert "with the first 2 and room to improve\n" in everyone
    assert "who started in the clinical range" not in everyone


def test_real_data_refuses_an_impossible_number_of_occasions() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "real_data.py"), "--occasions", "9"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0
    assert "--occasions: 9 must be from 2 to 4" in done.stderr
