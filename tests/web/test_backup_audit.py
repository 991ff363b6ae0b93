"""The restore's audit row says when the backup was made, or plainly that it does not say."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.backup_audit import RESTORE_ACTOR, note_backup, note_restore

SUMMER_NOON = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)  # 13:00 in London (BST)


def restore_row() -> str:
    row = AuditEntry.objects.get(action=AuditAction.RESTORED_BACKUP)
    assert row.username == RESTORE_ACTOR
    return row.detail


def test_it_names_when_the_backup_was_made(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as then:  # the row the backup wrote into itself, at noon
        then.setattr(timezone, "now", lambda: SUMMER_NOON)
        note_backup(tmp_path / "clinic.backup", done=True)
    assert note_restore(tmp_path / "clinic.backup") is None
    assert restore_row() == "Restored from a backup made at 2026-07-01 13:00 BST (clinic.backup)"


def test_a_backup_without_its_own_row_says_so_and_gives_the_files_time(
    db: None, tmp_path: Path
) -> None:
    """A backup made by an older version holds no "Made a backup" row: the restore's row said
    'made at an unknown time'. It now says the backup does not record it, and gives the
    file's modification time, labelled as such."""
    backup = tmp_path / "old.backup"
    backup.write_bytes(b"")
    os.utime(backup, (SUMMER_NOON.timestamp(), SUMMER_NOON.timestamp()))
    assert note_restore(backup) is None
    assert restore_row() == (
        "Restored from a backup that does not record when it was made; the file was last "
        "modified at 2026-07-01 13:00 BST, which may be when it was copied (old.backup)"
    )


def test_without_the_file_it_says_only_what_is_known(db: None, tmp_path: Path) -> None:
    assert note_restore(tmp_path / "gone.backup") is None
    assert restore_row() == (
        "Restored from a backup that does not record when it was made (gone.backup)"
    )
