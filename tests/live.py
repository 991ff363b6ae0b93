"""A real `unstuck serve` (gunicorn, several processes) on 127.0.0.1 over a real database.

The contention tests need what the in-process test client cannot give: several server
processes writing one SQLite file, or many PostgreSQL connections, at the same instant. The
database is SQLite in a temporary data folder, or, when DATABASE_URL names a PostgreSQL server,
a fresh database on it (dropped afterwards).
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

PASSWORD = "live-test-password-2026"
UNSTUCK = str(Path(sys.executable).with_name("unstuck"))

SEED = """
import datetime as dt, json, sys
from unstuck.web import commands
commands.setup()
commands.migrate()
from unstuck.web.accounts.models import Clinic, Role, User
from unstuck.web.records import services
clinic = Clinic.objects.create(name="Live test clinic (synthetic)", synthetic=True)
out = []
for i in range(int(sys.argv[1])):
    user = User.objects.create_user(
        f"t{i}", password=sys.argv[2], clinic=clinic, role=Role.THERAPIST
    )
    client = services.create_client(
        therapist=user, code=f"SYN-L{i:03}", started_on=dt.date(2026, 1, 5), synthetic=True
    )
    out.append([user.username, client.pk])
print(json.dumps(out))
"""


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    therapists: list[tuple[str, int]]  # user name, their client's id
    data_dir: Path
    postgres: str | None  # libpq URL of the live database, or None for SQLite

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Read the server's database directly (SQL with %s placeholders)."""
        if self.postgres is None:
            with sqlite3.connect(self.data_dir / "unstuck.sqlite3") as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.postgres) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def session_numbers(self, client_id: int) -> list[int]:
        rows = self.query(
            "SELECT s.number FROM records_session s JOIN records_episode e "
            "ON s.episode_id = e.id WHERE e.client_id = %s ORDER BY s.number",
            client_id,
        )
        return [r[0] for r in rows]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """One person's cookies and CSRF token over real HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, Any] | None = None) -> tuple[int, str, str]:
        """Status, Location header and body of a GET (or a POST when `data` is given)."""
        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.csrf()} | data
            body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=120) as r:
                return r.status, r.headers.get("Location", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Location", ""), e.read().decode(errors="replace")

    def follow(self, path: str, data: dict[str, Any] | None = None) -> tuple[str, str]:
        """As a person's browser does: the request, then its redirects. The path it ends on
        and that page, which must answer 200 (a 403 or 500 fails here, naming the path)."""
        status, location, body = self.request(path, data)
        while status in (301, 302, 303):
            path = urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl()
            status, location, body = self.request(path)
        assert status == 200, f"{path} answered {status}: {body[:300]}"
        return path, body

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")  # type: ignore[misc]

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.request("/login/")
        status, _, body = self.request("/login/", {"username": username, "password": password})
        assert status == 302, body[:500]

    def form_token(self, path: str) -> str:
        status, _, page = self.request(path)
        assert status == 200, page[:500]
        found = re.search(r'name="submit_token" value="([^"]+)"', page)
        assert found, f"no submit_token on {path}"
        return found.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(server: subprocess.Popen[str], url: str, seconds: float) -> None:
    """Return once `url` + /login/ answers; raise with the server's output if it stopped or
    did not answer within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url + "/login/", timeout=5).close()
            return
        except OSError:  # URLError and refused connections alike
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read() if server.stdout else ""
                raise RuntimeError(f"unstuck serve did not start:\n{output}") from None
            time.sleep(0.3)


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


# Scores for every client, then every status marked as made by other rules: `unstuck serve`
# then remakes them (with polars) before its workers start.
STALE = """
import datetime as dt
from unstuck.web import commands
commands.setup()
from unstuck.web.accounts.models import User
from unstuck.web.records import services
from unstuck.web.records.models import Client
for client in Client.objects.all():
    for week, answers in enumerate(([3] * 8 + [0], [2] * 8 + [0], [2] * 8 + [0])):
        services.record_session(
            user=client.therapist, client=client, data=services.SessionInput(
                date=dt.date(2026, 1, 5) + dt.timedelta(days=7 * week),
                attendance="attended", answers={"phq9": answers}))
Client.objects.update(rules_version="")
"""


@contextmanager
def live_server(
    tmp: Path, *, therapists: int = 16, workers: int = 3, threads: int = 1, stale: bool = False
) -> Iterator[LiveServer]:
    """`unstuck serve` (gunicorn) on a fresh database: one request per process at a time as
    by default, or `threads` per process; with `stale`, clients with scores whose statuses
    the server remakes as it starts."""
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["UNSTUCK_DATA_DIR"] = str(tmp)
    base_url = os.environ.get("DATABASE_URL", "")
    postgres = None
    if base_url.startswith("postgres"):
        parts = urllib.parse.urlsplit(base_url)
        name = f"{parts.path.lstrip('/') or 'unstuck'}_live{os.getpid()}"
        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        postgres = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}"')
        _admin(admin, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = postgres
    else:
        env.pop("DATABASE_URL", None)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, str(therapists), PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    people = [(u, int(c)) for u, c in json.loads(seeded.stdout.strip().splitlines()[-1])]
    if stale:
        subprocess.run([sys.executable, "-c", STALE], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [
            *(UNSTUCK, "serve", "--port", str(port)),
            *("--workers", str(workers), "--threads", str(threads)),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, url, 90)
        yield LiveServer(url, env, people, tmp, postgres)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if postgres is not None:
            parts = urllib.parse.urlsplit(postgres)
            admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
            _admin(admin, f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
