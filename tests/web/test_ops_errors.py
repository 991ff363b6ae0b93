"""The web and operations commands refuse a bad setting or a busy port in one line, exit 2.

README: bad input never gives a traceback. A wrong DATABASE_URL, a data folder that cannot be
made or written, a backup folder that cannot be written and a port that is taken each ended
in one (or, for gunicorn, in "Unstuck is running" and then a failure). Real `unstuck`
processes; the PostgreSQL cases run when DATABASE_URL names a PostgreSQL server.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from live import UNSTUCK, _admin, free_port, wait_until_serving

BASE_URL = os.environ.get("DATABASE_URL", "")
postgresql_only = pytest.mark.skipif(
    not BASE_URL.startswith("postgres"), reason="needs DATABASE_URL naming a PostgreSQL server"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNSTUCK_", "DATABASE_"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["UNSTUCK_DATA_DIR"] = str(tmp_path / "data")
    return env


def unstuck(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [UNSTUCK, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def assert_refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2 and one plain line on standard error that holds each of `words`."""
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("unstuck: "), done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    for word in words:
        assert word in done.stderr


def _postgres(user: str, name: str) -> str:
    """A URL on the test's PostgreSQL server with another user or database name."""
    parts = urllib.parse.urlsplit(BASE_URL)
    return urllib.parse.urlunsplit(
        parts._replace(netloc=f"{user}@{parts.hostname}:{parts.port or 5432}", path=f"/{name}")
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("nonsense", ["DATABASE_URL is not a database address"]),
        ("", ["DATABASE_URL is empty"]),
        ("mysql://unstuck:s3cret@127.0.0.1/unstuck", ["not 'mysql'"]),
        ("sqlite://", ["names no SQLite file"]),
        ("postgresql://unstuck:s3cret@127.0.0.1:{free}/unstuck", ["nothing answers at 127."]),
        ("postgresql://unstuck:s3cret@no-such-host.invalid/x", ["'no-such-host.invalid'"]),
        pytest.param(
            "{no_database}", ["'ops_fix_no_such_database' does not exist"], marks=postgresql_only
        ),
        pytest.param("{no_role}", ["no user 'ops_fix_no_such_role'"], marks=postgresql_only),
    ],
)
def test_a_wrong_database_url_is_named_in_one_line(
    env: dict[str, str], url: str, words: list[str]
) -> None:
    env["DATABASE_URL"] = url.format(
        free=free_port(),
        no_database=_postgres("postgres", "ops_fix_no_such_database"),
        no_role=_postgres("ops_fix_no_such_role", "postgres"),
    )
    done = unstuck(env, "send-due")
    assert_refused(done, *words)
    assert "s3cret" not in done.stderr  # the URL's password is never repeated


@pytest.mark.parametrize(
    "command",
    [
        ["serve", "--port", "{port}"],
        ["serve", "--dev", "--port", "{port}"],
        ["setup", "--no-input"],
        ["demo", "--no-serve", "--clients", "1"],
        ["backup", "{tmp}/clinic.backup"],
        ["import", "{tmp}/history.csv", "--therapist", "alex"],
        ["manage", "check"],
    ],
)
def test_every_command_that_opens_the_database_says_so(
    env: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{free_port()}/unstuck"
    port = str(free_port())
    done = unstuck(env, *(part.format(port=port, tmp=tmp_path) for part in command))
    assert_refused(done, "nothing answers at 127.0.0.1:")
    assert "Unstuck is running" not in done.stdout


def test_a_data_folder_that_cannot_be_used_is_named(env: dict[str, str], tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    for folder, words in (
        (a_file, ["UNSTUCK_DATA_DIR", "is a file, not a folder"]),
        (a_file / "data", ["UNSTUCK_DATA_DIR", "cannot be used"]),
        (Path("/proc/1"), ["UNSTUCK_DATA_DIR", "/proc/1"]),  # not this account's to change
    ):
        env["UNSTUCK_DATA_DIR"] = str(folder)
        assert_refused(unstuck(env, "setup", "--no-input"), *words)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any folder")
def test_a_read_only_data_folder_is_named(env: dict[str, str], tmp_path: Path) -> None:
    parent = tmp_path / "read-only"
    parent.mkdir(mode=0o500)
    env["UNSTUCK_DATA_DIR"] = str(parent / "data")
    try:
        assert_refused(unstuck(env, "setup", "--no-input"), "UNSTUCK_DATA_DIR", "cannot be used")
    finally:
        parent.chmod(0o700)


@pytest.mark.parametrize(
    ("command", "outcome"),
    [
        (["backup", "{tmp}/clinic.backup"], "Nothing was written."),
        (["send-due"], "Nothing was sent."),
        (["import", "{tmp}/history.csv", "--therapist", "alex"], "Nothing was written."),
    ],
)
def test_a_database_with_no_clinic_is_refused_and_none_is_made(
    env: dict[str, str], tmp_path: Path, command: list[str], outcome: str
) -> None:
    """Run from the wrong folder (no UNSTUCK_DATA_DIR) they made an empty database and said
    "Backup written" (a backup no restore accepts) or sent nothing, exit 0."""
    args = [part.format(tmp=tmp_path) for part in command]
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    del env["UNSTUCK_DATA_DIR"]
    done = subprocess.run(
        [UNSTUCK, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert_refused(done, f"no Unstuck clinic in {cwd / 'unstuck-data'}", outcome)
    assert "UNSTUCK_DATA_DIR" in done.stderr
    assert list(cwd.iterdir()) == []  # no data folder, no empty database
    assert not (tmp_path / "clinic.backup").exists()
    env["UNSTUCK_DATA_DIR"] = str(tmp_path / "data")  # a database, migrated, never set up
    assert unstuck(env, "manage", "migrate", "--verbosity", "0").returncode == 0
    done = unstuck(env, *args)
    assert_refused(done, "no Unstuck clinic in the SQLite database", outcome)
    assert not (tmp_path / "clinic.backup").exists()


def _serve_once(env: dict[str, str], cwd: Path) -> str:
    """Start `unstuck serve --dev`, stop it once it answers; what it wrote to standard error."""
    port = free_port()
    server = subprocess.Popen(
        [UNSTUCK, "serve", "--dev", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}", 120)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    return stderr


def test_serve_on_a_database_with_no_clinic_says_so(env: dict[str, str], tmp_path: Path) -> None:
    """Started without UNSTUCK_DATA_DIR (a service file missing it) or in the wrong folder,
    it served a new empty database in silence: the staff only found their passwords refused."""
    del env["UNSTUCK_DATA_DIR"]
    warned = _serve_once(env, tmp_path)
    assert f"no Unstuck clinic in the SQLite database {tmp_path / 'unstuck-data'}" in warned
    assert "correct UNSTUCK_DATA_DIR (or DATABASE_URL)" in warned
    assert "run `unstuck setup`" in warned
    assert warned.startswith("unstuck: warning: "), warned
    assert warned.count("\n") == 1, warned
    env["UNSTUCK_SETUP_PASSWORD"] = "first-run-pass-2026"
    setup = ["setup", "--no-input", "--clinic", "SYN Clinic", "--username", "admin"]
    assert subprocess.run([UNSTUCK, *setup], env=env, cwd=tmp_path).returncode == 0
    assert "no Unstuck clinic" not in _serve_once(env, tmp_path)


@postgresql_only
def test_an_empty_postgresql_database_is_refused_and_left_empty(
    env: dict[str, str], tmp_path: Path
) -> None:
    name = f"ops_no_clinic_{os.getpid()}"
    admin = _postgres("postgres", "postgres")
    _admin(admin, f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = _postgres("postgres", name)
    try:
        for args in (["backup", str(tmp_path / "clinic.backup")], ["send-due"]):
            assert_refused(unstuck(env, *args), "no Unstuck clinic in the PostgreSQL database")
        assert not (tmp_path / "clinic.backup").exists()
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:  # not migrated either
            assert conn.execute("SELECT to_regclass('django_migrations')").fetchone() == (None,)
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_damaged_sqlite_database_is_named(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "unstuck.sqlite3").write_bytes(b"not a database " * 500)
    assert_refused(unstuck(env, "send-due"), "cannot be read", "unstuck restore --force")


def test_a_backup_folder_that_cannot_be_written_is_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    done = unstuck(env, "backup", "/proc/1/clinic.backup")
    assert_refused(done, "may not write in /proc/1")
    assert not (tmp_path / "data").exists()  # refused before the settings made a data folder
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert_refused(unstuck(env, "backup", str(fifo)), "not an ordinary file")


def test_a_folder_given_to_restore_names_the_backups_in_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`unstuck restore backups` said "no backup file at backups", as if nothing were there."""
    folder = tmp_path / "backups"
    folder.mkdir()
    empty = unstuck(env, "restore", str(folder))
    assert_refused(empty, f"{folder} is a folder with no backup made by `unstuck backup` in it")
    for day in (1, 3, 2):
        made = folder / f"unstuck-2026-01-0{day}.backup"
        for file in (made, made.with_name(made.name + ".sha256")):
            file.write_text("")
            os.utime(file, (day * 86400, day * 86400))
    (folder / "notes.txt").write_text("")  # no checksum beside it: not a backup
    done = unstuck(env, "restore", str(folder))
    newest = ", ".join(str(folder / f"unstuck-2026-01-0{day}.backup") for day in (3, 2, 1))
    assert_refused(done, "restore wants one backup file, such as (newest first) " + newest + ".")
    assert not (tmp_path / "data").exists()  # refused before the settings made a data folder


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


@pytest.mark.parametrize("dev", [[], ["--dev"]], ids=["gunicorn", "waitress"])
def test_a_port_in_use_is_refused_before_anything_starts(
    env: dict[str, str], tmp_path: Path, busy_port: int, dev: list[str]
) -> None:
    done = unstuck(env, "serve", "--port", str(busy_port), *dev)
    assert_refused(done, f"port {busy_port} on 127.0.0.1 is in use")
    assert "Unstuck is running" not in done.stdout
    assert not (tmp_path / "data").exists()  # refused before the database was made


@pytest.mark.parametrize("port", ["0", "70000", "-1", "eighty"])
def test_a_port_outside_1_to_65535_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, port: str
) -> None:
    """0 served on 8000 and 70000 ended in a traceback; 0 is refused rather than taken as "any
    free port", since the address is printed (and written into messages) before serving."""
    from unstuck.cli import main
    from unstuck.web import commands

    def never(*args: object, **kwargs: object) -> int:
        raise AssertionError("the port should have been refused before anything was served")

    monkeypatch.setattr(commands, "serve", never)
    monkeypatch.setattr(commands, "demo", never)
    for command in ("serve", "demo"):
        with pytest.raises(SystemExit) as stopped:
            main([command, "--port", port])
        assert stopped.value.code == 2
        assert "expected a port number, 1-65535" in capsys.readouterr().err


@pytest.mark.django_db
def test_setup_refuses_names_the_models_refuse() -> None:
    from unstuck.web.accounts.services import SetupError, check_setup_answers

    def check_names(clinic: str, username: str, email: str) -> None:
        check_setup_answers(clinic, username, email, "a-long-enough-pass-2026")

    check_names("SYN Clinic", "a.b+c@d-e_f", "admin@example.org")  # Django's user-name rule
    for clinic, username, email, words in (
        ("SYN Clinic", "bo ss/!", "", "user name 'bo ss/!': Enter a valid username"),
        ("SYN Clinic", "a" * 200, "", "user name: Ensure this value has at most 150"),
        ("C" * 300, "admin", "", "clinic name: Ensure this value has at most 200"),
        ("SYN Clinic", "admin", "e" * 250 + "@example.org", "e-mail: Ensure this value"),
    ):
        with pytest.raises(SetupError, match=words):
            check_names(clinic, username, email)


def test_the_demo_says_where_its_email_goes() -> None:
    from unstuck.web.commands import _where_email_goes

    with override_settings(EMAIL_HOST="smtp.example.org", EMAIL_FILE_PATH=""):
        assert _where_email_goes() == "emails are sent through the SMTP server smtp.example.org"
    with override_settings(EMAIL_HOST="", EMAIL_FILE_PATH="/srv/outbox"):
        assert _where_email_goes() == "emails are written to /srv/outbox"


def test_an_sqlite_too_old_for_a_clinics_records_is_refused_plainly() -> None:
    """Reading many clients at once passes thousands of values in one query, which SQLite
    refused before 3.32 ("too many SQL variables", in the middle of an import)."""
    from unstuck.errors import UnstuckError
    from unstuck.web.commands import check_sqlite_version

    with pytest.raises(UnstuckError, match=r"SQLite is version 3\.31\.1; Unstuck needs 3\.32"):
        check_sqlite_version((3, 31, 1))
    check_sqlite_version((3, 32, 0))
    check_sqlite_version(sqlite3.sqlite_version_info)  # this machine's
