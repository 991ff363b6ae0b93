"""Writes: every change to a client record, each in one transaction with its audit entry.

Views and the command line call these functions and nothing else to change records, so the
rules (validation, status recomputation, audit) hold whichever way a change arrives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction

from unstuck.errors import InvalidValue
from unstuck.measures import score_answers
from unstuck.progress.summary import ClientSummary, summarise_client
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import User
from unstuck.web.records import selectors
from unstuck.web.records.instruments import (
    MAIN_INSTRUMENT,
    course_models,
    instruments,
    thresholds,
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

# What to do next, by the most urgent flag (the therapist decides; these are prompts).
NEXT_ACTIONS = {
    "safety": "Check in about safety today",
    "deterioration": "Talk it over together and consider an impasse review",
    "not_on_track": "Talk it over together and consider an impasse review",
    "plateau": "Revisit goals together",
    "withdrawal_risk": "Reach out and talk about coming to sessions",
    "alliance_rupture": "Ask how the sessions feel for them",
}
NO_FLAG_ACTIONS = {
    "on_track": "Keep going; measure next session",
    "insufficient_data": "Collect a second measure",
    "at_risk": "Look at the drift together",
}
STATUS_RANK = {"off_track": 1, "at_risk": 2, "on_track": 3, "insufficient_data": 4}
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


def lock_client(client: Client) -> None:
    """Serialise the writes to one client: a second save waits here until the first commits.

    Call it first in a write's transaction. PostgreSQL locks the client's row (SELECT ... FOR
    UPDATE); on SQLite the whole write transaction already holds the database's write lock
    (BEGIN IMMEDIATE, see unstuck.web.storage), so the query is a plain read there.
    """
    list(Client.objects.select_for_update().filter(pk=client.pk).values_list("pk", flat=True))


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
    record_audit(therapist, "create_client", client_code=code)
    return client


@transaction.atomic
def record_session(*, user: User, client: Client, data: SessionInput) -> Session:
    """Store one session with its questionnaires, markers and note; recompute the status.

    Raises
    ------
    InvalidValue
        For an attendance, marker or instrument that does not exist, an answer out of range
        (``field`` names the instrument and item), or a session on an ended episode. Nothing
        is stored when it is raised.
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
    last = episode.sessions.order_by("-number").values_list("number", flat=True).first()
    session = Session.objects.create(
        episode=episode,
        number=(last or 0) + 1,
        date=data.date,
        attendance=data.attendance,
        duration_minutes=data.duration_minutes,
        markers=list(dict.fromkeys(data.markers)),
        note=data.note,
        recorded_by=user,
    )
    installed = instruments()
    for instrument_id, answers in (data.answers or {}).items():
        if all(a is None for a in answers):
            continue  # not given at this session
        instrument = installed.get_instrument(instrument_id)
        try:
            score = score_answers(instrument, list(answers))
        except InvalidValue as exc:
            raise InvalidValue(f"{instrument_id}.{exc.field}", exc.value, exc.reason) from None
        MeasureResponse.objects.create(
            session=session,
            instrument=instrument_id,
            answers=list(answers),
            total=score.total,
            severity=score.severity or "",
            safety_alert=score.safety_alert,
            safety_unanswered=bool(score.safety_unanswered),
            incomplete=bool(score.missing_items),
            completed_by=data.completed_by,
        )
    refresh_status(client)
    record_audit(
        user, "record_session", client_code=client.code, detail=f"session {session.number}"
    )
    return session


@transaction.atomic
def end_episode(*, user: User, client: Client, ended_on: dt.date, reason: str) -> Episode:
    if reason not in EndReason.values:
        raise InvalidValue("reason", reason, "is not a way an episode can end")
    lock_client(client)
    episode = selectors.current_episode(client)
    if episode is None or episode.ended_on is not None:
        raise InvalidValue("episode", "", EPISODE_ENDED)
    episode.ended_on = ended_on
    episode.end_reason = reason
    episode.save(update_fields=["ended_on", "end_reason"])
    record_audit(user, "end_episode", client_code=client.code, detail=reason)
    return episode


def summarise(client: Client) -> tuple[ClientSummary, list[Session]]:
    """The core's summary of the client's current episode, and its sessions."""
    episode = selectors.current_episode(client)
    sessions = selectors.episode_sessions(episode) if episode else []
    observations = selectors.observations(sessions, MAIN_INSTRUMENT)
    summary = summarise_client(
        client.code,
        observations,
        instruments(),
        models=course_models(),
        thresholds=thresholds(),
    )
    return summary, sessions


def refresh_status(client: Client) -> ClientSummary:
    """Recompute and store the client's status snapshot (call inside the write's transaction)."""
    summary, sessions = summarise(client)
    flags = list(summary.flags)
    client.status = summary.status
    client.status_rank = 0 if "safety" in flags else STATUS_RANK[summary.status]
    client.flags = flags
    client.explanations = list(summary.explanations)
    client.measures = {m.instrument: m.to_dict() for m in summary.measures}
    client.trend = [
        r.total
        for s in sessions
        for r in s.responses.all()
        if r.instrument == MAIN_INSTRUMENT and r.total is not None
    ][-12:]
    client.sessions_count = len(sessions)
    client.last_session_on = sessions[-1].date if sessions else None
    client.next_action = (
        NEXT_ACTIONS[flags[0]] if flags else NO_FLAG_ACTIONS.get(summary.status, "")
    )
    client.save(
        update_fields=[
            "status",
            "status_rank",
            "flags",
            "explanations",
            "measures",
            "trend",
            "sessions_count",
            "last_session_on",
            "next_action",
        ]
    )
    return summary
