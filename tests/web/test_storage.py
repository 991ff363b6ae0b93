"""The default SQLite database is private to the service's user and set up for concurrent saves."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from unstuck.cli import build_parser
from unstuck.web.env import SettingError
from unstuck.web.serving import default_workers
from unstuck.web.storage import private_dir, private_sqlite_file, sqlite_options


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_it_creates_the_data_folder_and_database_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        private_dir(tmp_path / "data")
        private_sqlite_file(tmp_path / "data" / "unstuck.sqlite3")
    finally:
        os.umask(old)
    assert mode(tmp_path / "data") == 0o700
    assert mode(tmp_path / "data" / "unstuck.sqlite3") == 0o600


def test_it_tightens_an_existing_readable_database(tmp_path: Path) -> None:
    db = tmp_path / "unstuck.sqlite3"
    sqlite3.connect(db).close()
    db.chmod(0o644)
    tmp_path.chmod(0o755)
    private_dir(tmp_path)
    private_sqlite_file(db)
    assert (mode(tmp_path), mode(db)) == (0o700, 0o600)


def test_a_database_file_that_cannot_be_written_is_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tightening the file's mode on a read-only disk ended every command in a traceback; a
    file the service may read but not write (another account's, or on a read-only disk)
    was served, and every save failed."""
    db = tmp_path / "unstuck.sqlite3"
    sqlite3.connect(db).close()

    def read_only(self: Path, mode: int) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    db.chmod(0o600)
    monkeypatch.setattr(Path, "chmod", read_only)
    private_sqlite_file(db)  # already private: nothing to change, so nothing is refused
    monkeypatch.undo()
    db.chmod(0o644)
    monkeypatch.setattr(Path, "chmod", read_only)
    with pytest.raises(SettingError, match="Read-only file system") as refused:
        private_sqlite_file(db)
    assert f"the SQLite file {db} cannot be used" in str(refused.value)
    assert "UNSTUCK_DATA_DIR" in str(refused.value)
    monkeypatch.undo()
    db.chmod(0o600)
    access = os.access
    # the file is another account's (its folder is still this one's)
    monkeypatch.setattr(os, "access", lambda p, m, **kw: Path(p) != db and access(p, m))
    with pytest.raises(SettingError, match="this account may not write to it"):
        private_sqlite_file(db)


def test_sqlite_writes_take_the_lock_up_front_in_wal_mode() -> None:
    options = sqlite_options()
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in str(options["init_command"])
    assert isinstance(options["timeout"], int)
    assert options["timeout"] >= 10


def test_serve_runs_several_processes_unless_dev() -> None:
    assert default_workers() == (os.cpu_count() or 1) + 1
    args = build_parser().parse_args(["serve"])
    assert (args.dev, args.workers, args.threads) == (False, None, 1)
    args = build_parser().parse_args(["serve", "--dev", "--workers", "3"])
    assert (args.dev, args.workers) == (True, 3)


def test_backup_and_restore_are_commands() -> None:
    args = build_parser().parse_args(["restore", "--force", "clinic.backup"])
    assert (args.file, args.force) == (Path("clinic.backup"), True)
    assert build_parser().parse_args(["backup", "x.backup"]).file == Path("x.backup")


def test_restore_and_send_due_say_which_database_and_settings_they_use(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Their --help named neither the database they act on nor (restore) the checksum file
    it checks, nor (send-due) that nothing is sent without the email settings."""
    for command, words in (
        ("restore", ["DATABASE_URL", "UNSTUCK_DATA_DIR", "FILE.sha256"]),
        ("send-due", ["DATABASE_URL", "UNSTUCK_DATA_DIR", "UNSTUCK_EMAIL_HOST"]),
    ):
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        shown = " ".join(capsys.readouterr().out.split())
        assert all(word in shown for word in words), shown


def test_serve_runs_polars_on_one_thread_per_worker(tmp_path: Path) -> None:
    """`unstuck serve` leaves polars one thread in each worker (the workers fill the cores),
    unless the clinic set POLARS_MAX_THREADS itself. polars reads the setting on import, so
    `unstuck.cli` must not import it: the server's start is stood in for by one that reports
    the size of the pool it would run with."""
    serve = (
        "import sys; from unstuck.web import commands; "
        "commands.serve = lambda *a, **k: print(__import__('polars').thread_pool_size()) or 0; "
        "from unstuck.cli import main; sys.exit(main(['serve']))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"POLARS_MAX_THREADS", "DATABASE_URL"}}
    env["UNSTUCK_DATA_DIR"] = str(tmp_path)

    def pool_size(**extra: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", serve], env={**env, **extra}, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return int(done.stdout.split()[-1])

    assert pool_size() == 1
    assert pool_size(POLARS_MAX_THREADS="2") == 2
