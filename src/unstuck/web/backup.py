"""`unstuck backup FILE` and `unstuck restore FILE`: a whole database, consistent, in one file.

- SQLite: SQLite's online backup API (https://www.sqlite.org/backup.html) copies a consistent
  snapshot while the server keeps running; a plain file copy of a database in WAL mode can miss
  the latest saves or catch one half-written.
- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot, compressed) and
  ``pg_restore --single-transaction``, so a restore is whole or not at all.

A restore goes into an empty database (a fresh install, migrated or not) and refuses one that
already holds people or clients unless told ``--force``: a restore must never silently replace
a clinic's newer records. Backups hold clinical records: they are written 0600.

Before anything is changed, the backup is read whole (`check_backup`): an SQLite file must pass
``PRAGMA integrity_check``, a pg_dump archive must be read to its end by pg_restore, and either
must hold Unstuck's tables. A damaged or cut-short file was restored as it was (SQLite: a
malformed database, "Restored", exit 0) or ended in a traceback. Neither format carries a
checksum of its contents, so a changed byte inside a stored value could still pass: each
backup is therefore written with a SHA-256 checksum beside it (`unstuck.web.checksum`), and a
restore refuses a file that does not match it. A backup without one (copied without it, or
made by hand) is still restored after the checks above, and `unstuck restore` says that it was
not checked against one.
An existing backup file is never replaced unless told ``--force``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unstuck.errors import UnstuckError
from unstuck.plural import counted
from unstuck.web.checksum import checksum_path, matches_checksum, sha256, write_checksum
from unstuck.web.in_use import alone

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Tables whose rows mean the database is in use: people and clients.
IN_USE_TABLES = ("accounts_user", "records_client")
# Tables every Unstuck database has, from its first migration on.
UNSTUCK_TABLES = ("django_migrations", "accounts_clinic", "accounts_user")


class BackupError(UnstuckError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Backup:
    """A backup file read whole and found to be an Unstuck database (`check_backup`)."""

    path: Path
    kind: str  # "sqlite" or "postgresql"
    checksum_checked: bool = True  # False: no FILE.sha256 beside it


def _is_sqlite(db: Mapping[str, Any]) -> bool:
    return str(db["ENGINE"]).endswith("sqlite3")


def _private(path: Path) -> None:
    path.chmod(0o600)


def check_target(target: Path, *, force: bool = False) -> None:
    """Refuse, before any work, a place the backup cannot be written to, and an existing file
    unless `force` (a second backup with the same name silently replaced the first)."""
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give a file name for the backup")
    if target.exists() and not target.is_file():
        raise BackupError(f"{target} is not an ordinary file; give a file name for the backup")
    if target.exists() and not force:
        raise BackupError(
            f"{target} already exists; give another name (e.g. with the date and time), or add "
            "--force to replace it. Nothing was written"
        )
    if not target.parent.is_dir():
        raise BackupError(
            f"the folder {target.parent} does not exist; create it (mkdir -p "
            f"{target.parent}), or choose another folder for the backup. Nothing was written"
        )
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise BackupError(
            f"this account may not write in {target.parent}; choose another folder for the backup"
        )


def backup(db: Mapping[str, Any], target: Path, *, force: bool = False) -> None:
    """Write a consistent copy of the database `db` (Django's settings for it) to `target`."""
    check_target(target, force=force)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY, 0o600))
        if _is_sqlite(db):
            _sqlite_copy(Path(str(db["NAME"])), partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], db)
        _private(partial)
        digest = sha256(partial)
        sidecar = checksum_path(target)
        sidecar.unlink(missing_ok=True)  # an older checksum must never vouch for this file
        partial.replace(target)
        write_checksum(sidecar, digest, target.name)
    except OSError as exc:
        raise BackupError(
            f"the backup could not be written to {target} ({exc.strerror or exc}); choose "
            "another place"
        ) from None
    except sqlite3.Error as exc:
        raise BackupError(f"the database {db['NAME']} could not be read ({exc})") from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def check_backup(source: Path) -> Backup:
    """Read the backup `source` whole, before anything is changed: a damaged, cut-short or
    foreign file is refused with one line (it was restored, or half restored, before)."""
    if source.is_dir():
        raise BackupError(_a_folder(source))
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    checked = matches_checksum(source)
    if checked is False:
        reason = (
            f"it does not match its checksum in {checksum_path(source).name}, so it changed "
            "after the backup was made (damaged in storage or edited)"
        )
        raise BackupError(_CANNOT_RESTORE.format(source=source, reason=reason))
    head = _head(source)
    if head.startswith(SQLITE_MAGIC):
        _check_unstuck(source, _sqlite_tables(source))
        return Backup(source, "sqlite", bool(checked))
    if head.startswith(PG_MAGIC):
        _check_unstuck(source, _postgres_tables(source))
        return Backup(source, "postgresql", bool(checked))
    raise BackupError(f"{source} is not a backup made by `unstuck backup`; nothing was restored")


def restore(db: Mapping[str, Any], backup: Backup, *, force: bool = False) -> None:
    """Load the checked `backup` into the database `db`, which must be empty unless `force`."""
    check_kind(backup, str(db["ENGINE"]))
    with alone(db, BackupError):  # never under a running server (`unstuck.web.in_use`)
        if _is_sqlite(db):
            _restore_sqlite(backup.path, Path(str(db["NAME"])), force=force)
            return
        if _postgres_in_use(db) and not force:  # it refuses other sessions even with force
            raise BackupError(_IN_USE.format(where=f"the PostgreSQL database {db['NAME']}"))
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        try:
            _run([*command, "--exit-on-error", str(backup.path)], db)
        except BackupError as exc:  # one transaction: rolled back whole
            raise BackupError(f"{exc}. Nothing was changed") from None


def check_kind(backup: Backup, engine: str) -> None:
    """Refuse a backup of the other kind of database than Django's `engine`."""
    if engine.endswith("sqlite3") and backup.kind != "sqlite":
        raise BackupError(
            f"{backup.path} is a PostgreSQL backup; it restores only into PostgreSQL "
            "(set DATABASE_URL to the database it should go into)"
        )
    if not engine.endswith("sqlite3") and backup.kind != "postgresql":
        raise BackupError(
            f"{backup.path} is an SQLite backup; it restores only into SQLite (unset "
            "DATABASE_URL, and set UNSTUCK_DATA_DIR to the folder it should go into)"
        )


_IN_USE = (
    "{where} already holds people or clients; restore into an empty database, or add --force "
    "to replace everything in it with the backup"
)
_CONNECTED = (
    "{n} connected to the database (is `unstuck serve` running, here or on another machine?); "
    "stop them before restoring. Nothing was changed"
)
_CANNOT_RESTORE = "{source} cannot be restored: {reason}. Nothing was changed; use another backup"


def _a_folder(source: Path) -> str:
    """A restore given the folder the backups are kept in: it wants one of them, so the newest
    made by `unstuck backup` (each has its checksum beside it) are named, ready to copy."""
    try:
        made = [p for p in source.iterdir() if p.is_file() and checksum_path(p).is_file()]
        newest = sorted(made, key=lambda p: p.stat().st_mtime, reverse=True)[:3]
    except OSError:
        newest = []
    such = f", such as (newest first) {', '.join(map(str, newest))}" if newest else ""
    none = "" if newest else " with no backup made by `unstuck backup` in it"
    return f"{source} is a folder{none}; restore wants one backup file{such}. Nothing was restored"


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(16)
    except OSError as exc:
        raise BackupError(f"{path} cannot be read ({exc.strerror or exc})") from None


def _check_unstuck(source: Path, tables: set[str]) -> None:
    missing = [t for t in UNSTUCK_TABLES if t not in tables]
    if missing:
        raise BackupError(
            _CANNOT_RESTORE.format(
                source=source, reason=f"it is not an Unstuck database (no {missing[0]} table)"
            )
        )


def _sqlite_tables(source: Path) -> set[str]:
    """The tables of an SQLite backup that passes SQLite's integrity check."""
    uri = source.resolve().as_uri() + "?mode=ro&immutable=1"  # read it, change nothing
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            verdict = conn.execute("PRAGMA integrity_check(1)").fetchone()
            found = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    except sqlite3.Error as exc:
        reason = f"it is damaged or cut short ({exc})"
        raise BackupError(_CANNOT_RESTORE.format(source=source, reason=reason)) from None
    if verdict != ("ok",):
        reason = "it is damaged (it fails SQLite's integrity check)"
        raise BackupError(_CANNOT_RESTORE.format(source=source, reason=reason))
    return {name for (name,) in found}


def _postgres_tables(source: Path) -> set[str]:
    """The tables of a pg_dump archive that pg_restore reads to its end without an error."""
    listing = _read_archive(["pg_restore", "--list", str(source)], source)
    _read_archive(["pg_restore", "--file=-", str(source)], source)  # every row, read, dropped
    return set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, flags=re.MULTILINE))


def _read_archive(command: list[str], source: Path) -> str:
    done = subprocess.run(
        [_program(command[0]), *command[1:]],
        stdout=subprocess.PIPE if "--list" in command else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        reason = f"it is damaged or cut short ({_tool_error(command[0], done)})"
        raise BackupError(_CANNOT_RESTORE.format(source=source, reason=reason))
    return done.stdout or ""


def _tool_error(program: str, done: subprocess.CompletedProcess[str]) -> str:
    """pg_dump's or pg_restore's first error, in one line."""
    lines = [line.strip() for line in (done.stderr or "").splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line] or lines
    if errors:
        text = errors[0].replace(f"{program}: error: ", "").replace(f"{program}: ", "")
        return text if len(text) <= 300 else text[:297] + "..."
    if done.returncode < 0:
        return f"{program} stopped on signal {-done.returncode}"
    return f"{program} stopped with status {done.returncode}"


def _restore_sqlite(source: Path, target: Path, *, force: bool) -> None:
    if not force and _sqlite_in_use(target):
        raise BackupError(_IN_USE.format(where=target))
    try:
        _sqlite_copy(source, target)
    except sqlite3.DatabaseError:
        if not force:
            raise
        _remove_sqlite(target)  # --force over a file SQLite cannot open: a fresh one
        _sqlite_copy(source, target)
    _private(target)


def _remove_sqlite(path: Path) -> None:
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        part.unlink(missing_ok=True)


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _sqlite_in_use(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with closing(sqlite3.connect(path)) as conn:
            return any(_has_rows(conn, table) for table in IN_USE_TABLES)
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"the database {path} cannot be read ({exc}); add --force to replace it with the backup"
        ) from None


def _has_rows(conn: sqlite3.Connection, table: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)
    ).fetchone()
    return bool(found and conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone())


def _postgres_in_use(db: Mapping[str, Any]) -> bool:
    import psycopg
    from psycopg.conninfo import make_conninfo

    try:
        with psycopg.connect(make_conninfo("", **_libpq(db))) as conn:
            others = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
            if others and others[0]:
                raise BackupError(_CONNECTED.format(n=counted(others[0], "other session")))
            return any(_pg_has_rows(conn, table) for table in IN_USE_TABLES)
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        raise BackupError(f"the database {db['NAME']} cannot be read ({reason})") from None


def _pg_has_rows(conn: Any, table: str) -> bool:
    exists = conn.execute("SELECT to_regclass(%s)", (f"public.{table}",)).fetchone()
    return bool(
        exists and exists[0] and conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone()
    )


def _libpq(db: Mapping[str, Any]) -> dict[str, str]:
    """Connection parameters from Django's settings; the password travels in the environment."""
    params = {
        "dbname": str(db["NAME"]),
        "host": str(db.get("HOST") or ""),
        "port": str(db.get("PORT") or ""),
        "user": str(db.get("USER") or ""),
        "password": str(db.get("PASSWORD") or ""),
    }
    return {k: v for k, v in params.items() if v}


def _program(name: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return program


def _run(command: list[str], db: Mapping[str, Any]) -> None:
    program = _program(command[0])
    params = _libpq(db)
    env = dict(os.environ)
    if "password" in params:
        env["PGPASSWORD"] = params.pop("password")
    flags = [f"--{k}={v}" for k, v in params.items() if k in {"host", "port"}]
    if "user" in params:
        flags.append(f"--username={params['user']}")
    flags.append(f"--dbname={params['dbname']}")
    done = subprocess.run(
        [program, *command[1:], *flags], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {_tool_error(command[0], done)}")
