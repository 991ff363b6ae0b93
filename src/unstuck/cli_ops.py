"""The operations commands: `unstuck backup FILE` and `unstuck restore FILE`.

Kept apart from cli.py so that file stays about analysis; Django is imported only when one of
these commands runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_ops_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser(
        "backup",
        help="write a consistent copy of the whole database to FILE (safe while serving)",
        description="SQLite: the online backup API; PostgreSQL: pg_dump's custom format. "
        "The file holds clinical records: it is written readable by you only (0600). "
        "Uses the same DATABASE_URL / UNSTUCK_DATA_DIR as `unstuck serve`.",
    )
    backup.add_argument("file", type=Path, help="where to write the backup")
    backup.set_defaults(run=_run_backup)

    restore = sub.add_parser(
        "restore",
        help="load a backup made by `unstuck backup` into an empty database",
        description="Stop the server first. Refuses a database that already holds people or "
        "clients unless --force is given (then everything in it is replaced by the backup).",
    )
    restore.add_argument("file", type=Path, help="a file made by `unstuck backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds records"
    )
    restore.set_defaults(run=_run_restore)


def _database() -> dict[str, object]:
    from unstuck.web import commands

    commands.setup()
    from django.db import connections

    return dict(connections["default"].settings_dict)


def _run_backup(args: argparse.Namespace) -> int:
    from unstuck.web.backup import backup

    backup(_database(), args.file)
    print(f"Backup written to {args.file}")
    return 0


def _run_restore(args: argparse.Namespace) -> int:
    from unstuck.web.backup import restore

    restore(_database(), args.file, force=args.force)
    print(f"Restored {args.file}; run `unstuck serve` to use it.")
    return 0
