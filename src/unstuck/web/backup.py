"""`unstuck backup FILE` and `unstuck restore FILE`: a whole database, consistent, in one file.

- SQLite: SQLite's online backup API (https://www.sqlite.org/backup.html) copies a consistent
  snapshot while the server keeps running; a plain file copy of a database in WAL mode can miss
  the latest saves or catch one half-written.
- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot, compressed) and
  ``pg_restore --single-transaction``, so a restore is whole or not at all.

A restore goes into an empty database (a fresh install, migrated or not) and refuses one that
already holds people or clients unless told ``--force``: a restore must never silently replace
a clinic's newer records. Backups hold clinical records: they are written 0600.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from unstuck.errors import UnstuckError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Tables whose rows mean the database is in use: people and clients.
IN_USE_TABLES = ("accounts_user", "records_client")


class BackupError(UnstuckError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _is_sqlite(db: Mapping[str, Any]) -> bool:
    return str(db["ENGINE"]).endswith("sqlite3")


def _private(path: Path) -> None:
    path.chmod(0o600)


def backup(db: Mapping[str, Any], target: Path) -> None:
    """Write a consistent copy of the database `db` (Django's settings for it) to `target`."""
    if target.exists() and target.is_dir():
        raise BackupError(f"{target} is a folder; give a file name for the backup")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        if _is_sqlite(db):
            _sqlite_copy(Path(str(db["NAME"])), partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], db)
        _private(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def restore(db: Mapping[str, Any], source: Path, *, force: bool = False) -> None:
    """Load the backup `source` into the database `db`, which must be empty unless `force`."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    head = _head(source)
    if _is_sqlite(db):
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not an SQLite backup (made with DATABASE_URL unset)")
        target = Path(str(db["NAME"]))
        if not force and _sqlite_in_use(target):
            raise BackupError(_IN_USE.format(where=target))
        _sqlite_copy(source, target)
        _private(target)
        return
    if not head.startswith(PG_MAGIC):
        raise BackupError(f"{source} is not a PostgreSQL backup (pg_dump custom format)")
    if not force and _postgres_in_use(db):
        raise BackupError(_IN_USE.format(where=f"the PostgreSQL database {db['NAME']}"))
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(source),
        ],
        db,
    )


_IN_USE = (
    "{where} already holds people or clients; restore into an empty database, or add --force "
    "to replace everything in it with the backup"
)


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(16)


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _sqlite_in_use(path: Path) -> bool:
    if not path.exists():
        return False
    with closing(sqlite3.connect(path)) as conn:
        for table in IN_USE_TABLES:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)
            ).fetchone()
            if found and conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                return True
    return False


def _postgres_in_use(db: Mapping[str, Any]) -> bool:
    import psycopg
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(make_conninfo("", **_libpq(db))) as conn:
        for table in IN_USE_TABLES:
            exists = conn.execute("SELECT to_regclass(%s)", (f"public.{table}",)).fetchone()
            if exists and exists[0] and conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                return True
    return False


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


def _run(command: list[str], db: Mapping[str, Any]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)"
        )
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
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")
