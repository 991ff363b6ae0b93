"""The operations commands: `unstuck backup FILE`, `unstuck restore FILE` and
`unstuck copy-database URL`.

Kept apart from cli.py so that file stays about analysis; Django is imported only when one of
these commands runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_ops_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser(
        "backup",
        help="write a consistent copy of the whole database to FILE (safe while serving)",
        description="SQLite: the online backup API; PostgreSQL: pg_dump's custom format. "
        "The file holds clinical records: it is written readable by you only (0600). "
        "Uses the same DATABASE_URL / UNSTUCK_DATA_DIR as `unstuck serve`, and refuses one "
        "that holds no clinic. A checksum is written beside it (FILE.sha256), and a row in the "
        "audit log.",
    )
    backup.add_argument(
        "file", type=Path, help="where to write the backup (a new name: see --force)"
    )
    backup.add_argument(
        "--force",
        action="store_true",
        help="replace FILE if it exists (without it an existing file is refused, so a backup "
        "is never overwritten by mistake; put the date in the name instead)",
    )
    backup.set_defaults(run=_run_backup)

    restore = sub.add_parser(
        "restore",
        help="load a backup made by `unstuck backup` into an empty database",
        description="Stop the server first. Restores into the database `unstuck serve` would "
        "use (DATABASE_URL, else UNSTUCK_DATA_DIR), of the same kind as the backup's (SQLite "
        "or PostgreSQL). Reads the whole backup first, and checks it against FILE.sha256 when "
        "that is beside it; a damaged or foreign file changes nothing. Refuses a database that "
        "already holds people or clients unless --force is given (then everything in it is "
        "replaced by the backup). Afterwards the audit log says when the backup was made and "
        "that it was restored.",
    )
    restore.add_argument("file", type=Path, help="a file made by `unstuck backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds records"
    )
    restore.set_defaults(run=_run_restore)

    copy = sub.add_parser(
        "copy-database",
        help="copy every record into another, empty database (SQLite to PostgreSQL, say)",
        description="Stop the server first. Copies every record of the database in use\n"
        "(DATABASE_URL, else the SQLite file in UNSTUCK_DATA_DIR) into the empty database\n"
        "URL names: its tables are made, every row goes in with its id and exact times, the\n"
        "audit log whole, all in one transaction (on any error nothing is written), and each\n"
        "table's count is checked. The database in use is left as it was, with an audit row\n"
        "saying where its records were copied. Then point DATABASE_URL at the new database\n"
        "and start `unstuck serve`.",
        epilog="example, moving a clinic from SQLite to PostgreSQL:\n"
        "  createdb unstuck\n"
        "  unstuck copy-database postgresql://unstuck@127.0.0.1:5432/unstuck\n"
        "  DATABASE_URL=postgresql://unstuck@127.0.0.1:5432/unstuck unstuck serve",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copy.add_argument(
        "url", help="the empty database to copy into, e.g. postgresql://USER@HOST:5432/NAME"
    )
    copy.set_defaults(run=_run_copy)


NOTHING_WRITTEN = "Nothing was written."


def _database(*, connect_now: bool = True) -> dict[str, object]:
    from unstuck.web import commands

    commands.setup(connect_now=connect_now)
    from django.db import connections

    return dict(connections["default"].settings_dict)


def _run_backup(args: argparse.Namespace) -> int:
    from unstuck.web.backup import BackupError, backup, check_target
    from unstuck.web.checksum import checksum_path
    from unstuck.web.clinic_found import check_clinic, check_database_file

    check_target(args.file, force=args.force)  # before the settings make a data folder
    check_database_file(NOTHING_WRITTEN)  # ... or an empty database
    db = _database()
    check_clinic(NOTHING_WRITTEN)
    from unstuck.web.backup_audit import note_backup

    note_backup(args.file, done=True)  # before the copy: the backup holds it, and its time
    try:
        backup(db, args.file, force=args.force)
    except BackupError:
        note_backup(args.file, done=False)
        raise
    print(f"Backup written to {args.file}, its checksum to {checksum_path(args.file)}")
    return 0


def _run_restore(args: argparse.Namespace) -> int:
    from unstuck.web import commands
    from unstuck.web.backup import check_backup, check_kind, restore
    from unstuck.web.checksum import checksum_path
    from unstuck.web.env import envdatabase

    checked = check_backup(args.file)  # read whole before the settings make anything
    engine = envdatabase("DATABASE_URL", "sqlite:///unstuck.sqlite3")["ENGINE"]  # its kind only
    check_kind(checked, engine)
    # An SQLite file is not opened through Django: --force must replace one it cannot read.
    db = _database(connect_now=False)
    from django.db import connections

    if not str(db["ENGINE"]).endswith("sqlite3"):
        commands.connect()  # to name a database that cannot be reached in one line
        connections.close_all()  # a session of its own would count as someone connected
    restore(db, checked, force=args.force)
    connections.close_all()  # the restored database, opened afresh
    from unstuck.web.backup_audit import note_restore

    if not checked.checksum_checked:
        print(
            f"Note: there is no checksum file ({checksum_path(args.file).name}) beside the "
            "backup, so it was not checked against one; it passed every other check."
        )
    problem = note_restore(args.file)
    if problem:
        print(
            f"unstuck: restored, but the audit log's entry could not be written ({problem})",
            file=sys.stderr,
        )
    print(f"Restored {args.file}; run `unstuck serve` to use it.")
    return 0


def _run_copy(args: argparse.Namespace) -> int:
    from unstuck.web.clinic_found import check_clinic, check_database_file, describe

    check_database_file(NOTHING_WRITTEN)  # before the settings make an empty database
    _database()
    check_clinic(NOTHING_WRITTEN)
    from unstuck.plural import counted
    from unstuck.web.copy_database import copy_database, target_database

    target = target_database(args.url)

    def progress(table: str, rows: int) -> None:
        if rows:
            print(
                f"unstuck:   {table}: {counted(rows, 'row', grouped=True)}",
                file=sys.stderr,
                flush=True,
            )

    print(f"unstuck: copying every record into {describe(target)} ...", file=sys.stderr)
    copied = copy_database(target, progress)
    print(
        f"Copied {sum(copied.values()):,} rows of {len(copied)} tables into {describe(target)}, "
        "each table's count checked. To use it, set DATABASE_URL to its address and start "
        "`unstuck serve`; the database copied from is left as it was."
    )
    return 0
