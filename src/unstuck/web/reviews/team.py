"""Reads for the supervisor's team page: each visible client's episode as the core's Course.

Only aggregates leave this module's page (no answers, no notes); a supervisor already sees
each of these clients' records. Change is judged by `unstuck.analysis.clinic` with the main
instrument's own criteria.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import QuerySet

from unstuck.analysis.clinic import Course, Figures, team_figures
from unstuck.analysis.clinic_time import Completion, Period, completion, over_time, stays
from unstuck.analysis.retention import Step, kaplan_meier
from unstuck.progress.attendance import ATTENDED
from unstuck.progress.change import ChangeCriteria, criteria_for
from unstuck.web.accounts.models import Role, User
from unstuck.web.records import selectors as records
from unstuck.web.records.instruments import MAIN_INSTRUMENT, instruments
from unstuck.web.records.models import Client, Episode, MeasureResponse
from unstuck.web.records.snapshots import review_suggested
from unstuck.web.reviews import selectors as reviews


class Seen(NamedTuple):
    """A session that counts, as the team's figures read it."""

    date: dt.date
    attendance: str
    answered: list[tuple[str, float | None]]  # each questionnaire's instrument and total


def course(
    client: Client,
    episode: Episode | None,
    sessions: list[Seen],
    *,
    plans_due: int = 0,
    alerts_open: int = 0,
) -> Course:
    """The client's current `episode` as the core's Course, from its `sessions` that count
    (in order)."""
    attended = [s for s in sessions if s.attendance in ATTENDED]
    dated = [
        (s.date, total)
        for s in sessions
        for instrument, total in s.answered
        if instrument == MAIN_INSTRUMENT and total is not None
    ]
    totals = [total for _, total in dated]
    done = Counter(instrument for s in attended for instrument, _ in s.answered)
    ended = (episode.end_reason or "other") if episode and episode.ended_on else None
    return Course(
        client=client.code,
        therapist=client.therapist.get_full_name() or client.therapist.username,
        first=totals[0] if len(totals) >= 2 else None,
        last=totals[-1] if len(totals) >= 2 else None,
        ended=ended,
        safety_open="safety" in client.flags,
        plans_overdue=plans_due,
        sessions=tuple(s.date for s in attended),
        scores=tuple(dated),
        ended_on=episode.ended_on if episode else None,
        completed=tuple(sorted(done.items())),
        alerts_open=alerts_open,
    )


def _courses_of(clients: QuerySet[Client]) -> list[Course]:
    """Every client's Course, read in a handful of queries whatever the number of clients (one
    query per client made a clinic lead's page of 1,000 clients take 5 seconds). Each client's
    current episode is `records.current_episode`'s (the latest begun), and its sessions those
    `records.episode_sessions` counts (not voided, in order)."""
    listed = list(clients.select_related("therapist").order_by("pk"))
    current = records.current_episodes(listed)
    counted = records.counted_sessions().filter(episode__client__in=clients)
    answered: dict[int, list[tuple[str, float | None]]] = defaultdict(list)
    responses = MeasureResponse.objects.filter(session__in=counted).order_by("pk")
    for session_id, instrument, total in responses.values_list("session_id", "instrument", "total"):
        answered[session_id].append((instrument, total))
    sessions: dict[int, list[Seen]] = defaultdict(list)
    for pk, episode_id, date, attendance in counted.order_by("number").values_list(
        "pk", "episode_id", "date", "attendance"
    ):
        sessions[episode_id].append(Seen(date, attendance, answered[pk]))
    due = Counter(reviews.due_plans(clients).values_list("client_id", flat=True))
    open_alerts = records.open_alert_ids([client.pk for client in listed])
    return [
        course(
            client,
            current.get(client.pk),
            sessions[current[client.pk].pk] if client.pk in current else [],
            plans_due=due[client.pk],
            alerts_open=len(open_alerts.get(client.pk, ())),
        )
        for client in listed
    ]


@dataclass(frozen=True)
class Team:
    """Everything the team page and its CSV exports show, computed once per request."""

    rows: list[Figures]
    periods: list[Period]
    completion: list[Completion]
    retention: list[Step]


def courses(user: User) -> tuple[list[Course], ChangeCriteria] | None:
    """The supervisor's team, or the clinic lead's whole clinic, as the core's Courses; None
    for anyone else (then a 404)."""
    if not user.is_active or user.role not in (Role.SUPERVISOR, Role.CLINIC_LEAD):
        return None
    criteria = criteria_for(instruments()[MAIN_INSTRUMENT])
    if criteria is None:
        return None
    return _courses_of(team_clients(user)), criteria


def team_clients(user: User) -> QuerySet[Client]:
    """The clients a supervisor's team page counts (their supervisees' and their own), or a
    clinic lead's (the whole clinic's: aggregates only, no record is opened)."""
    if user.role == Role.CLINIC_LEAD:
        return Client.objects.filter(clinic=user.clinic)
    return records.visible_clients(user)


def reviews_to_begin(user: User) -> int:
    """How many of the team's clients have, as their next step, an impasse review that nobody
    has begun (`snapshots.review_suggested`)."""
    return review_suggested(team_clients(user)).count()


def figures(user: User) -> list[Figures] | None:
    """The team's figures for a supervisor; None for anyone else (the page is then a 404)."""
    found = courses(user)
    return None if found is None else team_figures(*found)


def team(user: User) -> Team | None:
    found = courses(user)
    if found is None:
        return None
    team_courses, criteria = found
    used = {name for c in team_courses for name, _ in c.completed} - {MAIN_INSTRUMENT}
    return Team(
        rows=team_figures(team_courses, criteria),
        periods=over_time(team_courses, criteria),
        completion=completion(team_courses, [MAIN_INSTRUMENT, *sorted(used)]),
        retention=kaplan_meier(stays(team_courses)),
    )
