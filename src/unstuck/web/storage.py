"""Where and how the default SQLite database is kept: private files, WAL, immediate writes.

Imported by the settings, so no Django here. The issue this answers: with the plain defaults,
four therapists saving at once got "database is locked" on 18% of saves, and the database file
was readable by every local user (0644).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from unstuck.web.env import SettingError

# Seconds a writer waits for another writer's transaction to finish before giving up. A save
# holds the lock for milliseconds; 30 s covers a burst of a whole clinic saving at once.
BUSY_TIMEOUT_SECONDS = 30


def sqlite_options() -> dict[str, object]:
    """Django OPTIONS for SQLite (Django 5.1+: ``transaction_mode`` and ``init_command``).

    - ``journal_mode=WAL``: readers never block the writer and the writer never blocks readers
      (https://www.sqlite.org/wal.html); the setting is stored in the file, so it holds for
      every process that opens it.
    - ``transaction_mode=IMMEDIATE``: every ``transaction.atomic`` starts with
      ``BEGIN IMMEDIATE``, taking the write lock at the start. With the default ``DEFERRED`` a
      transaction that read first and then writes cannot wait for the lock (SQLite returns
      SQLITE_BUSY at once to avoid a deadlock), which was the "database is locked" 500.
    - ``timeout``: the busy timeout, so a second writer waits its turn instead of failing.
    """
    return {
        "timeout": BUSY_TIMEOUT_SECONDS,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON",
    }


def _owned(path: Path) -> bool:
    return path.exists() and path.stat().st_uid == os.geteuid()


def private_dir(path: Path, setting: str = "UNSTUCK_DATA_DIR") -> None:
    """Create the data folder readable by the service's user only (0700).

    A folder that cannot be made or written stops the start with one line naming it and the
    `setting` that chose it, as does each function here.
    """
    _make_dir(path, setting)
    if _owned(path):
        try:
            path.chmod(0o700)
        except OSError as exc:
            raise _unusable(path, setting, exc) from None
    _check_writable(path, setting)


def usable_dir(path: Path, setting: str) -> None:
    """Create the folder `path` if needed, leaving the mode of an existing one alone."""
    _make_dir(path, setting)
    _check_writable(path, setting)


def _make_dir(path: Path, setting: str) -> None:
    if path.exists() and not path.is_dir():
        raise SettingError(f"{setting}: {path} is a file, not a folder; give a folder's path")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise _unusable(path, setting, exc) from None


def _check_writable(path: Path, setting: str) -> None:
    if not os.access(path, os.W_OK | os.X_OK):
        raise SettingError(
            f"{setting}: this account may not write in {path}; give a folder it may write in"
        )


def _unusable(path: Path, setting: str, exc: OSError) -> SettingError:
    return SettingError(
        f"{setting}: the folder {path} cannot be used ({exc.strerror or exc}); give a folder "
        "this account may create and write in"
    )


def private_sqlite_file(path: Path) -> None:
    """Create the SQLite file as 0600 before SQLite does (it would use 0644 under the usual
    umask), and tighten an existing one; SQLite gives its -wal and -shm files the same mode."""
    if str(path) in {"", ":memory:"} or str(path).startswith("file:"):
        return
    usable_dir(path.parent, "the SQLite file's folder")
    if path.exists() and not path.is_file():
        raise SettingError(f"the SQLite file {path} is not a file; give a file's path")
    try:
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise SettingError(
            f"the SQLite file {path} cannot be created ({exc.strerror or exc}); give a "
            "folder this account may write in"
        ) from None
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if _owned(part) and stat.S_IMODE(part.stat().st_mode) != 0o600:
            try:
                part.chmod(0o600)
            except OSError as exc:
                raise _not_writable(part, exc.strerror or str(exc)) from None
    if not os.access(path, os.R_OK | os.W_OK):  # another account's file, or a read-only disk
        raise _not_writable(path, "this account may not write to it")


def _not_writable(path: Path, reason: str) -> SettingError:
    """A database the service cannot write: every command stopped in a traceback, or the
    server started and then failed every save."""
    return SettingError(
        f"the SQLite file {path} cannot be used ({reason}); it must belong to the account "
        "that runs Unstuck (chown), on a disk it may write to (UNSTUCK_DATA_DIR, or "
        "DATABASE_URL)"
    )
