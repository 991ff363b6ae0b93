"""`unstuck copy-database URL`: every record of the database in use, copied into an empty one.

The README tells a clinic when to move from the default SQLite file to PostgreSQL, but a
backup restores only into a database of its own kind, so a clinic that started on SQLite had
no way to take its records along. This copies them table by table through Django's own
description of the tables, whatever the two kinds of database:

- the target is made with the migrations, then every row goes in as it is, with its id, its
  timestamps to the microsecond and the audit log whole (rows are inserted as stored, not
  saved: a save would stamp "now" on the audit log's times), in one transaction on the target:
  all of it or, on any error, nothing;
- the target's id counters are then moved past the copied ids, so the next client or session
  gets a new id, and every table's count is compared with the source's;
- the source is read in one transaction (one consistent state), while no server may run on it
  (`in_use`): saves made during the copy would stay behind. It is left as it was, with one
  audit row more ("Copied every record into another database", written in the copy's
  transaction before the rows are read, so the copy holds it too, and a copy that fails or
  is killed leaves no such row behind).

The target must be empty: one that holds people or clients is refused, as a restore refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction

from unstuck.errors import UnstuckError
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction
from unstuck.web.backup import IN_USE_TABLES
from unstuck.web.clinic_found import describe
from unstuck.web.env import SettingError, database_at
from unstuck.web.in_use import alone
from unstuck.web.storage import private_sqlite_file, sqlite_options

TARGET = "copy_target"  # the target's alias among Django's connections
COPY_ACTOR = "unstuck copy-database"
BATCH = 1000  # rows per insert
SAME = "{target} is the database in use: give another, empty database to copy into"
NOT_EMPTY = (
    "{target} already holds people or clients; copy only into an empty database (made with, "
    "for example, `createdb unstuck`). Nothing was written"
)
UNREACHABLE = "{target} cannot be reached ({reason}). Nothing was written"
SERVING = (
    "Unstuck is being served from this database (`unstuck serve` is running); stop it before "
    "copying, so that no save is made during the copy and left behind. Nothing was written"
)
TARGET_SERVED = (
    "Unstuck is being served from {target} (`unstuck serve` is running on it); stop it: "
    "the copy goes only into a database nobody uses yet. Nothing was written"
)
Progress = Callable[[str, int], None]  # a table's name and its rows copied


def target_database(url: str) -> dict[str, Any]:
    """Django's settings for the database `url` names; a `SettingError` naming the argument
    (never the URL, which may hold a password) when it names none Unstuck runs on."""
    try:
        return database_at(url, "the target address", setting=False)
    except SettingError as exc:
        raise UnstuckError(str(exc)) from None


def copy_database(target: Mapping[str, Any], progress: Progress | None = None) -> dict[str, int]:
    """Copy every record of the database in use into `target` (see the module's docstring);
    the rows copied, by table. Neither database may be served meanwhile (`in_use`)."""
    source = connections["default"].settings_dict
    where = describe(target)
    if _same(source, target):
        raise UnstuckError(SAME.format(target=where))
    settings = _target_settings(target)
    with (
        alone(source, message=SERVING),
        alone(settings, message=TARGET_SERVED.format(target=where)),
    ):
        _open_target(settings, where)
        copied = _copy(where, progress)
    return copied


def _target_settings(target: Mapping[str, Any]) -> dict[str, Any]:
    """Django's settings for the target; an SQLite file is made as the settings make the
    default one (0600, its folder made 0700 if new; an existing folder's mode is left as
    it is, since the file may be put in a shared one)."""
    settings = dict(target)
    if str(settings["ENGINE"]).endswith("sqlite3"):
        settings.setdefault("OPTIONS", {}).update(sqlite_options())
        try:
            private_sqlite_file(Path(str(settings["NAME"])))
        except SettingError as exc:
            raise UnstuckError(str(exc)) from None
    return settings


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    return all(str(a.get(k) or "") == str(b.get(k) or "") for k in keys)


def _open_target(target: Mapping[str, Any], where: str) -> None:
    """Add `target` to Django's connections, make its tables, and refuse one with records."""
    configured = connections.configure_settings({"default": dict(target)})["default"]
    connections.settings[TARGET] = configured
    try:
        connections[TARGET].ensure_connection()
    except DatabaseError as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise UnstuckError(UNREACHABLE.format(target=where, reason=reason)) from None
    if _holds_records():
        raise UnstuckError(NOT_EMPTY.format(target=where))
    call_command("migrate", database=TARGET, interactive=False, verbosity=0)


def _holds_records() -> bool:
    """Whether the target holds people or clients: the tables a restore also refuses to
    replace unforced (`backup.IN_USE_TABLES`)."""
    target = connections[TARGET]
    tables = set(target.introspection.table_names())
    with target.cursor() as cursor:
        for table in IN_USE_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {target.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def _tables() -> list[type[models.Model]]:
    """Every table Django manages, the many-to-many ones included."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]


def _copy(where: str, progress: Progress | None) -> dict[str, int]:
    target = connections[TARGET]
    tables = _tables()
    copied: dict[str, int] = {}
    with transaction.atomic(using="default"), transaction.atomic(using=TARGET):
        # In the source's transaction: said only if the copy is made.
        record_audit(None, AuditAction.COPIED_DATABASE, detail=f"to {where}", username=COPY_ACTOR)
        # The migrations filled a few tables (content types, permissions): the source's rows,
        # with their own ids, replace them.
        for model in tables:
            rows = model._base_manager.using(TARGET)
            if rows.exists():
                rows.all()._raw_delete(TARGET)
        for model in tables:
            copied[model._meta.db_table] = _copy_table(model)
            if progress:
                progress(model._meta.db_table, copied[model._meta.db_table])
        with target.cursor() as cursor:
            for statement in target.ops.sequence_reset_sql(no_style(), tables):
                cursor.execute(statement)
        for model in tables:
            there = model._base_manager.using(TARGET).count()
            if there != copied[model._meta.db_table]:  # pragma: no cover - a broken database
                raise UnstuckError(
                    f"{model._meta.db_table}: {copied[model._meta.db_table]} rows copied, "
                    f"{there} found; nothing was written"
                )
    return copied


def _copy_table(model: type[models.Model]) -> int:
    """Insert the source's rows of `model` into the target as stored (`get_db_prep_save`
    adapts each value to the target; no field's `pre_save` runs, so no time is restamped)."""
    target = connections[TARGET]
    fields = model._meta.concrete_fields
    quote = target.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    rows = (
        model._base_manager.using("default")
        .order_by("pk")
        .values_list(*(f.attname for f in fields))
        .iterator(chunk_size=BATCH)
    )
    count = 0
    with target.cursor() as cursor:
        for chunk in _chunks(rows):
            cursor.executemany(
                sql,
                [
                    [
                        f.get_db_prep_save(v, connection=target)
                        for f, v in zip(fields, row, strict=True)
                    ]
                    for row in chunk
                ],
            )
            count += len(chunk)
    return count


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := list(islice(rows, BATCH)):
        yield chunk
