"""`unstuck backup` and `unstuck restore`, end to end through the command line.

A clinic's records (the demo's synthetic clients plus saves through the services, which write
audit rows) are backed up, restored into an empty database, and compared table by table, row by
row: every record is there and the audit log's timestamps are exact. On SQLite, or on
PostgreSQL when DATABASE_URL names one (fresh databases on that server, dropped afterwards).
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from live import UNSTUCK, _admin

SEED = """
import datetime as dt
from unstuck.web import commands
commands.setup()
commands.migrate()
from unstuck.web.accounts.models import User
from unstuck.web.demo import load_demo
from unstuck.web.records import services
load_demo(clients=6, seed=3)
alex = User.objects.get(username="alex")
client = services.create_client(therapist=alex, code="SYN-BK1", started_on=dt.date(2026, 1, 5))
for week in range(3):
    services.record_session(
        user=alex,
        client=client,
        data=services.SessionInput(
            date=dt.date(2026, 1, 5) + dt.timedelta(days=7 * week),
            attendance="attended",
            answers={"phq9": [2, 2, 1, 1, 2, 1, 1, 0, 0]},
            note="synthetic note",
        ),
    )
"""


class Database:
    """One database the `unstuck` command is pointed at, and a way to read every table."""

    def __init__(self, data_dir: Path, postgres: str | None) -> None:
        self.data_dir = data_dir
        self.postgres = postgres
        self.env = dict(os.environ, UNSTUCK_DATA_DIR=str(data_dir))
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        if postgres:
            self.env["DATABASE_URL"] = postgres
        else:
            self.env.pop("DATABASE_URL", None)

    def unstuck(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [UNSTUCK, *args], env=self.env, capture_output=True, text=True, check=False
        )

    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        if self.postgres is None:
            with closing(sqlite3.connect(self.data_dir / "unstuck.sqlite3")) as conn:
                names = [
                    r[0]
                    for r in conn.execute(
                        "SELECT name FROM sqlite_master WHERE type='table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                    )
                ]
                return {
                    n: conn.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names
                }
        import psycopg

        with psycopg.connect(self.postgres) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema='public' ORDER BY table_name"
                )
            ]
            return {
                n: conn.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall()  # type: ignore[arg-type]
                for n in names
            }


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield Database(tmp_path / "a", None), Database(tmp_path / "b", None)
        return
    parts = urllib.parse.urlsplit(base)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    prefix = f"{parts.path.lstrip('/') or 'unstuck'}_backup{os.getpid()}"
    urls = []
    for side in ("a", "b"):
        _admin(admin, f'DROP DATABASE IF EXISTS "{prefix}{side}"')
        _admin(admin, f'CREATE DATABASE "{prefix}{side}"')
        urls.append(urllib.parse.urlunsplit(parts._replace(path=f"/{prefix}{side}")))
    try:
        yield Database(tmp_path / "a", urls[0]), Database(tmp_path / "b", urls[1])
    finally:
        for side in ("a", "b"):
            _admin(admin, f'DROP DATABASE IF EXISTS "{prefix}{side}" WITH (FORCE)')


def test_it_restores_every_record_into_an_empty_database(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    source, target = databases
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=source.env, capture_output=True, text=True, check=False
    )
    assert seeded.returncode == 0, seeded.stderr
    backup = tmp_path / "clinic.backup"
    done = source.unstuck("backup", str(backup))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    checksum = tmp_path / "clinic.backup.sha256"
    assert stat.S_IMODE(checksum.stat().st_mode) == 0o600
    checked = subprocess.run(  # the format of sha256sum, so the tool itself checks it
        ["sha256sum", "-c", checksum.name], cwd=tmp_path, capture_output=True, text=True
    )
    assert checked.stdout.strip() == "clinic.backup: OK", checked.stderr
    before = source.tables()

    done = target.unstuck("restore", str(backup))
    assert done.returncode == 0, done.stderr
    after = target.tables()

    audit, restored_audit = before.pop("accounts_auditentry"), after.pop("accounts_auditentry")
    assert after == before
    assert len(before["records_client"]) == 7
    assert len(before["records_session"]) > 30
    assert len(audit) >= 5  # a client created, three sessions recorded, the backup made
    assert "backup_made" in audit[-1]  # written before the copy, so the backup holds it
    # every entry as it was, timestamps exact; then one more: the restore
    assert restored_audit[:-1] == audit
    restore_row = restored_audit[-1]
    assert "restored_backup" in restore_row
    said = " ".join(map(str, restore_row))
    assert re.search(r"Restored from a backup made at \d{4}-\d\d-\d\d \d\d:\d\d", said), said
    assert "(clinic.backup)" in said
    if target.postgres is None:
        assert stat.S_IMODE((target.data_dir / "unstuck.sqlite3").stat().st_mode) == 0o600


def test_it_refuses_to_restore_over_records_unless_forced(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    source, _ = databases
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=source.env, capture_output=True, text=True, check=False
    )
    assert seeded.returncode == 0, seeded.stderr
    backup = tmp_path / "clinic.backup"
    assert source.unstuck("backup", str(backup)).returncode == 0
    refused = source.unstuck("restore", str(backup))
    assert refused.returncode == 2
    assert "already holds people or clients" in refused.stderr
    assert "Traceback" not in refused.stderr
    forced = source.unstuck("restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr


def test_it_refuses_a_file_that_is_not_a_backup(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    _, target = databases
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup", encoding="utf-8")
    for args in (["restore", str(notes)], ["restore", str(tmp_path / "missing")]):
        done = target.unstuck(*args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("unstuck: "), done.stderr
        assert "Traceback" not in done.stderr
    done = target.unstuck("backup", str(tmp_path / "no-such-folder" / "x.backup"))
    assert done.returncode == 2
    assert "does not exist; create it (mkdir -p " in done.stderr  # and what to do


def _seed_a_clinic(database: Database) -> None:
    """A migrated database with a clinic and its administrator (quicker than the demo)."""
    env = dict(database.env, UNSTUCK_SETUP_PASSWORD="ops-backup-Passw0rd")
    done = subprocess.run(
        [UNSTUCK, "setup", "--no-input", "--clinic", "SYN Backup Clinic", "--username", "admin"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _overwrite_a_table(backup: Path, damaged: Path) -> None:
    """A copy of an SQLite backup with the first page of one table overwritten."""
    with closing(sqlite3.connect(backup)) as conn:
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'accounts_user'"
        ).fetchone()
    data = bytearray(backup.read_bytes())
    data[(root - 1) * page_size : root * page_size] = b"\xa5" * page_size
    damaged.write_bytes(bytes(data))


def _not_unstuck(database: Database, path: Path) -> None:
    """A backup of the right kind whose database is not Unstuck's."""
    if database.postgres is None:
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("CREATE TABLE notes (line TEXT)")
            conn.commit()
        return
    done = subprocess.run(
        ["pg_dump", "--format=custom", f"--file={path}", database.postgres],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_damaged_or_cut_short_backup_is_refused_and_nothing_changes(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    """It was restored as it was (SQLite: "Restored", exit 0, a malformed database) or ended
    in a traceback that left an empty database file behind."""
    source, target = databases
    _not_unstuck(target, tmp_path / "foreign.backup")  # while the target is still empty
    _seed_a_clinic(source)
    backup = tmp_path / "clinic.backup"
    assert source.unstuck("backup", str(backup)).returncode == 0
    data = backup.read_bytes()
    bad = {"cut short": data[: len(data) // 3], "its first bytes": data[:300]}
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
    if source.postgres is None:
        _overwrite_a_table(backup, tmp_path / "overwritten")
    before = source.tables()
    damaged = (p for p in tmp_path.iterdir() if p.is_file() and not p.name.startswith(backup.name))
    for path in sorted(damaged):
        refused = target.unstuck("restore", str(path))
        assert refused.returncode == 2, (path.name, refused.stdout)
        assert refused.stderr.startswith("unstuck: "), refused.stderr
        assert refused.stderr.count("\n") == 1, refused.stderr
        assert "Nothing was changed" in refused.stderr
        forced = source.unstuck("restore", "--force", str(path))
        assert forced.returncode == 2, (path.name, forced.stdout)
    assert source.tables() == before
    if target.postgres is None:
        assert not target.data_dir.exists()  # not even an empty database file
    else:
        assert target.tables() == {}


def test_a_backup_changed_after_it_was_made_is_refused_by_its_checksum(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    """One changed byte inside a stored value passes SQLite's integrity check and pg_restore;
    the checksum written beside the backup catches it."""
    source, target = databases
    _seed_a_clinic(source)
    backup = tmp_path / "clinic.backup"
    assert source.unstuck("backup", str(backup)).returncode == 0
    data = bytearray(backup.read_bytes())
    if source.postgres is None:  # inside the clinic's name: the file stays a valid database
        at = data.index(b"SYN Backup Clinic")
        data[at + len("SYN Backup Clini")] = ord("x")
    else:  # an archive's last byte
        data[-1] ^= 0x01
    backup.write_bytes(bytes(data))
    refused = target.unstuck("restore", str(backup))
    assert refused.returncode == 2, refused.stdout
    assert "does not match its checksum in clinic.backup.sha256" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    if target.postgres is None:
        assert not target.data_dir.exists()
        # without its checksum the same file passes every other check: why it is written
        (tmp_path / "clinic.backup.sha256").unlink()
        done = target.unstuck("restore", str(backup))
        assert done.returncode == 0
        # ... and the restore says that it was not checked against one
        assert "no checksum file (clinic.backup.sha256) beside the backup" in done.stdout


def test_an_existing_backup_is_not_replaced_unless_forced(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    """A second backup with the same name silently replaced the first."""
    source, _ = databases
    _seed_a_clinic(source)
    backup = tmp_path / "clinic.backup"
    assert source.unstuck("backup", str(backup)).returncode == 0
    first = backup.read_bytes(), (tmp_path / "clinic.backup.sha256").read_bytes()
    refused = source.unstuck("backup", str(backup))
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"unstuck: {backup} already exists;"), refused.stderr
    assert "--force" in refused.stderr
    assert (backup.read_bytes(), (tmp_path / "clinic.backup.sha256").read_bytes()) == first
    forced = source.unstuck("backup", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr
    assert backup.read_bytes() != first[0]  # a new backup, with its own audit row


def test_a_backup_that_could_not_be_written_says_so_in_the_audit_log(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """'Made a backup' is written before the copy (so the backup holds it); when the copy then
    fails, the next row says so, naming the file and never its contents."""
    from unstuck.web.accounts.models import AuditAction, AuditEntry
    from unstuck.web.backup_audit import BACKUP_ACTOR, note_backup

    note_backup(tmp_path / "nightly.backup", done=True)
    note_backup(tmp_path / "nightly.backup", done=False)
    made, failed = AuditEntry.objects.order_by("id")
    assert (made.action, failed.action) == (AuditAction.BACKUP_MADE, AuditAction.BACKUP_FAILED)
    assert failed.detail == "to nightly.backup"
    assert failed.username == BACKUP_ACTOR
    assert AuditAction(failed.action).label == "A backup of the whole database could not be written"


def test_a_restore_is_refused_while_the_server_runs_even_when_forced(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    """`restore --force` replaced the database under a running server, which went on writing
    into it. It now waits until the server has stopped; nothing is changed meanwhile."""
    from live import free_port, wait_until_serving

    source, _ = databases
    _seed_a_clinic(source)
    backup = tmp_path / "clinic.backup"
    assert source.unstuck("backup", str(backup)).returncode == 0
    before = source.tables()
    port = free_port()
    server = subprocess.Popen(
        [UNSTUCK, "serve", "--dev", "--port", str(port)],
        env=source.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}", 60)
        refused = source.unstuck("restore", "--force", str(backup))
        assert refused.returncode == 2, refused.stderr
        assert "`unstuck serve` is running); stop it before restoring" in refused.stderr
        assert "Traceback" not in refused.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert source.tables() == before
    forced = source.unstuck("restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr


def test_a_server_does_not_start_during_a_restore(
    databases: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    from unstuck.web.env import database
    from unstuck.web.in_use import RESTORING, alone

    source, _ = databases
    _seed_a_clinic(source)
    for name in ("UNSTUCK_DATA_DIR", "DATABASE_URL"):
        if name in source.env:
            monkeypatch.setenv(name, source.env[name])
        else:
            monkeypatch.delenv(name, raising=False)
    from live import free_port

    with alone(database()):  # as `unstuck restore` holds it
        started = source.unstuck("serve", "--dev", "--port", str(free_port()))
    assert started.returncode == 2
    assert started.stderr.strip() == f"unstuck: {RESTORING}"


def test_a_restore_into_postgresql_waits_for_every_other_session(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    """A server on another machine holds no lock here: its sessions are counted instead."""
    source, target = databases
    if source.postgres is None:
        pytest.skip("sessions are counted on PostgreSQL")
    import psycopg

    _seed_a_clinic(source)
    backup = tmp_path / "clinic.backup"
    assert source.unstuck("backup", str(backup)).returncode == 0
    with psycopg.connect(str(target.postgres)):
        refused = target.unstuck("restore", str(backup))
    assert refused.returncode == 2
    assert "1 other session connected to the database" in refused.stderr
    assert target.unstuck("restore", str(backup)).returncode == 0
