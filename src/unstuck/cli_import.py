"""`unstuck import FILE --therapist NAME`: bring a clinic's questionnaire history into the web app.

Kept apart from cli.py so that file stays about analysis; Django is imported only when the
command runs (`unstuck.web.import_file`).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from unstuck.errors import UnstuckError

IMPORT_HELP = """\
The file is the CSV that 'unstuck analyze' reads (see 'unstuck analyze --help'), and it is
checked by the same rules, with the same messages. The web app keeps more than analyze
reads, so it also needs:
  date          every session's date (YYYY-MM-DD), none after today
  item_1 ...    each questionnaire's item answers: a row with a total only is refused
                (the web app scores questionnaires from their answers; analyze still
                reads totals)
  markers       empty or 0 (the web app records which signs were noticed, not how many)
  client_id     codes as the web's client form takes them: at most 40 characters, no
                control character, not a person's name, none that differs from another
                only in capital letters, and none already in the clinic

Every client of the file goes to the therapist named, with one episode of care, open
unless --outcomes ends it. --outcomes FILE is the CSV 'unstuck team' and 'unstuck
fit-dropout' read: client_id,ended, ended one of completed, dropped_out, referred or
ongoing. Each client it lists as completed, dropped_out or referred has the episode ended
on their last session's date in the history (booked or attended), with that ending, and
leaves the caseload; ongoing, and a client it does not list, stays open. Its codes
match the history's whatever their capital letters. A client with a
safety alert open stays open too, named in the summary: ending the episode asks the
therapist to confirm they considered the alert, on the client's page.
Occasion 0 (the intake) becomes session 1, as the web app numbers sessions from 1 (every
later session moves up by one). A row of attendance with no questionnaire is a session
without one, as analyze reads it. A safety answer above 0 opens its safety alert, as a
saved session does: the client heads the caseload until the safety check is recorded.
--safety-followed-up-before DATE is the clinic's statement that the answers given before
DATE were followed up under its own procedure at the time: their alerts are closed by a
check saying so (recorded by the import, no therapist named); later answers stay open.

It is one transaction: a refused file, or any error, writes nothing, and a client already
in the clinic is refused by name, so running it twice never adds anything twice. Uses the
same DATABASE_URL / UNSTUCK_DATA_DIR as 'unstuck serve' and the web app's questionnaires
(built in, UNSTUCK_INSTRUMENTS_DIR and those uploaded on the Instruments page).

examples:
  unstuck import history.csv --therapist alex --dry-run    check it, write nothing
  unstuck import history.csv --therapist alex
  unstuck import history.csv --therapist alex --outcomes endings.csv
  unstuck import history.csv --therapist alex --safety-followed-up-before 2026-06-01
"""


def add_import_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser(
        "import",
        help="store a caseload CSV's history (PHQ-9, GAD-7, ...) in the web app's database",
        description="Store the clients, sessions and questionnaires of a caseload CSV (the\n"
        "format 'unstuck analyze' reads, with item answers and dates) in the web app, for\n"
        "one therapist: all of it, or, when any row is refused, nothing.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=IMPORT_HELP,
    )
    command.add_argument("file", type=Path, help="the CSV file ('-' reads standard input)")
    command.add_argument(
        "--therapist",
        required=True,
        metavar="USERNAME",
        help="the user name of the active therapist who gets every client of the file",
    )
    command.add_argument(
        "--outcomes",
        type=Path,
        metavar="FILE",
        help="a CSV of client_id,ended: the episodes it lists as completed, dropped_out or "
        "referred are ended on the client's last session's date",
    )
    command.add_argument(
        "--safety-followed-up-before",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the clinic states that the history's safety answers given before this day were "
        "followed up under its own procedure at the time: their alerts are closed by a check "
        "saying so (recorded by the import, no therapist named); later answers stay open",
    )
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and say what would be stored, statuses and safety alerts "
        "included, and write nothing",
    )
    command.set_defaults(run=_run_import)


def _run_import(args: argparse.Namespace) -> int:
    from unstuck.cli_tools import input_name, input_source

    if args.instruments_dir:
        raise UnstuckError(
            "import stores questionnaires the web app knows: its own, UNSTUCK_INSTRUMENTS_DIR "
            "and those uploaded on the Instruments page; --instruments-dir is not read by it"
        )
    from unstuck.web.import_file import import_file

    return import_file(
        input_source(args.file),
        input_name(args.file),
        args.therapist,
        outcomes=args.outcomes,
        followed_up_before=args.safety_followed_up_before,
        dry_run=args.dry_run,
    )


def _day(text: str) -> dt.date:
    """A day written YYYY-MM-DD, not after today (argparse names the option on refusal)."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day written YYYY-MM-DD") from None
    if day > dt.date.today():
        raise argparse.ArgumentTypeError(
            f"{text} is after today: the clinic can speak only for answers already followed up"
        )
    return day
