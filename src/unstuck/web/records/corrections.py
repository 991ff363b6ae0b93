"""Corrections: a session corrected or voided by its author, an ended episode reopened, and the
instruments chosen for a client.

Each write keeps what was there before (a `SessionRevision` holding the previous values, a
voided session kept but left out of detection), writes its audit entry in the same
transaction (which fields changed, never the answers, the note or the reason's text) and
recomputes the status. Safety alerts follow the answers one way only: a corrected answer that
is newly above 0 raises an alert, and so does one corrected above the value a recorded safety
check covered (a new alert, saying so); a corrected answer that is lower, or no longer above 0,
does not close the alert it raised, which stays open until a safety check closes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from unstuck.errors import InvalidValue
from unstuck.web.accounts.audit import choice_label, record_audit
from unstuck.web.accounts.models import AuditAction, User
from unstuck.web.records import alerts, selectors, services, snapshots
from unstuck.web.records.instruments import (
    SESSION_INSTRUMENTS,
    instrument_name,
    instruments,
    usual_order,
)
from unstuck.web.records.markers import MARKER_LABELS
from unstuck.web.records.models import (
    Attendance,
    Client,
    EndReason,
    RevisionKind,
    Session,
    SessionRevision,
)

NOT_AUTHOR = "Only the person who recorded this session can correct or void it."
NO_SUCH_SESSION = "There is no session {number} in this episode of care."
ALREADY_VOID = "Session {number} is voided; it can no longer be changed."
REASON_NEEDED = "Say why, in a few words (kept in the history, never in the logs)."
ALERT_KEEPS_ANSWERS = (
    "raised a safety alert, so its answers stay in the record; correct them rather than "
    "clearing them, or void the whole session"
)
NOT_ENDED = "This episode of care is still open; there is nothing to reopen."
UNKNOWN_INSTRUMENT = "is not one of the clinic's questionnaires"
NO_INSTRUMENT = "Choose at least one questionnaire."
REASON_MAX = 500
# What the audit row calls each value a correction can change: the client page's words
# (its history's columns, the session form's labels), never the stored field names.
CHANGED_WORDS = {
    "date": "date",
    "attendance": "attendance",
    "duration_minutes": "duration",
    "markers": "noticed in session",
    "note": "note",
}


def chosen_instruments(client: Client) -> list[str]:
    """The instrument ids measured at this client's sessions (the clinic's default if none
    were chosen); an instrument no longer installed is left out."""
    installed = instruments()
    ids = client.instruments or list(SESSION_INSTRUMENTS)
    return [i for i in ids if i in installed]


def asking_about_safety(instrument_ids: Sequence[str]) -> list[str]:
    """The names of the questionnaires among `instrument_ids` that ask a safety question
    (PHQ-9 item 9, or a clinic instrument's `safety_items`)."""
    installed = instruments()
    return [
        installed[i].name for i in instrument_ids if i in installed and installed[i].safety_items
    ]


def can_correct(user: User, client: Client, session: Session) -> bool:
    """The author of a session corrects it; a session the client started on their own (no
    author) is corrected by the client's therapist."""
    if session.recorded_by_id is not None:
        return session.recorded_by_id == user.pk
    return client.therapist_id == user.pk


def find_session(client: Client, number: int) -> Session:
    episode = selectors.current_episode(client)
    session = episode.sessions.filter(number=number).first() if episode else None
    if session is None:
        raise InvalidValue("session", number, NO_SUCH_SESSION.format(number=number))
    return session


def snapshot(session: Session) -> dict[str, Any]:
    """The session's values as they are now: what a revision keeps."""
    return {
        "date": session.date.isoformat(),
        "attendance": session.attendance,
        "duration_minutes": session.duration_minutes,
        "markers": list(session.markers),
        "note": session.note,
        "answers": {r.instrument: list(r.answers) for r in session.responses.order_by("id")},
    }


def _checked(user: User, client: Client, number: int, reason: str) -> tuple[Session, str]:
    snapshots.lock_client(
        client
    )  # the first step of every correction: writes to one client in turn
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidValue("reason", "", REASON_NEEDED)
    session = find_session(client, number)
    if not can_correct(user, client, session):
        raise InvalidValue("session", number, NOT_AUTHOR)
    if session.voided_at is not None:
        raise InvalidValue("session", number, ALREADY_VOID.format(number=number))
    return session, reason


@transaction.atomic
def correct_session(
    *, user: User, client: Client, number: int, data: services.SessionInput, reason: str
) -> Session:
    """Replace a session's date, attendance, duration, markers, note and answers.

    `data.answers` names each questionnaire of the form: all answers blank removes it (unless
    it raised a safety alert), otherwise it is scored again by the same rule as new answers.

    Raises
    ------
    InvalidValue
        For no reason, someone other than the author, a voided or unknown session, an unknown
        attendance or marker, or an answer out of range. Nothing is changed when it is raised.
    """
    session, reason = _checked(user, client, number, reason)
    if data.attendance not in Attendance.values:
        raise InvalidValue("attendance", data.attendance, "is not a kind of attendance")
    unknown = [m for m in data.markers if m not in MARKER_LABELS]
    if unknown:
        raise InvalidValue("markers", unknown[0], "is not a marker on the checklist")
    services.check_session_date(session.episode, data.date)
    before = snapshot(session)
    # kept before the answers change: a safety check recorded earlier covered what it holds
    # (`alerts.raise_safety_alerts_for`)
    SessionRevision.objects.create(
        session=session,
        kind=RevisionKind.CORRECTED,
        previous=before,
        reason=reason,
        changed_by=user,
    )
    session.date = data.date
    session.attendance = data.attendance
    session.duration_minutes = data.duration_minutes
    session.markers = list(dict.fromkeys(data.markers))
    session.note = data.note
    session.save(update_fields=["date", "attendance", "duration_minutes", "markers", "note"])
    for instrument_id, answers in (data.answers or {}).items():
        _correct_answers(user, session, instrument_id, answers, data.completed_by)
    changed = changes(before, snapshot(session))
    snapshots.refresh_status(client)
    record_audit(
        user,
        AuditAction.CORRECT_SESSION,
        client_code=client.code,
        detail=f"session {session.number}; changed: {', '.join(changed) or 'nothing'}",
    )
    return session


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What a correction changed, in words: "date", "PHQ-9 answers" (never the values)."""
    words = [
        CHANGED_WORDS.get(k, k.replace("_", " "))
        for k in before
        if k != "answers" and before[k] != after.get(k)
    ]
    old, new = before["answers"], after["answers"]
    answered = sorted(set(old) | set(new), key=usual_order)
    return words + [f"{instrument_name(i)} answers" for i in answered if old.get(i) != new.get(i)]


def _correct_answers(
    user: User,
    session: Session,
    instrument_id: str,
    answers: Sequence[int | None],
    completed_by: str,
) -> None:
    existing = session.responses.filter(instrument=instrument_id).first()
    if all(a is None for a in answers):
        if existing is None:
            return
        if existing.safety_alerts.exists():
            raise InvalidValue(instrument_id, "", ALERT_KEEPS_ANSWERS)
        existing.delete()
        return
    if existing is None:
        response = services.store_response(
            session, instrument_id, answers, completed_by=completed_by
        )
    else:
        for field, value in services.scored_fields(instrument_id, answers).items():
            setattr(existing, field, value)
        existing.save()
        response = existing
    alerts.raise_safety_alerts_for(response, user=user)


@transaction.atomic
def void_session(*, user: User, client: Client, number: int, reason: str) -> Session:
    """Void a session: it stays in the record with its answers, but counts for nothing.

    Its safety alerts stay open until a safety check closes them.
    """
    session, reason = _checked(user, client, number, reason)
    SessionRevision.objects.create(
        session=session,
        kind=RevisionKind.VOIDED,
        previous=snapshot(session),
        reason=reason,
        changed_by=user,
    )
    session.voided_at = timezone.now()
    session.void_reason = reason
    session.save(update_fields=["voided_at", "void_reason"])
    snapshots.refresh_status(client)
    record_audit(
        user, AuditAction.VOID_SESSION, client_code=client.code, detail=f"session {number}"
    )
    return session


@transaction.atomic
def reopen_episode(*, user: User, client: Client) -> None:
    """Reopen the client's ended episode: the client returns to the active caseload."""
    snapshots.lock_client(client)
    episode = selectors.current_episode(client)
    if episode is None or episode.ended_on is None:
        raise InvalidValue("episode", "", NOT_ENDED)
    ended = f"ended {episode.ended_on:%Y-%m-%d}: {choice_label(EndReason, episode.end_reason)}"
    episode.ended_on = None
    episode.end_reason = ""
    episode.save(update_fields=["ended_on", "end_reason"])
    client.episode_ended_on = None
    client.save(update_fields=["episode_ended_on"])
    snapshots.refresh_status(client)
    record_audit(user, AuditAction.REOPEN_EPISODE, client_code=client.code, detail=ended)


@transaction.atomic
def choose_instruments(*, user: User, client: Client, instrument_ids: Sequence[str]) -> None:
    """Set which questionnaires the session form asks for this client."""
    snapshots.lock_client(client)
    installed = instruments()
    unknown = [i for i in instrument_ids if i not in installed]
    if unknown:
        raise InvalidValue("instruments", unknown[0], UNKNOWN_INSTRUMENT)
    if not instrument_ids:
        raise InvalidValue("instruments", "", NO_INSTRUMENT)
    client.instruments = list(dict.fromkeys(instrument_ids))
    client.save(update_fields=["instruments"])
    record_audit(
        user,
        AuditAction.CHOOSE_INSTRUMENTS,
        client_code=client.code,
        detail=", ".join(instrument_name(i) for i in client.instruments),
    )
