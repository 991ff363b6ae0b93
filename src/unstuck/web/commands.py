"""The web app's command-line entry points: `unstuck serve`, `unstuck demo`, `unstuck manage`.

Django is imported only here and only when one of these commands runs, so the other commands
start quickly.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from unstuck.errors import UnstuckError
from unstuck.plural import counted

SETTINGS = "unstuck.web.settings"
DEMO_DIR = "unstuck-demo"


def setup(*, connect_now: bool = True) -> None:
    """Load the settings and open the database (unless not `connect_now`); one line (an
    `UnstuckError`) when either cannot be used: a bad DATABASE_URL or data folder, a database
    that does not answer or cannot be read."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise UnstuckError(f"the settings cannot be used: {_one_line(exc)}") from None
    if connect_now:
        connect()


def connect() -> None:
    """Open the database now, so that one which cannot be reached or read is named plainly."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
        if connection.vendor == "sqlite":  # a file that is not a database fails only here
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM sqlite_master")
    except (DatabaseError, ImproperlyConfigured) as exc:
        raise UnstuckError(database_problem(connection.settings_dict, exc)) from None
    if connection.vendor == "sqlite":
        check_sqlite_version(sqlite3.sqlite_version_info)


# Reading many clients at once (the team page, statuses remade together) passes thousands of
# values in one query; SQLite allowed 999 before 3.32, and 32,766 since.
SQLITE_NEEDED = (3, 32, 0)


def check_sqlite_version(found: tuple[int, int, int]) -> None:
    """Refuse, plainly, an SQLite too old for a clinic's worth of records."""
    if found < SQLITE_NEEDED:
        have = ".".join(map(str, found))
        raise UnstuckError(
            f"this Python's SQLite is version {have}; Unstuck needs 3.32 or newer (it reads "
            "thousands of values in one query, which older versions refuse). Use a Python "
            "built with a newer SQLite, or PostgreSQL (DATABASE_URL, see the README)"
        )


def database_problem(db: Mapping[str, Any], exc: Exception) -> str:
    """What is wrong with the database `db` (Django's settings for it), and what to do."""
    reason = _one_line(exc)
    if str(db["ENGINE"]).endswith("sqlite3"):
        return (
            f"the SQLite database {db['NAME']} cannot be read ({reason}); move it aside, or "
            "restore a backup with `unstuck restore --force FILE`"
        )
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    for pattern, advice in _POSTGRES_PROBLEMS:
        if re.search(pattern, reason):
            return advice.format(
                where=where, name=db.get("NAME"), user=db.get("USER"), host=db.get("HOST")
            )
    return f"the database in DATABASE_URL cannot be opened ({reason}); check DATABASE_URL"


# What libpq says (a pattern), and what it means for the person who set DATABASE_URL.
_POSTGRES_PROBLEMS = (
    (
        r"Connection refused",
        "nothing answers at {where}: start PostgreSQL there, or correct the host and port in "
        "DATABASE_URL",
    ),
    (
        r'database ".*" does not exist',
        "the database {name!r} does not exist at {where}: create it (createdb {name}), or "
        "correct its name in DATABASE_URL",
    ),
    (
        r'role ".*" does not exist',
        "PostgreSQL at {where} has no user {user!r}: create it (createuser {user}), or correct "
        "the user in DATABASE_URL",
    ),
    (
        r"resolve host|translate host name",
        "the host {host!r} in DATABASE_URL cannot be found: correct it",
    ),
    (
        r"password authentication failed",
        "PostgreSQL at {where} refused the password of {user!r}: correct it in DATABASE_URL",
    ),
)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def serve(
    host: str, port: int, threads: int, *, workers: int | None = None, single: bool = True
) -> int:
    """Serve the web app: several gunicorn processes, or one waitress process (`single`).

    Migrations, static files and the clinic's detection settings are handled once, here, before
    any worker starts; a port that cannot be used is refused before all of them.
    """
    from unstuck.web.serving import check_can_listen

    check_can_listen(host, port)
    setup()
    from django.db import connection

    from unstuck.web.in_use import hold_while_serving

    hold_while_serving(connection.settings_dict)  # a restore waits until the server stops
    from unstuck.web.accounts.throttle import proxy_problem
    from unstuck.web.clinic_found import no_clinic_warning
    from unstuck.web.portal.checks import email_address_problem

    # the first before migrate makes tables; the others are also `manage check --deploy`'s
    for problem in (no_clinic_warning(), email_address_problem(), proxy_problem()):
        if problem:
            print(f"unstuck: warning: {problem}", file=sys.stderr, flush=True)
    migrate()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    check_detection_settings()
    if single:
        refresh_statuses()
    else:  # polars' threads, once started, do not survive gunicorn's fork: update apart
        _in_a_process_of_its_own(refresh_statuses)
    if not single:
        from unstuck.web.serving import serve_gunicorn

        return serve_gunicorn(host, port, workers=workers, threads=threads)
    return _serve_waitress(host, port, threads)


def _in_a_process_of_its_own(work: Callable[[], None]) -> None:
    """Run `work` in a fresh Python process and wait for it. The status updates run polars,
    whose thread pool does not survive a fork: run in gunicorn's master, they left every
    worker waiting forever on its first status update (a save, a consultation summary)."""
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=_set_up_and_run, args=(work,))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise UnstuckError("updating the clients' status failed (the message above says why)")


def _set_up_and_run(work: Callable[[], None]) -> None:
    setup()
    work()


def _serve_waitress(host: str, port: int, threads: int) -> int:
    import logging

    from waitress.server import create_server

    from unstuck.web.serving import listen_problem, running_message
    from unstuck.web.wsgi import application

    try:
        server = create_server(application, host=host, port=port, threads=threads, ident="unstuck")
    except OSError as exc:  # taken since check_can_listen looked
        raise UnstuckError(listen_problem(host, port, exc)) from None
    logging.basicConfig()  # as waitress.serve does: its warnings reach standard error
    print(running_message(host, port, processes=1, threads=threads), flush=True)
    server.run()  # returns on Ctrl-C
    return 0


def check_detection_settings() -> None:
    """Load the clinic's models and thresholds files now, so a bad file stops the start with
    its own message (an `UnstuckError`) instead of failing on the first client page."""
    from unstuck.web.records.instruments import course_models, thresholds

    course_models()
    thresholds()


def refresh_statuses() -> None:
    """Remake the status of every client whose status was made by other rules (after an
    upgrade or a new thresholds, models or instrument file), before anyone reads it."""
    from unstuck.web.records.snapshots import refresh_stale

    def progress(done: int, total: int) -> None:  # (0, total) first, then after each batch
        if done == 0:
            print(
                "The detection rules have changed: updating the status of "
                f"{counted(total, 'client')}."
            )
        else:
            print(f"\r  updated {done}/{total}", end="\n" if done == total else "", flush=True)

    refresh_stale(progress)


def demo(*, clients: int, seed: int, host: str, port: int, serve_after: bool) -> int:
    """Fresh demo database (in ./unstuck-demo unless UNSTUCK_DATA_DIR is set), then serve."""
    if serve_after:  # before a minute of loading, not after
        from unstuck.web.serving import check_can_listen

        check_can_listen(host, port)
    # links in the demo's emails point at the address it serves on
    os.environ.setdefault("UNSTUCK_SITE_URL", f"http://{host}:{port}")
    if "UNSTUCK_DATA_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        shutil.rmtree(DEMO_DIR, ignore_errors=True)
        os.environ["UNSTUCK_DATA_DIR"] = str(Path(DEMO_DIR).resolve())
    if not os.environ.get("UNSTUCK_EMAIL_HOST"):  # the demo's email goes to files
        data_dir = Path(os.environ.get("UNSTUCK_DATA_DIR", "unstuck-data")).resolve()
        os.environ.setdefault("UNSTUCK_EMAIL_DIR", str(data_dir / "outbox"))
    setup()
    migrate()
    from unstuck.web.accounts.models import Clinic
    from unstuck.web.demo import load_demo, open_safety_alerts, reviews_under_way

    if Clinic.objects.exists():
        print(
            "unstuck: this database already holds a clinic; the demo loads only into an empty "
            "one (unset DATABASE_URL/UNSTUCK_DATA_DIR to use ./unstuck-demo).",
            file=sys.stderr,
        )
        return 2

    def progress(done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            print(f"\r  loading synthetic clients: {done}/{total}", end="", flush=True)

    print("Creating a synthetic demo clinic (made-up clients, codes SYN-...):")
    logins = load_demo(clients=clients, seed=seed, progress=progress)
    print("\n\nDemo logins (synthetic clinic only; never use these passwords for real data):")
    from unstuck.web.accounts.models import Role

    for login in logins:  # the role as the pages name it ("Clinic lead"), not its code
        role = Role(login.role).label
        print(f"  {role:<14} user {login.username:<8} password {login.password}")
    from unstuck.web.portal.demo import demo_portal

    portal = demo_portal(therapist_username="alex", origin=f"http://{host}:{port}")
    print(
        f"\nThe client's side: {portal.client_code} (alex's client) has PHQ-9 + GAD-7 to answer."
        f"\n  private link (open it in a phone-sized window): {portal.link}"
        f"\n  kiosk: open http://{host}:{port}/kiosk/ and type {portal.kiosk_code}"
        " (session feedback; the code works for 30 minutes)"
        f"\n  {_where_email_goes()}"
    )
    for code, therapist in open_safety_alerts():
        print(
            f"\nA safety alert is open: {code} ({therapist}'s client) gave a safety answer and "
            "has not been seen since; their caseload shows it first, with the check-in form."
        )
    for code, therapist in reviews_under_way():
        print(
            f"\nAn impasse review is under way: {code} ({therapist}'s client) has a review of "
            "the likely reasons and a plan; the client page shows both and the next step."
        )
    if not serve_after:
        return 0
    print()
    return serve(host, port, threads=8)


def _where_email_goes() -> str:
    from django.conf import settings

    if settings.EMAIL_HOST:
        return f"emails are sent through the SMTP server {settings.EMAIL_HOST}"
    if settings.EMAIL_FILE_PATH:
        return f"emails are written to {settings.EMAIL_FILE_PATH}"
    return "email is not set up: no messages are sent (UNSTUCK_EMAIL_HOST, see the README)"


# Django's commands that would empty the database: its audit log is append-only, so the
# database refuses them part way with a message about a database that "isn't running".
EMPTYING = frozenset({"flush", "sqlflush"})
EMPTYING_REFUSED = (
    "'manage {name}' would empty the database, its audit log too, which is kept for good: it "
    "is refused and nothing was changed. To start again, point UNSTUCK_DATA_DIR (or "
    "DATABASE_URL) at a new database and run 'unstuck setup'"
)


def manage(argv: Sequence[str]) -> int:
    """Django's management commands, e.g. `unstuck manage createsuperuser`."""
    if argv and argv[0] in EMPTYING:
        raise UnstuckError(EMPTYING_REFUSED.format(name=argv[0]))
    setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["unstuck manage", *argv])
    return 0
