"""Goals in the client's words, revised with history and rated -2..+2; private reflections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD
from unstuck.errors import InvalidValue
from unstuck.web.reviews import services
from unstuck.web.reviews.models import Goal, GoalRating, Reflection


@pytest.fixture
def record(make_client):
    return make_client("C-500", [PHQ9_MILD, PHQ9_MILD])


def test_goals_are_added_revised_with_history_and_rated(client: HttpClient, personas, record):
    client.force_login(personas.therapist)
    client.post(reverse("goals", args=[record.pk]), {"new-text": "Sleep through the night"})
    client.post(reverse("goals", args=[record.pk]), {"new-text": "Go back to work full time"})
    work = Goal.objects.get(revisions__text="Go back to work full time")
    client.post(
        reverse("goal_change", args=[work.pk, "revise"]),
        {"text": "Call my manager about a phased return", "change": "more_solvable"},
    )
    client.post(
        reverse("goal_change", args=[work.pk, "rate"]),
        {"attainment": "-1", "rated_on": "2026-03-01"},
    )
    work.refresh_from_db()
    texts = [r.text for r in work.revisions.all()]
    assert texts == ["Go back to work full time", "Call my manager about a phased return"]
    assert work.position == 0  # the more solvable first step goes to the top
    assert Goal.objects.get(revisions__text="Sleep through the night").position == 1
    assert list(work.ratings.values_list("attainment", flat=True)) == [-1]
    page = client.get(reverse("goals", args=[record.pk])).content.decode()
    assert "Swapped for a more solvable first step" in page
    assert "Go back to work full time" in page  # kept in the history


def test_attainment_outside_minus_two_to_two_is_refused(personas, record):
    goal = services.add_goal(user=personas.therapist, client=record, text="Walk daily")
    with pytest.raises(InvalidValue, match="-2 to \\+2"):
        services.rate_goal(
            user=personas.therapist, goal=goal, rated_on=dt.date(2026, 1, 1), attainment=3
        )
    assert not GoalRating.objects.exists()


def test_an_empty_goal_is_refused(personas, record):
    with pytest.raises(InvalidValue, match="own words"):
        services.add_goal(user=personas.therapist, client=record, text="   ")


def test_colleagues_cannot_see_or_change_goals(client: HttpClient, personas, record):
    goal = services.add_goal(user=personas.therapist, client=record, text="Walk daily")
    client.force_login(personas.colleague)
    assert client.get(reverse("goals", args=[record.pk])).status_code == 404
    response = client.post(reverse("goal_change", args=[goal.pk, "rate"]), {"attainment": "2"})
    assert response.status_code == 404
    client.force_login(personas.supervisor)
    assert client.get(reverse("goals", args=[record.pk])).status_code == 200
    assert client.post(reverse("goal_change", args=[goal.pk, "rate"]), {}).status_code == 403


def test_reflections_are_visible_only_to_their_author(client: HttpClient, personas, record):
    client.force_login(personas.therapist)
    client.post(
        reverse("reflections") + f"?client={record.pk}",
        {
            "frustration": "3",
            "reactions": "I notice I feel impatient",
            "client": record.pk,
            "wants_supervision": "on",
        },
    )
    mine = Reflection.objects.get()
    assert (mine.author, mine.client, mine.frustration, mine.wants_supervision) == (
        personas.therapist,
        record,
        3,
        True,
    )
    assert "I notice I feel impatient" in client.get(reverse("reflections")).content.decode()
    for other in (personas.supervisor, personas.colleague, personas.administrator):
        client.force_login(other)
        assert (
            "I notice I feel impatient" not in client.get(reverse("reflections")).content.decode()
        )
