"""`unstuck import` end to end: the real command, in a subprocess, on a new SQLite data folder."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from live import UNSTUCK

THERAPIST = """
from unstuck.web import commands
commands.setup()
from unstuck.web.accounts.models import Clinic, Role, User
User.objects.create_user(
    "alex", password="a-long-demo-password", clinic=Clinic.objects.get(), role=Role.THERAPIST,
    first_name="Alex", last_name="Rivera",
)
"""
ITEMS = ",".join(f"item_{j}" for j in range(1, 10))
GOOD = f"""client_id,occasion,date,attendance,instrument,{ITEMS}
C-1,0,2025-10-06,attended,phq9,3,3,2,2,2,2,2,1,0
C-1,1,2025-10-13,attended,phq9,2,2,1,1,1,1,1,1,0
C-1,2,2025-10-20,no_show,,,,,,,,,,
C-2,0,2025-10-07,attended,phq9,2,2,2,2,2,2,2,2,1
"""
BAD = f"""client_id,occasion,date,attendance,instrument,{ITEMS}
C-3,0,2025-10-06,attended,phq9,3,3,2,2,2,2,2,1,0
C-4,0,2025-10-06,sometimes,phq9,3,3,2,2,2,2,2,1,0
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A new clinic in its own data folder, with a therapist (alex) and an administrator."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNSTUCK_", "DATABASE_"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["UNSTUCK_DATA_DIR"] = str(tmp_path / "data")
    env["UNSTUCK_SETUP_PASSWORD"] = "an-administrator-password"
    setup = [
        *("setup", "--no-input", "--clinic", "Test clinic"),
        *("--username", "admin", "--email", "admin@example.org"),
    ]
    assert unstuck(env, *setup).returncode == 0
    made = subprocess.run(
        [sys.executable, "-c", THERAPIST], env=env, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr
    return env


def unstuck(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [UNSTUCK, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def counts(env: dict[str, str]) -> tuple[int, int, int]:
    """Clients, sessions and questionnaires in the data folder's database."""
    with closing(sqlite3.connect(Path(env["UNSTUCK_DATA_DIR"]) / "unstuck.sqlite3")) as db:
        return tuple(  # type: ignore[return-value]
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("records_client", "records_session", "records_measureresponse")
        )


def test_it_imports_once_and_says_what_it_stored(env: dict[str, str], tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    history.write_text(GOOD, encoding="utf-8")

    tried = unstuck(env, "import", str(history), "--therapist", "alex", "--dry-run")
    assert tried.returncode == 0, tried.stderr
    assert "importing would add 2 clients, 4 sessions and 3 questionnaires" in tried.stdout
    assert "Nothing was written (--dry-run)." in tried.stdout
    assert "checking them (a dry run: nothing is stored) ..." in tried.stderr
    assert "storing" not in tried.stderr  # it said "checking and storing them" on a dry run
    assert counts(env) == (0, 0, 0)

    done = unstuck(env, "import", str(history), "--therapist", "alex")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"Imported 2 clients, 4 sessions and 3 questionnaires from {history} for therapist "
        "alex (Alex Rivera).\n"
    )
    assert "1 client has a safety answer in the history with no check recorded (C-2)" in (
        done.stdout
    )
    assert "the intake is session 1" in done.stdout
    assert counts(env) == (2, 4, 3)

    again = unstuck(env, "import", str(history), "--therapist", "alex")
    assert again.returncode == 2
    assert "every client of the file (2) is already in this clinic" in again.stderr
    assert counts(env) == (2, 4, 3)


def test_a_bad_file_or_therapist_is_refused_and_nothing_is_written(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    done = unstuck(env, "import", str(bad), "--therapist", "alex")
    assert done.returncode == 2
    assert "row 3, column 'attendance', value 'sometimes': attendance must be one of" in (
        done.stderr
    )
    assert done.stderr.rstrip().endswith("unstuck: Nothing was written.")
    assert "Traceback" not in done.stderr
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    for name, words in (
        ("nobody", "there is no such account"),
        ("admin", "'admin' is an administrator, not a therapist"),  # it said "a administrator"
    ):
        refused = unstuck(env, "import", str(good), "--therapist", name)
        assert refused.returncode == 2
        assert words in refused.stderr
        assert "the clinic's therapists are: alex" in refused.stderr
    assert counts(env) == (0, 0, 0)


def test_an_outcomes_file_ends_the_listed_episodes_and_the_summary_says_so(
    env: dict[str, str], tmp_path: Path
) -> None:
    history = tmp_path / "history.csv"
    history.write_text(GOOD, encoding="utf-8")
    endings = tmp_path / "endings.csv"
    endings.write_text("client_id,ended\nC-1,dropped_out\nC-2,completed\n", encoding="utf-8")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("client_id,outcome\nC-1,dropped_out\n", encoding="utf-8")
    refused = unstuck(env, "import", str(history), "--therapist", "alex", "--outcomes", str(wrong))
    assert refused.returncode == 2
    assert "ended" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert counts(env) == (0, 0, 0)

    done = unstuck(env, "import", str(history), "--therapist", "alex", "--outcomes", str(endings))
    assert done.returncode == 0, done.stderr
    assert (
        "Episodes ended as endings.csv says, each on the client's last session's date: "
        "1 ended early without agreement; the other episodes stay open." in done.stdout
    )
    assert (
        "1 client listed as ended stays open (C-2): a safety answer in the history has no "
        "check recorded. Record the safety check on the client's page, then end the episode "
        "there." in done.stdout
    )
    with closing(sqlite3.connect(Path(env["UNSTUCK_DATA_DIR"]) / "unstuck.sqlite3")) as db:
        ended = db.execute(
            "SELECT c.code, e.ended_on, e.end_reason FROM records_episode e "
            "JOIN records_client c ON c.id = e.client_id ORDER BY c.code"
        ).fetchall()
    assert ended == [("C-1", "2025-10-20", "dropped_out"), ("C-2", None, "")]


def test_answers_followed_up_before_a_day_close_and_the_summary_says_so(
    env: dict[str, str], tmp_path: Path
) -> None:
    history = tmp_path / "history.csv"
    history.write_text(GOOD, encoding="utf-8")  # C-2's safety answer is on 2025-10-07
    for day, words in (
        ("7 Oct 2025", "'7 Oct 2025' is not a day written YYYY-MM-DD"),
        ("2999-01-01", "2999-01-01 is after today"),
    ):
        refused = unstuck(
            env, "import", str(history), "--therapist", "alex", "--safety-followed-up-before", day
        )
        assert refused.returncode == 2
        assert "--safety-followed-up-before" in refused.stderr
        assert words in refused.stderr
    done = unstuck(
        env,
        "import",
        str(history),
        "--therapist",
        "alex",
        "--safety-followed-up-before",
        "2025-10-08",
    )
    assert done.returncode == 0, done.stderr
    assert (
        "1 safety alert of answers given before 2025-10-08 was closed as followed up under "
        "the clinic's own procedure at the time" in done.stdout
    )
    assert "No safety alert is left open." in done.stdout
    assert "with no check recorded" not in done.stdout
