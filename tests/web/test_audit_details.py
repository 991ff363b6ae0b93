"""An audit row's detail is read on the audit page and in its CSV: in the words the pages use
(a choice's label, a questionnaire's name, a timing's label), never a stored code such as
`did_not_help`, `phq9` or `after`."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from personas import PHQ9_MILD, hold_session
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.portal import services as portal
from unstuck.web.portal.schedules import plan_due, set_schedule
from unstuck.web.records import corrections
from unstuck.web.reviews import services as reviews

CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\b(?:phq9|gad7)\b")  # did_not_help, phq9, ...


def details(action: AuditAction) -> list[str]:
    rows = AuditEntry.objects.filter(action=action).order_by("id")
    return list(rows.values_list("detail", flat=True))


def no_codes() -> None:
    found = [(e.action, e.detail) for e in AuditEntry.objects.all() if CODE.search(e.detail)]
    assert not found, found


def test_the_impasse_and_ending_rows_use_the_choices_labels(personas, make_client) -> None:
    alex = personas.therapist
    client = make_client("C-910", [PHQ9_MILD] * 3)
    goal = reviews.add_goal(user=alex, client=client, text="Walk daily")
    reviews.revise_goal(user=alex, goal=goal, text="Walk once a week", change="shrunk")
    review = reviews.open_review(user=alex, client=client, ratings={"goals_misfit": (3, "")})
    plan = reviews.make_plan(
        user=alex,
        review=review,
        chosen=[reviews.ChosenStrategy("revisit_goals", "")],
        review_on=dt.date(2026, 4, 1),
    )
    hold_session(client)
    strategy = plan.strategies.get()
    reviews.record_strategy_result(user=alex, strategy=strategy, result="did_not_help")
    reviews.close_with_letter(
        user=alex,
        client=client,
        kind="referral",
        recipient="Community team",
        ended_on=dt.date(2026, 5, 1),
    )
    corrections.reopen_episode(user=alex, client=client)
    assert details(AuditAction.REVISE_GOAL) == ["Made smaller"]
    assert details(AuditAction.MAKE_PLAN) == ["1 strategy"]  # not "1 strategies"
    assert details(AuditAction.RECORD_STRATEGY_RESULT) == ["Did not help"]
    assert details(AuditAction.WRITE_LETTER) == ["Referral letter"]
    assert details(AuditAction.END_EPISODE) == ["Referred elsewhere"]
    assert details(AuditAction.REOPEN_EPISODE) == ["ended 2026-05-01: Referred elsewhere"]
    no_codes()


def test_the_questionnaire_rows_name_the_timing_and_the_questionnaires(
    personas, make_client, settings
) -> None:
    settings.EMAIL_CONFIGURED = True  # a schedule emails its links
    alex = personas.therapist
    record = make_client("C-911", [PHQ9_MILD])
    record.contact = "c911@example.test"
    record.save()
    now = timezone.now()
    request, secret = portal.create_request(
        user=alex,
        client=record,
        instrument_ids=["session_feedback", "phq9", "barriers"],
        session_number=1,
        timing="after",
        now=now,
    )
    assert secret is not None
    HttpClient().get(reverse("portal_link", args=[secret]))
    set_schedule(
        user=alex, client=record, cadence="weekly", instrument_ids=["phq9", "gad7"], now=now
    )
    [planned] = plan_due(now)
    assert details(AuditAction.PORTAL_REQUEST_CREATED) == [
        f"request {request.pk}: after session 1: Session feedback, PHQ-9, What gets in the way",
        f"request {planned}: before session 2, by the schedule (every week)",
    ]
    assert details(AuditAction.PORTAL_REQUEST_OPENED) == [f"request {request.pk} by private link"]
    assert details(AuditAction.PORTAL_SCHEDULE_SET) == ["Every week: PHQ-9, GAD-7"]
    no_codes()
