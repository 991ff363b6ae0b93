"""Reads for the impasse workflow: what the client page and the documents show."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from unstuck.impasse import default_knowledge
from unstuck.progress.attendance import MISSED
from unstuck.progress.trend import BeforeAfter, before_after
from unstuck.web.accounts.models import User
from unstuck.web.records import presenters
from unstuck.web.records.instruments import MAIN_INSTRUMENT, thresholds
from unstuck.web.records.models import Client, Episode, Session
from unstuck.web.records.presenters import series
from unstuck.web.records.selectors import LATEST_EPISODE_FIRST
from unstuck.web.reviews.models import (
    Goal,
    Plan,
    PlanStrategy,
    Reflection,
    Review,
    StrategyResult,
)


@dataclass(frozen=True)
class Evidence:
    """What the record already shows, for pre-filling a review (each item names its source)."""

    flags: tuple[str, ...]
    markers: dict[str, int]  # marker id -> sessions (of the recent ones) where it was ticked
    missed: int  # cancelled or no-show among the recent sessions
    late: int
    recent_sessions: int
    feedback_change: float | None  # session-feedback: latest minus first
    safety_sessions: tuple[int, ...]
    goals_stuck: int  # active goals whose latest attainment rating is below 0
    tried_without_help: int  # strategies whose latest result is "did not help"
    # per flag, the measures that raised it with their first and latest scores
    about: dict[str, str] = field(default_factory=dict)

    @property
    def noticed(self) -> list[tuple[str, int]]:
        """The markers ticked, by the label the session form shows (markers.toml), with counts."""
        known = default_knowledge().markers
        return [(known[m].label if m in known else m, count) for m, count in self.markers.items()]


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    strategies: list[tuple[PlanStrategy, list[Any]]]
    change: BeforeAfter
    status_then: str
    status_now: str
    due: bool


@dataclass(frozen=True)
class Panel:
    reviews: list[Review]
    plans: list[PlanView]
    goals: list[Goal]
    evidence: Evidence | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def evidence(client: Client, sessions: list[Session]) -> Evidence:
    # The review's evidence looks at the sessions the withdrawal rule counts (thresholds.toml):
    # answers given ahead of a session not yet recorded are no session (`records.selectors`).
    booked = [s for s in sessions if not s.started_by_client]
    recent = booked[-thresholds().withdrawal_risk.window :]
    markers = Counter(m for s in recent for m in s.markers)
    attendance = Counter(s.attendance for s in recent)
    feedback = client.measures.get("session_feedback") or {}
    goals = active_goals(client)
    stuck = sum(1 for g in goals if (last := _last(g.ratings.all())) and last.attainment < 0)
    latest_results = [
        _last(ps.results.all())
        for plan in client.plans.prefetch_related("strategies__results")
        for ps in plan.strategies.all()
    ]
    return Evidence(
        flags=tuple(client.flags),
        markers=dict(markers),
        missed=sum(attendance[kind] for kind in MISSED),
        late=attendance["late"],
        recent_sessions=len(recent),
        feedback_change=feedback.get("change"),
        safety_sessions=tuple(
            s.number for s in sessions if any(r.safety_alert for r in s.responses.all())
        ),
        goals_stuck=stuck,
        tried_without_help=sum(1 for r in latest_results if r and r.result == "did_not_help"),
        about={
            flag: named
            for flag in client.flags
            if (named := presenters.measured(flag, client.flag_measures, client.measures))
        },
    )


def _last(items: Any) -> Any:
    items = list(items)
    return items[-1] if items else None


def active_goals(client: Client) -> list[Goal]:
    return list(client.goals.filter(active=True).prefetch_related("revisions", "ratings"))


def all_goals(client: Client) -> list[Goal]:
    return list(client.goals.prefetch_related("revisions", "ratings"))


def tried(client: Client, as_of: dt.datetime | None = None) -> dict[str, str]:
    """Each strategy tried with this client, and its latest result; with `as_of`, as the
    record stood then (plans made before it, results recorded on or before its day), so a
    review keeps the ranking it was made with."""
    out: dict[str, str] = {}
    plans = client.plans.prefetch_related("strategies__results").order_by("created_at")
    if as_of is not None:
        plans = plans.filter(created_at__lt=as_of)
    for plan in plans:
        for ps in plan.strategies.all():
            results = list(ps.results.all())
            if as_of is not None:
                day = timezone.localdate(as_of)
                results = [r for r in results if r.recorded_on <= day]
            last = _last(results)
            if last is not None:
                out[ps.strategy_id] = last.result
    return out


def due_plans(clients: Any) -> QuerySet[Plan]:
    """The plans due for review among `clients` (a queryset or a list of clients or ids): made in
    the client's current episode, still open, whose review date has come, with no result
    recorded on or after that date. The one rule behind the client page's "due", the team
    page's "Plans due for review" and the caseload's filter; one query."""
    results_since = StrategyResult.objects.filter(
        strategy__plan=OuterRef("pk"), recorded_on__gte=OuterRef("review_on")
    )
    started = (
        Episode.objects.filter(client=OuterRef("client"))
        .order_by(*LATEST_EPISODE_FIRST)
        .values("started_on")[:1]
    )
    return (
        Plan.objects.filter(
            client__in=clients,
            client__episode_ended_on__isnull=True,
            review_on__lte=timezone.localdate(),
            review__opened_at__date__gte=Subquery(started),
        )
        .exclude(Exists(results_since))
        .order_by("review_on")
    )


def plan_views(client: Client, sessions: list[Session]) -> list[PlanView]:
    points = series(sessions, MAIN_INSTRUMENT)
    due = set(due_plans([client]).values_list("pk", flat=True))
    out = []
    for plan in client.plans.select_related("review").prefetch_related("strategies__results"):
        out.append(
            PlanView(
                plan=plan,
                strategies=[(ps, list(ps.results.all())) for ps in plan.strategies.all()],
                change=before_after(points, plan.start_session),
                status_then=plan.review.status,
                status_now=client.status,
                due=plan.pk in due,
            )
        )
    return out


def panel(client: Client, sessions: list[Session]) -> Panel:
    return Panel(
        reviews=list(client.reviews.prefetch_related("reasons")),
        plans=plan_views(client, sessions),
        goals=all_goals(client),
    )


def own_reflections(user: User) -> list[Reflection]:
    """Reflections are private: only ever the author's own."""
    return list(Reflection.objects.filter(author=user).select_related("client"))
