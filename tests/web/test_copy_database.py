"""`unstuck copy-database URL`: a clinic on SQLite takes every record to another database.

The README says when to move to PostgreSQL, but a backup restores only into a database of its
own kind. The copy is compared with the source model by model, row by row, through Django's
reading of each (so SQLite's and PostgreSQL's types compare alike), the audit log's times to
the microsecond. On the PostgreSQL run of the tests (DATABASE_URL names one) the target is a
fresh PostgreSQL database on that server; otherwise another SQLite file.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_backup import SEED, Database

from live import _admin

COMPARE = """
import json, sys
from unstuck.web import commands
commands.setup()
from django.apps import apps
from django.db import connections
from unstuck.web.copy_database import TARGET, target_database
settings = target_database(sys.argv[1])
connections.settings[TARGET] = connections.configure_settings({"default": settings})["default"]
differ, rows = [], 0
for model in apps.get_models(include_auto_created=True):
    fields = [f.attname for f in model._meta.concrete_fields]
    mine = list(model._base_manager.using("default").order_by("pk").values_list(*fields))
    theirs = list(model._base_manager.using(TARGET).order_by("pk").values_list(*fields))
    rows += len(mine)
    if mine != theirs:
        differ.append(model._meta.db_table)
print(json.dumps({"differ": differ, "rows": rows}))
"""
ADD_A_CLIENT = """
import datetime as dt
from unstuck.web import commands
commands.setup()
from unstuck.web.accounts.models import AuditEntry, User
from unstuck.web.records import services
alex = User.objects.get(username="alex")
services.create_client(therapist=alex, code="SYN-AFTER", started_on=dt.date(2026, 2, 2))
print(AuditEntry.objects.filter(action="copied_database").count())
"""

CUT_SHORT = """
import sys
from unstuck.web import commands
commands.setup()
from unstuck.web import copy_database
copy_rows = copy_database._copy_table
def cut_short(model):
    if model._meta.db_table == "records_client":
        raise copy_database.UnstuckError("the connection to the target was lost")
    return copy_rows(model)
copy_database._copy_table = cut_short
from unstuck.cli import main
sys.exit(main(["copy-database", sys.argv[1]]))
"""


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'copy' / 'unstuck.sqlite3'}"
        return
    parts = urllib.parse.urlsplit(base)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    name = f"{parts.path.lstrip('/') or 'unstuck'}_copy{os.getpid()}"
    _admin(admin, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def source(tmp_path: Path) -> Database:
    """A clinic on the default SQLite file: the demo's records and saves that wrote audit rows."""
    database = Database(tmp_path / "clinic", None)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=database.env, capture_output=True, text=True
    )
    assert seeded.returncode == 0, seeded.stderr
    return database


def run(env: dict[str, str], script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_record_is_copied_exactly_and_the_copy_takes_new_saves(
    source: Database, target: str
) -> None:
    before = source.tables()
    done = source.unstuck("copy-database", target)
    assert done.returncode == 0, done.stderr
    assert "each table's count checked" in done.stdout
    assert "Traceback" not in done.stderr
    compared = json.loads(run(source.env, COMPARE, target))
    assert compared["differ"] == []
    assert compared["rows"] > 300  # the demo's clients, sessions, answers and audit rows
    # The source is as it was, with one audit row more: where its records went.
    after = source.tables()
    audit_before, audit_after = before.pop("accounts_auditentry"), after.pop("accounts_auditentry")
    assert after == before
    assert audit_after[:-1] == audit_before
    assert "copied_database" in audit_after[-1]
    assert "password" not in " ".join(map(str, audit_after[-1]))
    # The copy is a working database: a new client gets a new id (its counters moved past the
    # copied ids), and it holds the row saying it was copied.
    moved = dict(source.env, DATABASE_URL=target)
    assert run(moved, ADD_A_CLIENT).strip() == "1"


def test_a_copy_cut_short_leaves_no_word_of_it_and_can_be_run_again(
    source: Database, target: str
) -> None:
    """The source's audit row says where its records went only when they got there."""
    before = source.tables()
    failed = subprocess.run(
        [sys.executable, "-c", CUT_SHORT, target], env=source.env, capture_output=True, text=True
    )
    assert failed.returncode == 2, failed.stderr
    assert "the connection to the target was lost" in failed.stderr
    assert source.tables() == before
    again = source.unstuck("copy-database", target)
    assert again.returncode == 0, again.stderr
    assert json.loads(run(source.env, COMPARE, target))["differ"] == []


def test_a_database_with_records_is_refused_and_left_as_it_was(
    source: Database, target: str
) -> None:
    assert source.unstuck("copy-database", target).returncode == 0
    moved = dict(source.env, DATABASE_URL=target)
    run(moved, ADD_A_CLIENT)
    again = source.unstuck("copy-database", target)
    assert again.returncode == 2
    assert "already holds people or clients; copy only into an empty database" in again.stderr
    assert "Traceback" not in again.stderr
    assert run(moved, ADD_A_CLIENT.replace("SYN-AFTER", "SYN-AFTER-2")).strip() == "1"


def test_the_copy_waits_for_the_server_to_stop(source: Database, target: str) -> None:
    """A save made during the copy would stay behind in the old database."""
    lock = source.data_dir / "unstuck.sqlite3.in-use"  # what `unstuck serve` holds shared
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_SH)
        refused = source.unstuck("copy-database", target)
    assert refused.returncode == 2
    assert "`unstuck serve` is running); stop it before copying" in refused.stderr


def test_nor_into_a_database_being_served(source: Database, tmp_path: Path) -> None:
    """A server started on the target (an empty database, `unstuck serve` makes one) would
    read a half-made database, and write into one about to be filled."""
    served = tmp_path / "served" / "unstuck.sqlite3"
    served.parent.mkdir()
    with (served.parent / "unstuck.sqlite3.in-use").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_SH)
        refused = source.unstuck("copy-database", f"sqlite:///{served}")
    assert refused.returncode == 2
    assert "is running on it); stop it" in refused.stderr


def test_an_sqlite_file_put_in_a_shared_folder_leaves_the_folder_as_it_was(
    source: Database, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    done = source.unstuck("copy-database", f"sqlite:///{shared / 'clinic.sqlite3'}")
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # not made 0700 behind one's back
    assert stat.S_IMODE((shared / "clinic.sqlite3").stat().st_mode) == 0o600


def test_a_server_started_during_the_copy_says_why_it_waits(source: Database, target: str) -> None:
    """It said a restore was running, when the database was being copied from."""
    from live import free_port

    lock = source.data_dir / "unstuck.sqlite3.in-use"
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as the copy holds it
        started = source.unstuck("serve", "--dev", "--port", str(free_port()))
    assert started.returncode == 2
    assert "a copy of it (`unstuck copy-database`), is running" in started.stderr


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://root@127.0.0.1/x", "or SQLite, not 'mysql'; give a database such as"),
        ("postgresql://nobody:secret@127.0.0.1:1/none", "cannot be reached"),
    ],
)
def test_a_target_that_cannot_be_used_is_named_without_its_password(
    source: Database, url: str, words: str
) -> None:
    before = source.tables()
    refused = source.unstuck("copy-database", url)
    assert refused.returncode == 2
    assert words in refused.stderr
    assert "secret" not in refused.stderr
    assert "unset it" not in refused.stderr  # an argument, not a setting
    assert "Traceback" not in refused.stderr
    assert source.tables() == before


def test_the_database_in_use_is_not_its_own_target(source: Database) -> None:
    own = f"sqlite:///{source.data_dir / 'unstuck.sqlite3'}"
    refused = source.unstuck("copy-database", own)
    assert refused.returncode == 2
    assert "is the database in use" in refused.stderr
