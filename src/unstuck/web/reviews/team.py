"""Reads for the supervisor's team page: each visible client's episode as the core's Course.

Only aggregates leave this module's page (no answers, no notes); a supervisor already sees
each of these clients' records. Change is judged by `unstuck.analysis.clinic` with the main
instrument's own criteria.
"""

from __future__ import annotations

from django.utils import timezone

from unstuck.analysis.clinic import Course, Figures, team_figures
from unstuck.progress.change import criteria_for
from unstuck.web.accounts.models import Role, User
from unstuck.web.records import selectors as records
from unstuck.web.records.instruments import MAIN_INSTRUMENT, instruments
from unstuck.web.records.models import Client


def _overdue(client: Client) -> int:
    """Plans past their review date with no result recorded since that date."""
    today = timezone.localdate()
    count = 0
    for plan in client.plans.prefetch_related("strategies__results"):
        if plan.review_on > today:
            continue
        results = [r for ps in plan.strategies.all() for r in ps.results.all()]
        if not any(r.recorded_on >= plan.review_on for r in results):
            count += 1
    return count


def course(client: Client) -> Course:
    episode = records.current_episode(client)
    sessions = records.episode_sessions(episode) if episode else []
    totals = [
        r.total
        for s in sessions
        for r in s.responses.all()
        if r.instrument == MAIN_INSTRUMENT and r.total is not None
    ]
    ended = (episode.end_reason or "other") if episode and episode.ended_on else None
    return Course(
        client=client.code,
        therapist=client.therapist.get_full_name() or client.therapist.username,
        first=totals[0] if len(totals) >= 2 else None,
        last=totals[-1] if len(totals) >= 2 else None,
        ended=ended,
        safety_open="safety" in client.flags,
        plans_overdue=_overdue(client),
    )


def figures(user: User) -> list[Figures] | None:
    """The team's figures for a supervisor; None for anyone else (the page is then a 404)."""
    if user.role != Role.SUPERVISOR or not user.is_active:
        return None
    criteria = criteria_for(instruments()[MAIN_INSTRUMENT])
    if criteria is None:
        return None
    clients = records.visible_clients(user).select_related("therapist")
    return team_figures([course(c) for c in clients], criteria)
