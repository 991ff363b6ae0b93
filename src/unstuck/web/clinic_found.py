"""Is there an Unstuck clinic where `unstuck backup` and `unstuck send-due` are pointed?

Run from the wrong folder, or without UNSTUCK_DATA_DIR, each made a new empty database in
./unstuck-data and reported success: a nightly backup that could never be restored ("not an
Unstuck database"), a send-due that never sent. They now stop with one line instead, and,
on SQLite, before the settings make a data folder or an empty database file. `unstuck serve`
serves such a database, but says so first (`no_clinic_warning`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from unstuck.errors import UnstuckError


class NoClinic(UnstuckError):
    """The database named by DATABASE_URL / UNSTUCK_DATA_DIR holds no clinic."""


def _no_clinic(where: str, setting: str, outcome: str) -> NoClinic:
    return NoClinic(f"there is no Unstuck clinic in {where}: is {setting} right? {outcome}")


def check_database_file(outcome: str) -> None:
    """Before the settings load: refuse an SQLite database file that does not exist (the
    settings would create an empty one, and its folder). PostgreSQL: see `check_clinic`."""
    from unstuck.web.env import data_dir, database

    folder, db = data_dir(), database()
    if not str(db["ENGINE"]).endswith("sqlite3"):
        return
    path = Path(str(db["NAME"]))
    if path.exists() or (path.parent.exists() and not path.parent.is_dir()):
        return  # there, or a folder the settings name as unusable
    if path == folder / "unstuck.sqlite3":
        where = f"{folder} (no unstuck.sqlite3 there)"
        setting = "UNSTUCK_DATA_DIR (or DATABASE_URL)"
    else:
        where, setting = f"{path} (no such file)", "DATABASE_URL"
    raise _no_clinic(where, setting, outcome)


def check_clinic(outcome: str) -> None:
    """With the database open: refuse one that was never set up (no clinic table, or no
    clinic in it), before anything, a migration included, is written to it."""
    from django.db import connection

    if not _has_clinic():
        raise _no_clinic(*_where(connection.settings_dict), outcome)


def no_clinic_warning() -> str | None:
    """For `unstuck serve`, with the database open: what to say when it holds no clinic.

    Started in the wrong folder, or without UNSTUCK_DATA_DIR / DATABASE_URL (a service file
    missing its settings), it made and served a new empty database in silence, and the staff
    found only that their passwords were refused. A warning, not a refusal: a clinic's
    administrator may have been made with `unstuck manage createsuperuser` instead.
    """
    from django.db import connection

    if _has_clinic():
        return None
    where, setting = _where(connection.settings_dict)
    return (
        f"there is no Unstuck clinic in {where} yet: if the clinic's records are elsewhere, "
        f"stop the server and correct {setting}; to start a clinic here, run `unstuck setup`"
    )


def _has_clinic() -> bool:
    from django.db import connection

    if "accounts_clinic" not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM accounts_clinic LIMIT 1")
        return cursor.fetchone() is not None


def describe(db: Mapping[str, Any]) -> str:
    """Where a database is, in words (never its password)."""
    return _where(db)[0]


def _where(db: Mapping[str, Any]) -> tuple[str, str]:
    if str(db["ENGINE"]).endswith("sqlite3"):
        return f"the SQLite database {db['NAME']}", "UNSTUCK_DATA_DIR (or DATABASE_URL)"
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"the PostgreSQL database {db['NAME']!r} at {where}", "DATABASE_URL"
