"""Writes of the impasse workflow, each in one transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from unstuck.errors import InvalidValue
from unstuck.plural import counted
from unstuck.web.accounts.audit import choice_label, record_audit
from unstuck.web.accounts.models import AuditAction, User
from unstuck.web.records import selectors
from unstuck.web.records import services as records
from unstuck.web.records.models import Client, Episode
from unstuck.web.records.snapshots import lock_client, refresh_status
from unstuck.web.reviews import knowledge, letters
from unstuck.web.reviews.models import (
    ClosureLetter,
    Goal,
    GoalChange,
    GoalRating,
    GoalRevision,
    LetterKind,
    Plan,
    PlanStrategy,
    Reflection,
    Result,
    Review,
    ReviewReason,
    StrategyResult,
    default_end_reason,
)

SAFETY_FIRST = (
    "A safety alert is open for this client: record the safety check first (what happened, in "
    "one step), then the review."
)
NO_STRATEGY = "Choose at least one strategy for the plan."
EMPTY_GOAL = "Write the goal in the client's own words."
SAME_WORDING = (
    "The wording is the same as now, so it was not {change!r}: change the words, or choose "
    "'Order changed' or 'Set aside'."
)
WORDING_CHANGES = (GoalChange.SHRUNK, GoalChange.REWORDED, GoalChange.MORE_SOLVABLE)
PLAN_EXISTS = "This review already has a plan; record how its strategies go instead."
ENDED = "This episode of care has ended; start a new one before a review or a plan."
NOT_STARTED = (
    "The plan starts at session {start}, and session {latest} is the latest recorded: record "
    "how a strategy went once a session has been held with it."
)
BEFORE_EPISODE = "is before this episode of care began ({start:%Y-%m-%d})"


@dataclass(frozen=True)
class ChosenStrategy:
    strategy_id: str
    why: str = ""


@transaction.atomic
def add_goal(*, user: User, client: Client, text: str) -> Goal:
    if not text.strip():
        raise InvalidValue("text", text, EMPTY_GOAL)
    lock_client(client)
    position = client.goals.filter(active=True).count()
    goal = Goal.objects.create(client=client, position=position)
    GoalRevision.objects.create(
        goal=goal, text=text.strip(), change=GoalChange.AGREED, revised_by=user
    )
    record_audit(user, AuditAction.ADD_GOAL, client_code=client.code)
    return goal


@transaction.atomic
def revise_goal(*, user: User, goal: Goal, text: str, change: str, note: str = "") -> Goal:
    if change not in GoalChange.values or change == GoalChange.AGREED:
        raise InvalidValue("change", change, "is not a kind of revision")
    if not text.strip():
        raise InvalidValue("text", text, EMPTY_GOAL)
    lock_client(goal.client)
    current = goal.current
    if change in WORDING_CHANGES and current is not None and current.text == text.strip():
        raise InvalidValue("text", text, SAME_WORDING.format(change=GoalChange(change).label))
    GoalRevision.objects.create(
        goal=goal, text=text.strip(), change=change, note=note, revised_by=user
    )
    if change == GoalChange.SET_ASIDE:
        goal.active = False
    elif change == GoalChange.REPRIORITISED or change == GoalChange.MORE_SOLVABLE:
        # A more solvable first step, or one the client now puts first, moves to the top.
        goal.client.goals.filter(active=True).exclude(pk=goal.pk).update(position=F("position") + 1)
        goal.position = 0
    goal.save(update_fields=["active", "position"])
    record_audit(
        user,
        AuditAction.REVISE_GOAL,
        client_code=goal.client.code,
        detail=choice_label(GoalChange, change),
    )
    return goal


@transaction.atomic
def rate_goal(
    *, user: User, goal: Goal, rated_on: dt.date, attainment: int, note: str = ""
) -> GoalRating:
    if attainment not in (-2, -1, 0, 1, 2):
        raise InvalidValue("attainment", attainment, "goal attainment is rated from -2 to +2")
    episode = selectors.current_episode(goal.client)
    if episode is not None and rated_on < episode.started_on:
        start = episode.started_on
        raise InvalidValue("rated_on", rated_on.isoformat(), BEFORE_EPISODE.format(start=start))
    lock_client(goal.client)
    rating = GoalRating.objects.create(
        goal=goal, rated_on=rated_on, attainment=attainment, note=note
    )
    record_audit(user, AuditAction.RATE_GOAL, client_code=goal.client.code)
    return rating


@transaction.atomic
def open_review(
    *,
    user: User,
    client: Client,
    ratings: Mapping[str, tuple[int, str]],
    notes: str = "",
) -> Review:
    """Store the therapist's view of the likely reasons (rating 0-3 each, with evidence).

    Refused while a safety alert is open: the safety check, recorded as such (it closes the
    alert), comes first. The review notes whether the client's safety answers were checked."""
    alerts = client.safety_alerts.all()
    if any(a.is_open for a in alerts):
        raise InvalidValue("safety_checked", False, SAFETY_FIRST)
    episode = _open_episode(client)
    known = knowledge.reason_ids()
    for reason_id, (rating, _) in ratings.items():
        if reason_id not in known:
            raise InvalidValue("reason", reason_id, "is not a reason in the knowledge base")
        if rating not in (0, 1, 2, 3):
            raise InvalidValue(f"rating of {reason_id}", rating, "ratings go from 0 to 3")
    lock_client(client)
    review = Review.objects.create(
        client=client,
        opened_by=user,
        flags=list(client.flags),
        status=client.status,
        safety_checked=bool(alerts),  # every safety answer so far has its check
        notes=notes,
    )
    ReviewReason.objects.bulk_create(
        ReviewReason(review=review, reason_id=r, rating=rating, evidence=evidence)
        for r, (rating, evidence) in ratings.items()
    )
    refresh_status(client, episode=episode)  # its next step: the review's plan to make
    record_audit(user, AuditAction.OPEN_REVIEW, client_code=client.code)
    return review


def _open_episode(client: Client) -> Episode:
    """The client's current episode, refused when there is none or it has ended."""
    episode = selectors.current_episode(client)
    if episode is None or episode.ended_on is not None:
        raise InvalidValue("episode", episode.ended_on if episode else "", ENDED)
    return episode


@transaction.atomic
def make_plan(
    *, user: User, review: Review, chosen: Sequence[ChosenStrategy], review_on: dt.date
) -> Plan:
    if not chosen:
        raise InvalidValue("strategies", "", NO_STRATEGY)
    names = knowledge.strategy_names()
    for c in chosen:
        if c.strategy_id not in names:
            raise InvalidValue("strategy", c.strategy_id, "is not a strategy in the knowledge base")
    client = review.client
    lock_client(client)
    if Plan.objects.filter(review=review).exists():
        raise InvalidValue("plan", "", PLAN_EXISTS)
    episode = _open_episode(client)
    done = episode.sessions.count()
    plan = Plan.objects.create(
        review=review, client=client, created_by=user, start_session=done + 1, review_on=review_on
    )
    PlanStrategy.objects.bulk_create(
        PlanStrategy(
            plan=plan, strategy_id=c.strategy_id, name=names[c.strategy_id], why=c.why, position=i
        )
        for i, c in enumerate(chosen)
    )
    refresh_status(client, episode=episode)  # its next step: the plan to follow
    record_audit(
        user,
        AuditAction.MAKE_PLAN,
        client_code=client.code,
        detail=counted(len(chosen), "strategy", "strategies"),
    )
    return plan


@transaction.atomic
def record_strategy_result(
    *,
    user: User,
    strategy: PlanStrategy,
    result: str,
    note: str = "",
    recorded_on: dt.date | None = None,
) -> StrategyResult:
    if result not in Result.values:
        raise InvalidValue(
            "result", result, "is not a result (helped, partly, did_not_help, not_tried)"
        )
    client = strategy.plan.client
    lock_client(client)
    episode = selectors.current_episode(client)
    latest = episode.sessions.order_by("-number").first() if episode else None
    start = strategy.plan.start_session
    if latest is None or latest.number < start:
        raise InvalidValue(
            "result", result, NOT_STARTED.format(start=start, latest=latest.number if latest else 0)
        )
    entry = StrategyResult.objects.create(
        strategy=strategy,
        recorded_on=recorded_on or timezone.localdate(),
        session_number=latest.number if latest else None,
        result=result,
        note=note,
        recorded_by=user,
    )
    record_audit(
        user,
        AuditAction.RECORD_STRATEGY_RESULT,
        client_code=client.code,
        detail=choice_label(Result, result),
    )
    return entry


@transaction.atomic
def add_reflection(
    *,
    user: User,
    frustration: int,
    client: Client | None = None,
    reactions: str = "",
    wants_supervision: bool = False,
    wants_self_care: bool = False,
    note: str = "",
) -> Reflection:
    if frustration not in range(5):
        raise InvalidValue("frustration", frustration, "is rated from 0 to 4")
    reflection = Reflection.objects.create(
        author=user,
        client=client,
        frustration=frustration,
        reactions=reactions,
        wants_supervision=wants_supervision,
        wants_self_care=wants_self_care,
        note=note,
    )
    record_audit(user, AuditAction.ADD_REFLECTION, client_code=client.code if client else "")
    return reflection


@transaction.atomic
def close_with_letter(
    *,
    user: User,
    client: Client,
    kind: str,
    ended_on: dt.date,
    end_reason: str = "",
    recipient: str = "",
    reason: str = "",
    recommendations: str = "",
    resources: str = "",
    safety_considered: bool = False,
) -> ClosureLetter:
    """Write a referral letter or ending summary and close the episode with it.

    `end_reason` is how the episode ended (`EndReason`; empty: referred for a referral,
    completed otherwise). The letter keeps what the record says now (`letters.letter_facts`),
    so it reads the same later. While a safety alert is open, closing needs
    `safety_considered` (see `records.end_episode`, which checks it and records the
    confirmation).
    """
    if kind not in LetterKind.values:
        raise InvalidValue("kind", kind, "is not a kind of closing letter")
    if kind == LetterKind.REFERRAL and not recipient.strip():
        raise InvalidValue("recipient", recipient, "a referral letter needs a recipient")
    lock_client(client)
    episode = selectors.current_episode(client)
    if episode is None or episode.ended_on is not None:
        raise InvalidValue("episode", "", records.EPISODE_ENDED)
    letter = ClosureLetter.objects.create(
        client=client,
        kind=kind,
        recipient=recipient,
        reason=reason,
        recommendations=recommendations,
        resources=resources,
        written_from=letters.letter_facts(client, kind),
        created_by=user,
    )
    records.end_episode(
        user=user,
        client=client,
        ended_on=ended_on,
        reason=end_reason or default_end_reason(kind),
        safety_considered=safety_considered,
    )
    record_audit(
        user,
        AuditAction.WRITE_LETTER,
        client_code=client.code,
        detail=choice_label(LetterKind, kind),
    )
    return letter
