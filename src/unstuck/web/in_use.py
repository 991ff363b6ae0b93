"""A running server and a restore keep out of each other's way.

`unstuck serve` holds a shared lock on a file beside the database (``DATABASE.in-use`` for
SQLite; in the data folder for PostgreSQL) for as long as it runs; `unstuck restore` takes the
same lock alone, and so does `unstuck copy-database` on the database it copies. So a restore
refuses while a server runs on the database (the server would go on writing into, or reading
from, a database replaced under it), and a server refuses to start while a restore or a copy
runs. The lock is the operating system's (``flock``): it ends with the
process that held it, so a killed server leaves nothing to clean up. On PostgreSQL a restore
also refuses while other sessions are connected (`unstuck.web.backup`), which covers a server
on another machine.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from unstuck.errors import UnstuckError
from unstuck.web.env import data_dir

SERVING = (
    "Unstuck is being served from this database (`unstuck serve` is running); stop it before "
    "restoring, so that nothing is written into the database while it is replaced. Nothing "
    "was changed"
)
RESTORING = (  # `unstuck restore` and `unstuck copy-database` hold the lock alone
    "a restore into this database, or a copy of it (`unstuck copy-database`), is running; "
    "start the server when it has finished"
)
_held: list[IO[str]] = []  # the serving lock, held while this process serves


def lock_file(db: Mapping[str, Any]) -> Path:
    if str(db["ENGINE"]).endswith("sqlite3"):
        return Path(f"{db['NAME']}.in-use")
    where = f"{db.get('HOST') or 'local'}-{db.get('PORT') or 5432}-{db['NAME']}"
    return data_dir() / f"postgresql-{re.sub(r'[^A-Za-z0-9_.-]', '_', where)}.in-use"


def _open(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+")


def hold_while_serving(db: Mapping[str, Any]) -> None:
    """Take the shared lock for the life of this process (and the workers it starts)."""
    handle = _open(lock_file(db))
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise UnstuckError(RESTORING) from None
    _held.append(handle)


@contextmanager
def alone(
    db: Mapping[str, Any], refusal: type[UnstuckError] = UnstuckError, message: str = SERVING
) -> Iterator[None]:
    """Hold the lock alone while the block runs; raise `refusal(message)` at once if a server
    holds it."""
    with _open(lock_file(db)) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise refusal(message) from None
        yield
