"""`unstuck import FILE --therapist NAME`: open the web app's database, read the file with
analyze's reader, store it (`records.imports`), and say what was stored.

Django is imported only when it runs (`unstuck.web.commands.setup`). Progress goes to
standard error, the summary to standard output.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from unstuck.errors import InvalidRows, UnstuckError
from unstuck.plural import counted, listed
from unstuck.web.commands import migrate, setup

if TYPE_CHECKING:  # Django loads when the command runs
    from unstuck.web.accounts.models import User
    from unstuck.web.records.imports import ImportResult

NOTHING_WRITTEN = "Nothing was written."
SHOWN_CODES = 10  # safety clients named in the summary, at most
CHECKING_ONLY = "checking them (a dry run: nothing is stored)"  # said "and storing them"
PROGRESS_FROM = 200  # clients: a smaller file is done before progress would help
NOT_UP_TO_DATE = (
    "the database was made by an earlier version of Unstuck and needs upgrading, which a dry "
    "run does not do: run `unstuck import` without --dry-run, or start `unstuck serve` once"
)


def import_file(
    source: Path | IO[bytes],
    name: str,
    username: str,
    *,
    outcomes: Path | None = None,
    followed_up_before: dt.date | None = None,
    dry_run: bool = False,
) -> int:
    """The command: 0 when stored (or, with `dry_run`, when it would be), 2 when refused.
    `outcomes` is a ``client_id,ended`` file whose endings end the episodes."""
    from unstuck.web.clinic_found import check_clinic, check_database_file

    check_database_file(NOTHING_WRITTEN)  # before the settings make an empty one
    setup()
    check_clinic(NOTHING_WRITTEN)
    if dry_run:
        _check_up_to_date()
    else:
        migrate()
    from django.utils import timezone

    from unstuck.analysis import read_observations
    from unstuck.web.records.imports import import_records, import_therapist
    from unstuck.web.records.instruments import instruments

    therapist = import_therapist(username)
    endings = _outcomes(outcomes) if outcomes is not None else None
    _say(f"Reading {name} ...")
    try:
        observations = read_observations(source, instruments(), answers=True)
        frame = observations.frame
        clients = frame.get_column("client_id").n_unique()
        doing = CHECKING_ONLY if dry_run else "checking and storing them"
        _say(
            f"Read {counted(frame.height, 'row', grouped=True)} of "
            f"{counted(clients, 'client', grouped=True)}; {doing} ..."
        )
        result = import_records(
            frame=frame,
            therapist=therapist,
            source=name,
            today=timezone.localdate(),
            outcomes=endings,
            outcomes_source=str(outcomes),
            followed_up_before=followed_up_before,
            dry_run=dry_run,
            progress=_progress if clients >= PROGRESS_FROM else None,
        )
    except InvalidRows as problems:
        print(f"unstuck: {problems}\nunstuck: {NOTHING_WRITTEN}", file=sys.stderr)
        return 2
    print(
        summary(
            result,
            name,
            therapist,
            outcomes=outcomes,
            followed_up_before=followed_up_before,
            dry_run=dry_run,
        )
    )
    return 0


def summary(
    result: ImportResult,
    name: str,
    therapist: User,
    *,
    outcomes: Path | None = None,
    followed_up_before: dt.date | None = None,
    dry_run: bool,
) -> str:
    """What was stored (or would be), in plain words."""
    from unstuck.web.records.models import Status

    what = (
        f"{counted(result.clients, 'client', grouped=True)}, "
        f"{counted(result.sessions, 'session', grouped=True)} and "
        f"{counted(result.questionnaires, 'questionnaire', grouped=True)} from {name} for "
        f"therapist {therapist.username}"
        f"{'' if therapist.display_name == therapist.username else f' ({therapist.display_name})'}"
    )
    lines = [f"Checked: importing would add {what}." if dry_run else f"Imported {what}."]
    statuses = [
        f"{result.statuses[value]:,} {str(label).lower()}"
        for value, label in Status.choices
        if result.statuses.get(value)
    ]
    lines.append(f"{'Statuses would be' if dry_run else 'Status now'}: {listed(statuses)}.")
    if followed_up_before is not None:
        closed = counted(result.followed_up, "safety alert", grouped=True)
        lines.append(
            f"{closed} of answers given before {followed_up_before:%Y-%m-%d} "
            f"{'would be' if dry_run else 'were' if result.followed_up != 1 else 'was'} closed "
            "as followed up under the clinic's own procedure at the time, each client's with a "
            "check saying so (recorded by the import, on the clinic's word)."
        )
    codes = result.safety_codes
    if codes:
        shown = list(codes[:SHOWN_CODES])
        if len(codes) > SHOWN_CODES:
            shown.append(f"{len(codes) - SHOWN_CODES} more")
        has = "would have" if dry_run else "has" if len(codes) == 1 else "have"
        lines.append(
            f"{counted(len(codes), 'client')} {has} a safety answer in the history with no "
            f"check recorded ({listed(shown)}): each heads {therapist.username}'s caseload, "
            "with its safety alert open, until the safety check is recorded on the client's "
            "page."
        )
    elif result.followed_up:
        lines.append(f"No safety alert {'would be' if dry_run else 'is'} left open.")
    else:
        lines.append("No safety answer above 0 in the history.")
    if outcomes is not None:
        lines += _endings(result, outcomes.name, dry_run=dry_run)
    if result.first_number == 2:
        lines.append(
            "The file numbers sessions from 0 (the intake): the web app numbers them from 1, "
            "so the intake is session 1 and every later session moved up by one."
        )
    if dry_run:
        lines.append("Nothing was written (--dry-run).")
    return "\n".join(lines)


def _outcomes(path: Path) -> dict[str, tuple[int, str]]:
    """The outcomes file's rows; a file that cannot be used is refused naming the option
    (its rows' problems name the file already)."""
    from unstuck.analysis.outcomes import outcome_rows

    try:
        return outcome_rows(path)
    except InvalidRows:
        raise
    except UnstuckError as exc:
        message = str(exc)
        if str(path) not in message:
            message = f"{path}: {message}"
        raise UnstuckError(f"--outcomes {message}") from None


def _endings(result: ImportResult, name: str, *, dry_run: bool) -> list[str]:
    from unstuck.web.records.models import EndReason

    ended = [
        f"{result.ended[value]:,} {str(label).lower()}"
        for value, label in EndReason.choices
        if result.ended.get(value)
    ]
    others = "; the other episodes stay open" if sum(result.ended.values()) < result.clients else ""
    lines = [
        f"Episodes {'that would end' if dry_run else 'ended'} as {name} says, each on the "
        f"client's last session's date: {listed(ended)}{others}."
        if ended
        else f"No episode {'would end' if dry_run else 'ended'}: {name} lists none as "
        "completed, dropped_out or referred that could be ended."
    ]
    if result.kept_open:
        codes = list(result.kept_open[:SHOWN_CODES])
        if len(result.kept_open) > SHOWN_CODES:
            codes.append(f"{len(result.kept_open) - SHOWN_CODES} more")
        lines.append(
            f"{counted(len(result.kept_open), 'client')} listed as ended "
            f"{'would stay' if dry_run else 'stays' if len(result.kept_open) == 1 else 'stay'} "
            f"open ({listed(codes)}): a safety answer in the history has no check recorded. "
            "Record the safety check on the client's page, then end the episode there."
        )
    return lines


def _say(text: str) -> None:
    print(f"unstuck: {text}", file=sys.stderr, flush=True)


def _progress(stage: str, done: int, total: int) -> None:  # after each batch of clients
    if done:
        _say(f"  statuses worked out for {done:,} of {total:,} clients")


def _check_up_to_date() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise UnstuckError(NOT_UP_TO_DATE)
