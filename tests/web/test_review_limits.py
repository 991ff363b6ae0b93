"""What a review, a plan and its results may say: only while the episode is open, dated within
it, and a result only once a session has been held with the plan."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from personas import hold_session
from unstuck.errors import InvalidValue
from unstuck.web.records import services as records
from unstuck.web.reviews import services
from unstuck.web.reviews.models import GoalRating, Plan, StrategyResult

FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14: a plateau after six sessions
GOAL_MISFIT = {"goals_misfit": (3, "")}
FIFTEEN = [2, 2, 2, 2, 2, 2, 1, 2, 0]


@pytest.fixture
def stuck(make_client):
    return make_client("C-850", [FLAT] * 6)  # from 2026-01-05, weekly


def plan_for(personas, record) -> Plan:
    review = services.open_review(user=personas.therapist, client=record, ratings=GOAL_MISFIT)
    return services.make_plan(
        user=personas.therapist,
        review=review,
        chosen=[services.ChosenStrategy("revisit_goals")],
        review_on=dt.date(2026, 4, 1),
    )


def test_no_review_or_plan_once_the_episode_has_ended(personas, stuck) -> None:
    """A review and a plan were saved for a client whose episode had ended ('Record how each
    strategy goes at later sessions', when none could be recorded)."""
    review = services.open_review(user=personas.therapist, client=stuck, ratings=GOAL_MISFIT)
    records.end_episode(
        user=personas.therapist, client=stuck, ended_on=dt.date(2026, 3, 1), reason="completed"
    )
    with pytest.raises(InvalidValue, match="episode of care has ended"):
        services.open_review(user=personas.therapist, client=stuck, ratings=GOAL_MISFIT)
    with pytest.raises(InvalidValue, match="episode of care has ended"):
        services.make_plan(
            user=personas.therapist,
            review=review,
            chosen=[services.ChosenStrategy("revisit_goals")],
            review_on=dt.date(2026, 4, 1),
        )
    assert not Plan.objects.exists()


@pytest.mark.parametrize(("days", "saved"), [(366, True), (367, False)])
def test_a_plan_is_reviewed_within_the_year(
    client: HttpClient, personas, stuck, days: int, saved: bool
) -> None:
    """9999-12-31 was saved and shown as '(review on 9999-12-31)'."""
    review = services.open_review(user=personas.therapist, client=stuck, ratings=GOAL_MISFIT)
    client.force_login(personas.therapist)
    day = timezone.localdate() + dt.timedelta(days=days)
    page = client.post(
        reverse("review", args=[review.pk]),
        {"strategies": ["revisit_goals"], "review_on": day.isoformat()},
    )
    assert Plan.objects.exists() is saved
    if not saved:
        assert "is more than a year away" in html.unescape(page.content.decode())


@pytest.mark.parametrize(("day", "saved"), [("2026-01-05", True), ("2026-01-04", False)])
def test_a_goal_is_rated_within_the_episode(
    client: HttpClient, personas, stuck, day: str, saved: bool
) -> None:
    """A rating dated 2001-01-01 was saved for an episode that began in 2026."""
    goal = services.add_goal(user=personas.therapist, client=stuck, text="Walk daily")
    client.force_login(personas.therapist)
    answer = client.post(
        reverse("goal_change", args=[goal.pk, "rate"]),
        {"attainment": "1", "rated_on": day},
        follow=True,
    )
    assert GoalRating.objects.exists() is saved
    if not saved:
        text = html.unescape(answer.content.decode())
        assert "The rating date '2026-01-04' is before this episode of care began (2026-01-05)" in (
            text
        )


def test_a_result_waits_for_a_session_held_with_the_plan(
    client: HttpClient, personas, stuck
) -> None:
    """A plan 'from session 7 on' took 'after session 6: Did not help' at once, which moved the
    strategy down in every later review."""
    strategy = plan_for(personas, stuck).strategies.get()
    client.force_login(personas.therapist)
    url = reverse("strategy_result", args=[strategy.pk])
    page = html.unescape(client.post(url, {"result": "did_not_help"}, follow=True).content.decode())
    assert "The plan starts at session 7, and session 6 is the latest recorded" in page
    assert not StrategyResult.objects.exists()
    hold_session(stuck)
    client.post(url, {"result": "did_not_help"})
    assert StrategyResult.objects.get().session_number == 7


def test_one_score_since_the_plan_is_not_called_an_average(
    client: HttpClient, personas, stuck
) -> None:
    """'since: -18.0 (1 score)' read as 18 points a session on average."""
    plan_for(personas, stuck)
    hold_session(stuck, [0, 0, 0, 0, 0, 0, 0, 0, 0])
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[stuck.pk])).content.decode()
    assert "since: one score so far, 14 before the plan and 0 now, too few for an average" in page
    summary = client.get(reverse("consultation", args=[stuck.pk])).content.decode()
    assert "one score since (14 then 0)" in summary
    hold_session(stuck, [0, 0, 0, 0, 0, 0, 0, 0, 0])
    page = client.get(reverse("client", args=[stuck.pk])).content.decode()
    assert "since: -7.0 (2 scores)" in page


@pytest.mark.parametrize(
    ("before", "since", "sentence"),
    [
        # One score before the plan has no slope: the page read 'At risk. ; since: ...'.
        ([FLAT], [], "No PHQ-9 scores since the plan began yet."),
        ([FLAT], [[0] * 9], "PHQ-9 since the plan began: one score so far, 14 before the plan"),
        # A slope that rounds to nothing read '-0.0 points a session on average'.
        ([FLAT, FLAT, FIFTEEN, FLAT, FLAT, FLAT], [], "before the plan: 0.0 points"),
    ],
)
def test_the_plan_sentence_leaves_out_what_has_no_numbers(
    client: HttpClient, personas, make_client, before, since, sentence
) -> None:
    record = make_client("C-851", before)
    plan_for(personas, record)
    for answers in since:
        hold_session(record, answers)
    client.force_login(personas.therapist)
    page = html.unescape(client.get(reverse("client", args=[record.pk])).content.decode())
    panel = " ".join(page[page.index('id="plans"') :].split())
    assert sentence in panel
    assert ". ;" not in panel
    assert "-0.0" not in panel
