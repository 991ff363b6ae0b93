"""The web app's command-line entry points: `unstuck serve`, `unstuck demo`, `unstuck manage`.

Django is imported only here and only when one of these commands runs, so the other commands
start quickly.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

SETTINGS = "unstuck.web.settings"
DEMO_DIR = "unstuck-demo"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def serve(
    host: str, port: int, threads: int, *, workers: int | None = None, single: bool = True
) -> int:
    """Serve the web app: several gunicorn processes, or one waitress process (`single`).

    Migrations, static files and the clinic's detection settings are handled once, here, before
    any worker starts.
    """
    setup()
    migrate()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    check_detection_settings()
    if not single:
        from unstuck.web.serving import serve_gunicorn

        return serve_gunicorn(host, port, workers=workers, threads=threads)
    from waitress import serve as waitress_serve

    from unstuck.web.wsgi import application

    print(f"Unstuck is running on http://{host}:{port}/  (Ctrl-C stops it)", flush=True)
    waitress_serve(application, host=host, port=port, threads=threads, ident="unstuck")
    return 0


def check_detection_settings() -> None:
    """Load the clinic's models and thresholds files now, so a bad file stops the start with
    its own message (an `UnstuckError`) instead of failing on the first client page."""
    from unstuck.web.records.instruments import course_models, thresholds

    course_models()
    thresholds()


def demo(*, clients: int, seed: int, host: str, port: int, serve_after: bool) -> int:
    """Fresh demo database (in ./unstuck-demo unless UNSTUCK_DATA_DIR is set), then serve."""
    if "UNSTUCK_DATA_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        shutil.rmtree(DEMO_DIR, ignore_errors=True)
        os.environ["UNSTUCK_DATA_DIR"] = str(Path(DEMO_DIR).resolve())
    setup()
    migrate()
    from unstuck.web.accounts.models import Clinic
    from unstuck.web.demo import load_demo

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
    for login in logins:
        print(f"  {login.role:<14} user {login.username:<8} password {login.password}")
    if not serve_after:
        return 0
    print()
    return serve(host, port, threads=8)


def manage(argv: Sequence[str]) -> int:
    """Django's management commands, e.g. `unstuck manage createsuperuser`."""
    setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["unstuck manage", *argv])
    return 0
