"""The web app's commands: `unstuck serve`, `setup`, `manage`, `send-due` and `demo`.

Kept apart from cli.py so that file stays about analysis; Django is imported only when one of
these commands runs (`unstuck.web.commands`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path

from unstuck.cli_output import (
    add_report_options,
    check_output,
    report_format,
    write_caseload_report,
)
from unstuck.cli_tools import at_least, instrument_set
from unstuck.errors import UnstuckError


def add_web_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="start the web app (SQLite in ./unstuck-data unless DATABASE_URL is set)",
        description="Migrate the database if needed and serve the web app: gunicorn with "
        "several worker processes (put a reverse proxy with TLS in front; see the README), or "
        "with --dev one waitress process. "
        "Settings come from environment variables: DATABASE_URL, UNSTUCK_DATA_DIR, "
        "UNSTUCK_ALLOWED_HOSTS, UNSTUCK_SECRET_KEY (see the README).",
    )
    add_serve_options(serve)
    serve.add_argument(
        "--threads",
        type=at_least(1),
        default=1,
        help="threads per worker process (default 1: each process serves one request at a "
        "time, which is quicker than several threads sharing one process)",
    )
    serve.add_argument(
        "--workers",
        type=at_least(1),
        default=None,
        help="worker processes (default CPU cores + 1; served by gunicorn)",
    )
    serve.add_argument(
        "--dev",
        action="store_true",
        help="one waitress process instead of gunicorn's several (for development)",
    )
    serve.set_defaults(run=_run_serve)
    from unstuck.web.setup_clinic import AFTER_SETUP  # no Django: the words only

    setup = sub.add_parser(
        "setup",
        help="first run: create the clinic and its first administrator",
        description="Create the clinic and its first administrator account (asks for the "
        f"clinic name, user name, e-mail and password). Then start 'unstuck serve' and "
        f"{AFTER_SETUP}.",
    )
    for flag, what in (
        ("clinic", "the clinic's name"),
        ("username", "the administrator's user name"),
        ("email", "the administrator's e-mail"),
        (
            "password",
            "the administrator's password (or set $UNSTUCK_SETUP_PASSWORD, which ps does not show)",
        ),
    ):
        setup.add_argument(f"--{flag}", help=what)
    setup.add_argument("--no-input", action="store_true", help="ask nothing (for scripts)")
    setup.set_defaults(run=_run_setup)

    manage = sub.add_parser(
        "manage",
        help="run a Django management command (e.g. createsuperuser, migrate)",
        add_help=False,
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(run=_run_manage)

    send_due = sub.add_parser(
        "send-due",
        help="email scheduled questionnaire links and reminders (run from cron or a timer)",
        description="Send every questionnaire link whose time has come, and one reminder for "
        "each link still unanswered after the clinic's reminder delay (default 2 days). Safe "
        "to run often, and twice at once: each message is claimed before it is sent. Uses "
        "the same DATABASE_URL / UNSTUCK_DATA_DIR as `unstuck serve`, and the UNSTUCK_EMAIL_ "
        "settings (without UNSTUCK_EMAIL_HOST, or UNSTUCK_EMAIL_DIR, nothing is sent: exit "
        "status 1 when something was due; see docs/portal.md).",
    )
    send_due.set_defaults(run=_run_send_due)


def add_serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port",
        type=port_number,
        default=None,
        help="port, 1-65535 (default 8000, or $UNSTUCK_PORT)",
    )


PORT_RULE = "expected a port number, 1-65535"


def port_number(text: str) -> int:
    """An argparse type: a TCP port. 0 ("any free port") is refused: the app's address is
    printed, and written into messages, before the server starts."""
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r}: {PORT_RULE}")
    return int(text)


def default_port() -> int:
    value = os.environ.get("UNSTUCK_PORT", "") or "8000"
    try:
        return port_number(value)
    except argparse.ArgumentTypeError:
        raise UnstuckError(f"UNSTUCK_PORT={value!r}: {PORT_RULE}") from None


def _run_serve(args: argparse.Namespace) -> int:
    if not args.dev:  # before anything imports polars (`unstuck.cli` does not)
        from unstuck.web.serving import one_polars_thread

        one_polars_thread()
    from unstuck.web import commands

    return commands.serve(
        args.host,
        args.port or default_port(),  # port_number refuses 0
        args.threads,
        workers=args.workers,
        single=args.dev,
    )


def _run_setup(args: argparse.Namespace) -> int:
    from unstuck.web.setup_clinic import setup_clinic

    given = {k: getattr(args, k) for k in ("clinic", "username", "email", "password")}
    return setup_clinic(given, no_input=args.no_input)


def _run_manage(args: argparse.Namespace) -> int:
    from unstuck.web import commands

    return commands.manage(args.args)


def _run_send_due(args: argparse.Namespace) -> int:
    from unstuck.web.send_due import send_due

    return send_due()


def add_demo_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser(
        "demo",
        help="start the web app on a synthetic demo clinic (no real data)",
        description="Create a fresh synthetic demo clinic (2 therapists, a supervisor, a "
        "clinic lead, an administrator, made-up clients with codes SYN-...) in ./unstuck-demo, "
        "print the demo logins and serve the web app. With --report, print an analysis report "
        "instead.",
    )
    demo.add_argument(
        "--clients", type=at_least(1), default=60, help="how many clients (default 60)"
    )
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument(
        "--report", action="store_true", help="print an analysis report; do not start the app"
    )
    demo.add_argument(
        "--no-serve", action="store_true", help="load the demo clinic but do not serve it"
    )
    add_serve_options(demo)
    add_report_options(demo, default="text")
    demo.set_defaults(run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    if not args.report:
        from unstuck.web import commands

        return commands.demo(
            clients=args.clients,
            seed=args.seed,
            host=args.host,
            port=args.port or default_port(),
            serve_after=not args.no_serve,
        )
    from unstuck.analysis import analyze_file
    from unstuck.synth import demo_clinic

    instruments = instrument_set(args)
    if args.output is not None:
        check_output(args.output, "--output", screen=True)
    # the web demo's clients and dates for the same seed
    clinic = demo_clinic(clients=args.clients, seed=args.seed, today=dt.date.today())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic-caseload.csv"
        clinic.observations.write_csv(path)
        analysis = analyze_file(path, instruments)
    title = f"Unstuck demo: a synthetic clinic of {args.clients} made-up clients"
    write_caseload_report(analysis.summary, report_format(args), instruments, title, args.output)
    return 0
