"""Writes: every change to a client record, each in one transaction with its audit entry.

Views and the command line call these functions and nothing else to change records, so the
rules (validation, status recomputation, audit) hold whichever way a change arrives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from unstuck.errors import InvalidValue
from unstuck.measures import score_answers
from unstuck.web.accounts.audit import choice_label, record_audit
from unstuck.web.accounts.models import AuditAction, User
from unstuck.web.records import safety, selectors
from unstuck.web.records.alerts import alerts_detail, raise_safety_alerts_for
from unstuck.web.records.instruments import (
    instruments,
)
from unstuck.web.records.markers import MARKER_LABELS
from unstuck.web.records.models import (
    Attendance,
    Client,
    CompletedBy,
    EndReason,
    Episode,
    MeasureResponse,
    Session,
)
from unstuck.web.records.snapshots import (
    NO_FLAG_ACTIONS,
    lock_client,
    refresh_status,
)
from unstuck.web.validation import field_problem

SESSION_EXISTS = "Session {number} is already recorded for this client."
EPISODE_ENDED = "This episode of care has ended; start a new one to record sessions."


@dataclass(frozen=True)
class SessionInput:
    date: dt.date
    attendance: str
    duration_minutes: int | None = None
    answers: Mapping[str, Sequence[int | None]] | None = None  # instrument -> one per item
    markers: Sequence[str] = ()
    note: str = ""
    completed_by: str = CompletedBy.CLIENT
    # The client-started session the form showed as being completed (None: none was shown);
    # a second submit of that form then finds it recorded and is refused, not saved twice.
    takes_over: int | None = None


@transaction.atomic
def create_client(
    *,
    therapist: User,
    code: str,
    started_on: dt.date,
    name: str = "",
    contact: str = "",
    synthetic: bool = False,
) -> Client:
    assert therapist.clinic_id is not None, "a therapist belongs to a clinic"
    problems = {f: field_problem(Client, f, v) for f, v in (("code", code), ("name", name))}
    problems["contact"] = field_problem(Client, "contact", contact)
    if not code.strip():
        problems["code"] = "code is empty"
    if any(problems.values()):  # the form checks these too; this guards every other caller
        raise ValidationError({f: p for f, p in problems.items() if p})
    if started_on > timezone.localdate():  # every session would then be refused as too early
        raise InvalidValue(
            "started_on",
            started_on.isoformat(),
            f"The start date {started_on:%Y-%m-%d} is in the future; give the day the work "
            "began (add the client on or after their first appointment).",
        )
    alike = Client.objects.filter(clinic_id=therapist.clinic_id, code__iexact=code.strip())
    if (taken := alike.values_list("code", flat=True).first()) is not None:
        raise InvalidValue(
            "code",
            code,
            f"Another client in this clinic already has the code {taken!r}; codes that differ "
            "only in capital letters are too easily mixed up. Choose another.",
        )
    client = Client.objects.create(
        clinic_id=therapist.clinic_id,
        therapist=therapist,
        code=code,
        name=name,
        contact=contact,
        synthetic=synthetic,
    )
    Episode.objects.create(client=client, started_on=started_on)
    client.next_action = NO_FLAG_ACTIONS["insufficient_data"]
    client.save(update_fields=["next_action"])
    record_audit(therapist, AuditAction.CREATE_CLIENT, client_code=code)
    return client


def check_session_date(episode: Episode, date: dt.date) -> None:
    """A session happens within its episode: not before the episode started (a mistyped
    year would otherwise lead the charts and the change table as the first score)."""
    if date < episode.started_on:
        raise InvalidValue(
            "date",
            date.isoformat(),
            f"The session date {date:%Y-%m-%d} is before this episode of care started "
            f"({episode.started_on:%Y-%m-%d}); check the year, or correct the episode's start.",
        )


def check_end_date(episode: Episode, ended_on: dt.date) -> None:
    """An episode ends on a day that has come, after it started and after its last session
    (the team figures count endings by quarter; an ending before the start was counted there)."""
    last = (
        episode.sessions.filter(voided_at__isnull=True, started_by_client=False)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if ended_on > timezone.localdate():
        problem = "is in the future; end the episode on the day it ends"
    elif ended_on < episode.started_on:
        problem = f"is before the episode started ({episode.started_on:%Y-%m-%d})"
    elif last is not None and ended_on < last:
        problem = f"is before its latest session ({last:%Y-%m-%d})"
    else:
        return
    raise InvalidValue(
        "ended_on", ended_on.isoformat(), f"The end date {ended_on:%Y-%m-%d} {problem}."
    )


@transaction.atomic
def record_session(*, user: User, client: Client, data: SessionInput) -> Session:
    """Store one session with its questionnaires, markers and note; recompute the status.

    When the client already answered before this session on their own (the portal created the
    session, `started_by_client`), the therapist's record completes that session: same number,
    the therapist's date, attendance, markers and note, and the client's answers kept as they
    are (the therapist's answers to the same questionnaires are not stored). The episode row is
    locked first, so two saves at once, or a save and the client's answers, are taken in turn.

    Raises
    ------
    InvalidValue
        For an attendance, marker or instrument that does not exist, an answer out of range
        (``field`` names the instrument and item), a session on an ended episode, or a
        `takes_over` session that is already recorded (a form sent twice). Nothing is stored
        when it is raised.
    """
    lock_client(client)  # ten saves at once get numbers 1..10, never a clash
    if data.attendance not in Attendance.values:
        raise InvalidValue("attendance", data.attendance, "is not a kind of attendance")
    unknown = [m for m in data.markers if m not in MARKER_LABELS]
    if unknown:
        raise InvalidValue("markers", unknown[0], "is not a marker on the checklist")
    episode = selectors.current_episode(client)
    if episode is None or episode.ended_on is not None:
        raise InvalidValue("episode", "", EPISODE_ENDED)
    check_session_date(episode, data.date)
    session = selectors.client_started_session(episode)
    if data.takes_over is not None and (session is None or session.number != data.takes_over):
        raise InvalidValue(
            "session", str(data.takes_over), SESSION_EXISTS.format(number=data.takes_over)
        )
    fields = {
        "date": data.date,
        "attendance": data.attendance,
        "duration_minutes": data.duration_minutes,
        "markers": list(dict.fromkeys(data.markers)),
        "note": data.note,
        "recorded_by": user,
    }
    by_client: set[str] = set()  # the questionnaires the client answered before it
    if session is None:
        last = episode.sessions.order_by("-number").values_list("number", flat=True).first()
        session = Session.objects.create(episode=episode, number=(last or 0) + 1, **fields)
    else:
        by_client = set(session.responses.values_list("instrument", flat=True))
        for name, value in fields.items():
            setattr(session, name, value)
        session.started_by_client = False
        session.save(update_fields=[*fields, "started_by_client"])
    for instrument_id, answers in (data.answers or {}).items():
        if instrument_id in by_client or all(a is None for a in answers):
            continue  # the client's own answers stay; or not given at this session
        response = store_response(session, instrument_id, answers, completed_by=data.completed_by)
        raise_safety_alerts_for(response, user=user)
    refresh_status(client, episode=episode)
    record_audit(
        user,
        AuditAction.RECORD_SESSION,
        client_code=client.code,
        detail=f"session {session.number}"
        + (" (the client had answered before it)" if by_client else ""),
    )
    return session


@transaction.atomic
def end_episode(
    *,
    user: User,
    client: Client,
    ended_on: dt.date,
    reason: str,
    safety_considered: bool = False,
) -> Episode:
    """Close the current episode of care.

    While a safety alert is open the episode closes only with `safety_considered` (the
    therapist ticked "I have considered the open safety alert"); that confirmation goes to the
    audit log. The alert itself stays open, at the top of the caseload, until a check closes it.
    """
    if reason not in EndReason.values:
        raise InvalidValue("reason", reason, "is not a way an episode can end")
    lock_client(client)
    episode = selectors.current_episode(client)
    if episode is None or episode.ended_on is not None:
        raise InvalidValue("episode", "", EPISODE_ENDED)
    check_end_date(episode, ended_on)
    still_open = selectors.open_safety_alerts(client)
    if still_open and not safety_considered:
        raise InvalidValue("safety_considered", False, safety.open_at_close(still_open))
    if still_open:
        record_audit(
            user,
            AuditAction.CLOSED_WITH_OPEN_SAFETY_ALERT,
            client_code=client.code,
            detail=alerts_detail(still_open),
        )
    episode.ended_on = ended_on
    episode.end_reason = reason
    episode.save(update_fields=["ended_on", "end_reason"])
    client.episode_ended_on = ended_on  # leaves the active caseload
    client.save(update_fields=["episode_ended_on"])
    refresh_status(client, episode=episode)  # its next step
    record_audit(
        user,
        AuditAction.END_EPISODE,
        client_code=client.code,
        detail=choice_label(EndReason, reason),
    )
    return episode


def store_response(
    session: Session, instrument_id: str, answers: Sequence[int | None], *, completed_by: str
) -> MeasureResponse:
    """Score and store one questionnaire of a session (call inside the write's transaction).

    The one place answers become a `MeasureResponse`, whoever gives them: the therapist's
    session form (`record_session`) and the client's own portal (`record_client_answers`).
    """
    return MeasureResponse.objects.create(
        session=session,
        instrument=instrument_id,
        completed_by=completed_by,
        **scored_fields(instrument_id, answers),
    )


def scored_fields(instrument_id: str, answers: Sequence[int | None]) -> dict[str, object]:
    """The stored fields of a `MeasureResponse` for these answers: one scoring rule for new
    answers (`store_response`) and corrected ones (`corrections.correct_session`)."""
    instrument = instruments().get_instrument(instrument_id)
    try:
        score = score_answers(instrument, list(answers))
    except InvalidValue as exc:
        raise InvalidValue(f"{instrument_id}.{exc.field}", exc.value, exc.reason) from None
    return {
        "answers": list(answers),
        "total": score.total,
        "severity": score.severity or "",
        "safety_alert": score.safety_alert,
        "safety_unanswered": bool(score.safety_unanswered),
        "incomplete": bool(score.missing_items),
    }


@transaction.atomic
def record_client_answers(
    *, client: Client, session_number: int, answers: Mapping[str, Sequence[int | None]], on: dt.date
) -> Session:
    """Store questionnaires the client answered themselves (the portal); recompute the status.

    The answers belong to session `session_number` of the current episode: an existing session
    (feedback after it) or the next one, created now, dated `on`, attended, recorded by nobody
    and `started_by_client` until the therapist's `record_session` completes it. Where they
    cannot go there (the session is further ahead than the next one, was voided, or already
    has one of these questionnaires), they go to the next session instead: they are the
    client's latest answers, and a client's answers, a safety answer above all, are never
    turned away for the record's numbering. Stored as completed by the client, through
    `store_response`, so the same scoring and safety rules hold as for answers the therapist
    enters. The caller writes the audit entry (there is no signed-in person).

    Raises
    ------
    InvalidValue
        For an ended episode, or an answer out of range. Nothing is stored when it is raised.
    """
    lock_client(client)  # taken in turn with the therapist's record_session, as every write
    episode = selectors.current_episode(client)
    if episode is None or episode.ended_on is not None:
        raise InvalidValue("episode", "", EPISODE_ENDED)
    last = episode.sessions.order_by("-number").values_list("number", flat=True).first() or 0
    session = episode.sessions.filter(number=session_number).first()
    taken = session is not None and (
        session.voided_at is not None
        or session.responses.filter(instrument__in=list(answers)).exists()
    )
    if taken or not 1 <= session_number <= last + 1:
        session_number, session = last + 1, None
    if session is None:
        session = Session.objects.create(
            episode=episode,
            number=session_number,
            date=on,
            attendance=Attendance.ATTENDED,
            started_by_client=True,
        )
    for instrument_id, given in answers.items():
        response = store_response(session, instrument_id, given, completed_by=CompletedBy.CLIENT)
        raise_safety_alerts_for(response, user=None)
    refresh_status(client, episode=episode)
    return session
