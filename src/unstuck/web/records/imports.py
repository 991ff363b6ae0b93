"""Store a caseload file's history in the web app: `unstuck import FILE --therapist NAME`.

The file has been read and checked by analyze's reader (`read_observations(...,
answers=True)`); this adds the web app's own rules (`import_rules`), refuses codes already in
the clinic, and stores every client, episode, session and questionnaire in one transaction
with its safety alerts, statuses and audit entries: all or nothing. A refused file, or a
dry run, leaves the database as it was.

How the file's history becomes records:

- Each client gets one open episode of care, starting on their first session's date, and
  the named therapist.
- Sessions keep the file's numbers, with one exception: the web app numbers sessions from 1,
  so a file that numbers them from 0 (the intake or baseline, as analyze reads occasion 0)
  has every number moved up by one. The intake is session 1, and the steps between sessions,
  which the expected course is measured in, are as analyze has them.
- A row of attendance with no questionnaire, and a missed session with no score, is a
  session with no questionnaire, as analyze reads it (it counts for attendance).
- Answers are scored by the web app's one rule (`services.scored_fields`), the rule of every
  session saved on the form.
- A safety answer above 0 opens its safety alert as a saved session does
  (`alerts.raise_safety_alerts_for`): the client heads the caseload until the therapist
  records a check. The history holds no record of a check, so none is made up.
- With ``followed_up_before`` (`--safety-followed-up-before DATE`) the clinic states that the
  history's safety answers given before that day were followed up under its own procedure at
  the time, outside Unstuck: their alerts are closed by a check saying exactly that (outcome
  "other", recorded by the import, no therapist named), on the clinic's word, so years of
  answers long dealt with do not head the caseload. Later answers stay open.
- An outcomes file (``client_id,ended``, as `unstuck team` and `unstuck fit-dropout` read it)
  ends the episodes it lists as ``completed``, ``dropped_out`` or ``referred`` on the client's
  last session's date, booked or attended, so years of past clients do not fill the caseload.
  ``ongoing``, and a client it does not list, stays open. So does a client with a safety
  alert open: ending the episode then asks the therapist to confirm they considered it
  (`services.end_episode`), a step an import does not take for them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import polars as pl
from django.db import IntegrityError, transaction

from unstuck.errors import Problem, UnstuckError
from unstuck.plural import counted
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, Role, User
from unstuck.web.records.alerts import raise_safety_alerts_for
from unstuck.web.records.import_endings import Endings, end_courses, endings_from, followed_up
from unstuck.web.records.import_rules import check_for_the_web, refused
from unstuck.web.records.instruments import instruments
from unstuck.web.records.models import (
    Client,
    Episode,
    MeasureResponse,
    Session,
)
from unstuck.web.records.services import scored_fields
from unstuck.web.records.snapshots import refresh_statuses

IMPORT_ACTOR = "unstuck import"
CODE_TAKEN = (
    "a client with the code {taken!r} is already in this clinic (an import never adds a "
    "client twice): leave this client's rows out"
)
ALL_TAKEN = (
    "{source}: every client of the file ({clients}) is already in this clinic: has it been "
    "imported before? An import never adds a client twice. Nothing was written."
)
ADDED_MEANWHILE = (
    "a client with one of the file's codes was added while the import ran; nothing was "
    "written: run it again to see which"
)
Progress = Callable[[str, int, int], None]  # what is being done, how far, out of how many


@dataclass(frozen=True)
class ImportResult:
    clients: int
    sessions: int
    questionnaires: int
    safety_codes: tuple[str, ...]  # clients with a safety alert open, in file order
    statuses: dict[str, int] = field(default_factory=dict)  # Status value -> clients
    first_number: int = 1  # the session number the file's first occasion became
    ended: dict[str, int] = field(default_factory=dict)  # EndReason value -> episodes ended
    kept_open: tuple[str, ...] = ()  # listed as ended, left open for a safety alert
    followed_up: int = 0  # alerts closed as followed up before the day the clinic gave


def import_therapist(username: str) -> User:
    """The active therapist of the clinic named `username`; an `UnstuckError` saying what
    is wrong (and naming the therapists there are) otherwise."""
    therapists = User.objects.filter(role=Role.THERAPIST, is_active=True, clinic__isnull=False)
    names = ", ".join(therapists.order_by("username").values_list("username", flat=True))
    known = f"the clinic's therapists are: {names}" if names else "the clinic has no therapist yet"
    user = User.objects.filter(username=username).first()
    if user is None:
        raise UnstuckError(f"--therapist {username!r}: there is no such account; {known}")
    if user.role != Role.THERAPIST:
        role = Role(user.role).label.lower()
        article = "an" if role[0] in "aeiou" else "a"  # "an administrator"
        raise UnstuckError(
            f"--therapist {username!r} is {article} {role}, not a therapist: the imported "
            f"clients need the therapist who sees them; {known}"
        )
    if not user.is_active or user.clinic_id is None:
        why = "deactivated" if not user.is_active else "of no clinic"
        raise UnstuckError(
            f"--therapist {username!r}: the account is {why}; reactivate it on the "
            f"Administration page, or name another therapist ({known})"
        )
    return user


def import_records(
    *,
    frame: pl.DataFrame,
    therapist: User,
    source: str,
    today: dt.date,
    outcomes: Mapping[str, tuple[int, str]] | None = None,
    outcomes_source: str = "the outcomes file",
    followed_up_before: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Store `frame` (analyze's checked observations with their item columns) for
    `therapist`, or with `dry_run` do it all and roll it back; return what was (or would
    be) stored. `outcomes` (`analysis.outcomes.outcome_rows` of the file `outcomes_source`)
    ends the episodes it lists as ended.

    Raises
    ------
    InvalidRows
        For rows the web app cannot keep (`import_rules`), clients whose codes the clinic
        already has, or an outcomes row for a client the file does not have. Nothing is
        written.
    UnstuckError
        For a file with no dates, one whose every client is in the clinic already (imported
        before), or a code added by someone else during the import.
    """
    installed = instruments()
    endings = endings_from(frame, outcomes or {}, source=source, outcomes_source=outcomes_source)
    try:
        with transaction.atomic():
            problems = check_for_the_web(frame, installed, source=source, today=today)
            taken = _codes_taken(frame, therapist)
            if taken and len(taken) == frame.get_column("client_id").n_unique():
                raise UnstuckError(ALL_TAKEN.format(source=source, clients=len(taken)))
            problems += taken
            if problems:
                raise refused(source, problems)
            result = store(
                frame,
                [therapist],
                source=PurePath(source).name,
                endings=endings,
                endings_source=PurePath(outcomes_source).name,
                followed_up_before=followed_up_before,
                progress=progress,
            )
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:  # a code taken between the check and the write (PostgreSQL)
        raise UnstuckError(ADDED_MEANWHILE) from None
    return result


def _codes_taken(frame: pl.DataFrame, therapist: User) -> list[Problem]:
    """The file's clients whose codes the clinic already has (ignoring capital letters, as
    `services.create_client` does), each at its first row."""
    clinic = therapist.clinic_id
    assert clinic is not None, "an import's therapist belongs to a clinic (import_therapist)"
    held = Client.objects.filter(clinic_id=clinic).values_list("code", flat=True)
    taken = {code.casefold(): code for code in held.iterator()}
    firsts = frame.group_by("client_id").agg(pl.col("row").min())
    return [
        Problem(row, "client_id", code, CODE_TAKEN.format(taken=taken[code.casefold()]))
        for code, row in firsts.iter_rows()
        if code.casefold() in taken
    ]


def store(
    frame: pl.DataFrame,
    therapists: Sequence[User],
    *,
    source: str,
    actor: str = IMPORT_ACTOR,
    synthetic: bool = False,
    endings: Endings | None = None,
    endings_source: str = "",
    followed_up_before: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Store checked observations with their item columns and a ``row`` number: each client
    (in the order of their first row) for the next of `therapists` in turn, with their
    safety alerts, statuses and audit entries, as the module's docstring says. `source` names
    where the rows came from in the audit log and `actor` who stored them; `synthetic` marks
    made-up clients (the demo's); `followed_up_before` closes the alerts of answers before
    that day (`followed_up`); `endings` ends episodes (`end_courses`, as `endings_source`
    says). The one way a history becomes records: `import_records` calls it
    after its checks, and so does the demo's loader."""
    clinic = therapists[0].clinic_id
    assert clinic is not None, "an import's therapist belongs to a clinic (import_therapist)"
    shift = 1 if frame.get_column("occasion").min() == 0 else 0
    installed = instruments()
    sizes = {i: len(installed[i].items) for i in frame.get_column("instrument").unique()}
    parts = frame.sort("row").partition_by("client_id", maintain_order=True)
    clients = Client.objects.bulk_create(
        Client(
            clinic_id=clinic,
            therapist=therapists[i % len(therapists)],
            code=part["client_id"][0],
            synthetic=synthetic,
        )
        for i, part in enumerate(parts)
    )
    episodes = Episode.objects.bulk_create(
        Episode(client=client, started_on=_first_date(part))
        for client, part in zip(clients, parts, strict=True)
    )
    sessions: list[Session] = []
    responses: list[MeasureResponse] = []
    counts: list[tuple[int, int]] = []  # sessions and questionnaires of each client
    for client, episode, part in zip(clients, episodes, parts, strict=True):
        held: dict[int, Session] = {}
        answered = 0
        for r in part.sort(["occasion", "row"]).iter_rows(named=True):
            number = r["occasion"] + shift
            if number not in held:
                held[number] = Session(
                    episode=episode,
                    number=number,
                    date=r["date"],
                    attendance=r["attendance"],
                    recorded_by=client.therapist,
                )
            answers = _answers(r, sizes[r["instrument"]])
            if all(a is None for a in answers):
                continue  # a session without this questionnaire (missed, or attendance only)
            responses.append(
                MeasureResponse(
                    session=held[number],
                    instrument=r["instrument"],
                    **scored_fields(r["instrument"], answers),
                )
            )
            answered += 1
        sessions += held.values()
        counts.append((len(held), answered))
    Session.objects.bulk_create(sessions)
    MeasureResponse.objects.bulk_create(responses)
    for response in responses:
        if response.safety_alert:
            raise_safety_alerts_for(response, user=None, actor=actor)
    names = {therapist.pk: therapist.username for therapist in therapists}
    for client, (held_n, answered_n) in zip(clients, counts, strict=True):
        record_audit(
            None,
            AuditAction.IMPORT_CLIENT,
            client_code=client.code,
            detail=f"{counted(held_n, 'session')}, {counted(answered_n, 'questionnaire')} "
            f"from {source}, for {names[client.therapist_id]}",
            username=actor,
        )
    closed = (
        followed_up(clients, followed_up_before, source=source, actor=actor)
        if followed_up_before is not None
        else 0
    )
    ended, kept_open = end_courses(
        clinic, endings or {}, actor=actor, source=endings_source or source
    )
    clients = refresh_statuses(
        [c.pk for c in clients],
        None if progress is None else lambda done, total: progress("statuses", done, total),
    )
    statuses = Counter(client.status for client in clients)
    safety = [client.code for client in clients if client.safety_alert_at is not None]
    result = ImportResult(
        len(clients),
        len(sessions),
        len(responses),
        tuple(safety),
        dict(statuses),
        1 + shift,
        dict(Counter(ended.values())),
        kept_open,
        closed,
    )
    record_audit(
        None,
        AuditAction.IMPORT_RECORDS,
        detail=audit_detail(result, source, therapists),
        username=actor,
    )
    return result


def audit_detail(result: ImportResult, file_name: str, therapists: Sequence[User]) -> str:
    """The import's audit entry: what came from which file for whom (never an answer)."""
    open_alerts = len(result.safety_codes)
    safety = f"; {counted(open_alerts, 'client')} with a safety alert open" if open_alerts else ""
    ended = sum(result.ended.values())
    endings = f"; {counted(ended, 'episode')} ended as the outcomes file says" if ended else ""
    if result.followed_up:
        endings += (
            f"; {counted(result.followed_up, 'safety alert')} closed as followed up before the "
            "day the clinic gave"
        )
    return (
        f"{counted(result.clients, 'client')}, {counted(result.sessions, 'session')}, "
        f"{counted(result.questionnaires, 'questionnaire')} from {file_name} for "
        f"{', '.join(t.username for t in therapists)}{safety}{endings}"
    )


def _first_date(part: pl.DataFrame) -> dt.date:
    first = part.get_column("date").min()
    assert isinstance(first, dt.date), "every row has a date (import_rules)"
    return first


def _answers(row: dict[str, object], k: int) -> list[int | None]:
    """The row's answers to its questionnaire's `k` items, in order (None: not answered, or
    no column for it in the file)."""
    out: list[int | None] = []
    for j in range(1, k + 1):
        value = row.get(f"item_{j}")
        out.append(None if value is None else int(value))  # type: ignore[call-overload]
    return out
