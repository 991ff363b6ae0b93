"""The audit rows of `unstuck backup` and `unstuck restore`.

A restore replaces the whole database, its audit log included: entries written after the
backup was made went without a trace. The backup now writes "Made a backup" into the database
just before the copy (so the backup holds it, and its time), and the restore adds "Restored
the whole database from a backup" after it, naming the file and when that backup was made
(or, for a backup without that row, that it does not say, and when its file was modified).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import DatabaseError
from django.utils import timezone

from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, AuditEntry

BACKUP_ACTOR = "unstuck backup"
RESTORE_ACTOR = "unstuck restore"


def note_backup(target: Path, *, done: bool) -> None:
    action = AuditAction.BACKUP_MADE if done else AuditAction.BACKUP_FAILED
    record_audit(None, action, detail=f"to {target.name}", username=BACKUP_ACTOR)


def note_restore(source: Path) -> str | None:
    """Write the restore's row into the restored database; None, or why it could not be."""
    try:
        made = (
            AuditEntry.objects.filter(action=AuditAction.BACKUP_MADE).order_by("-at", "-id").first()
        )
        when = f"made at {_local(made.at)}" if made is not None else _unrecorded(source)
        detail = f"Restored from a backup {when} ({source.name})"
        record_audit(None, AuditAction.RESTORED_BACKUP, detail=detail, username=RESTORE_ACTOR)
    except DatabaseError as exc:
        return " ".join(str(exc).split())[:300]
    return None


def _local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M %Z")


def _unrecorded(source: Path) -> str:
    """A backup made before backups wrote their own row (or a database file copied by hand)
    does not say when it was made. The file's modification time is a hint, not the answer:
    copying the file without keeping its times sets it to the time of the copy."""
    try:
        modified = dt.datetime.fromtimestamp(source.stat().st_mtime, tz=dt.UTC)
    except OSError:
        return "that does not record when it was made"
    return (
        "that does not record when it was made; "
        f"the file was last modified at {_local(modified)}, which may be when it was copied"
    )
