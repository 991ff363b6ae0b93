"""The production server: gunicorn, one worker process per core and one more.

One Python process serves one request's Python code at a time (the GIL), so the single waitress
process of the first version topped out near 60 requests/s on two cores. gunicorn forks workers
from a master that has already loaded Django (``preload_app``), restarts a worker that dies, and
is the server Django's deployment guide names first.

Each worker serves one request at a time (gunicorn's sync worker; `--threads N` gives each N
threads instead). A request here is nearly all Python, so threads in one process mostly wait
for each other's turn at the GIL. With 30 therapists clicking without a pause on two cores
(`benchmarks/load.py`), 5 processes of 4 threads gave 68 requests/s and a p95 of 0.8-1.5 s;
3 processes of 1 thread gave 87 requests/s and a p95 of 0.4-0.5 s, the waiting requests
queued in turn instead of sharing the GIL. Behind a reverse proxy (README) a slow client
does not hold a worker: the proxy buffers the request and the response.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from unstuck.errors import UnstuckError
from unstuck.plural import counted

# A worker that has not answered for this long is restarted; a consultation PDF of a long
# episode takes a few seconds, never minutes.
WORKER_TIMEOUT_SECONDS = 120


def default_workers() -> int:
    """One per core, and one more to run while another waits on the database (measured
    against gunicorn's usual 2 x cores + 1 in the module's docstring)."""
    return (os.cpu_count() or 1) + 1


class _Unstuck(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from unstuck.web.wsgi import application

        return application


def _close_connections() -> None:
    """Forked workers must not share the master's database connection (it ran migrations)."""
    from django.db import connections

    connections.close_all()


def _post_fork(server: Any, worker: Any) -> None:  # gunicorn's hook takes exactly these two
    _close_connections()


def one_polars_thread() -> None:
    """Run polars on one thread in each worker: the workers already fill the cores, and
    polars' own pool (a thread per core in every worker) made the machine switch between
    threads. Measured with `benchmarks/load.py` at 30 therapists with no pause, runs with and
    without alternating (4 December 2026): 51 and 61 requests/s at 33 and 28 ms of server CPU
    each with the pool, 56 and 64 at 30 and 26 ms with one thread (48 and 57 against 61 and 70
    while other work shared the machine). polars reads the setting when it is imported,
    so this must run before anything imports it (`unstuck serve` does, first); a clinic's own
    POLARS_MAX_THREADS is kept."""
    os.environ.setdefault("POLARS_MAX_THREADS", "1")


def check_can_listen(host: str, port: int) -> None:
    """Refuse, before anything starts, an address and port this machine cannot listen on:
    a port in use gave a traceback (waitress) or "Unstuck is running" and then a failure."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError):
        raise UnstuckError(_NOT_HERE.format(host=host)) from None
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            probe.bind(address)
        except OSError as exc:
            raise UnstuckError(listen_problem(host, port, exc)) from None


_NOT_HERE = (
    "--host {host}: not an address of this machine; use 127.0.0.1 (with a reverse proxy in "
    "front) or one of this machine's addresses"
)


def listen_problem(host: str, port: int, exc: OSError) -> str:
    """Why the server cannot listen on `host`:`port`, and what to do, in one line."""
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is in use by another program: stop it, or choose another "
            "port with --port (or $UNSTUCK_PORT)"
        )
    if exc.errno == errno.EACCES:
        return (
            f"this account may not listen on port {port} (ports below 1024 need root): choose "
            "a port from 1024 up with --port"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return _NOT_HERE.format(host=host)
    return f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port"


def serve_gunicorn(host: str, port: int, *, workers: int | None, threads: int) -> int:
    count = workers or default_workers()
    _close_connections()
    options = {
        "bind": f"{host}:{port}",
        "workers": count,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "preload_app": True,
        "timeout": WORKER_TIMEOUT_SECONDS,
        "graceful_timeout": 30,
        # No access log: URLs can carry a client code in a search; errors go to stderr.
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "unstuck",
        # Trust X-Forwarded-* only from a reverse proxy on this machine (see the README).
        "forwarded_allow_ips": os.environ.get("UNSTUCK_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        "post_fork": _post_fork,
        "when_ready": _say_when_ready(
            running_message(host, port, processes=count, threads=threads)
        ),
    }
    _Unstuck(options).run()
    return 0


def running_message(host: str, port: int, *, processes: int, threads: int) -> str:
    """What `unstuck serve` prints once it listens: the address it listens on and, when
    UNSTUCK_SITE_URL names another one (the reverse proxy's public https address), the address
    people open; its default, this machine's port 8000, would only mislead then."""
    from django.conf import settings

    listening = f"http://{host}:{port}/"
    how = f"{counted(processes, 'process', 'processes')} of {counted(threads, 'thread')}"
    how += " each" if processes > 1 else ""
    message = f"Unstuck is running on {listening} ({how}; Ctrl-C stops it)"
    site = settings.SITE_URL.rstrip("/") + "/"
    if os.environ.get("UNSTUCK_SITE_URL") and site != listening:
        message += f"\nPeople open it at {site} (UNSTUCK_SITE_URL)"
    return message


def _say_when_ready(message: str) -> Callable[[Any], None]:
    """gunicorn's hook once it listens: only then is it true that Unstuck is running."""

    def when_ready(server: Any) -> None:
        print(message, flush=True)

    return when_ready
