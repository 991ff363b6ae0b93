"""A backup's SHA-256 checksum, written beside it as ``FILE.sha256``.

Neither SQLite's file nor a pg_dump archive carries a checksum of its contents, so a changed
byte inside a stored value could pass every other check a restore makes. The sidecar is in
the format of ``sha256sum``, so ``sha256sum -c FILE.sha256`` checks it too.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def checksum_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".sha256")


def sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_checksum(sidecar: Path, digest: str, name: str) -> None:
    """Write `digest` of the file `name` to `sidecar` (0600), whole or not at all."""
    partial = sidecar.with_name(sidecar.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(f"{digest}  {name}\n")
    partial.replace(sidecar)


def matches_checksum(source: Path) -> bool | None:
    """Whether `source` matches the checksum written beside it; None: there is none."""
    sidecar = checksum_path(source)
    if not sidecar.is_file():
        return None
    try:
        expected = sidecar.read_text(encoding="ascii").split()[0].lower()
    except (OSError, UnicodeDecodeError, IndexError):
        expected = ""
    return sha256(source) == expected
