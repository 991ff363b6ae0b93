"""Every staff page gives each element its own id, and every <label for=...> names an element
on the page. Two forms built from one Django form class share ids (id_attainment_0, ...); a
label then points at the first form's field, and a click under goal 2 rates goal 1."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.records.models import SafetyAlert
from unstuck.web.reviews import services as reviews
from unstuck.web.reviews.models import Review

FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, moderate
SAFETY = [1, 1, 1, 1, 1, 1, 0, 0, 2]


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[found["id"] or ""] += 1
        if tag == "label" and found.get("for"):
            self.label_targets.append(found["for"] or "")


def id_problems(html: str) -> list[str]:
    parsed = _Ids()
    parsed.feed(html)
    twice = [f"id {i!r} used {n} times" for i, n in parsed.ids.items() if n > 1]
    dangling = [
        f"<label for={t!r}> names no element" for t in parsed.label_targets if t not in parsed.ids
    ]
    return twice + dangling


def test_the_checker_finds_shared_ids_and_dangling_labels() -> None:
    page = '<input id="a"><input id="a"><label for="b">B</label><label for="a">A</label>'
    assert id_problems(page) == ["id 'a' used 2 times", "<label for='b'> names no element"]


@pytest.fixture
def pages(personas, make_client) -> list[str]:
    """A therapist's pages with as many forms on each as the app puts there."""
    alex = personas.therapist
    stuck = make_client("C-FLAT", [FLAT] * 6)
    safe = make_client("C-SAFE-1", [PHQ9_MILD, SAFETY])
    make_client("C-SAFE-2", [PHQ9_SEVERE, SAFETY])  # two inline safety-check forms
    for text in ("Sleep through the night", "Go back to work", "Call my sister"):
        reviews.add_goal(user=alex, client=stuck, text=text)
    review = reviews.open_review(
        user=alex, client=stuck, ratings={"goals_misfit": (3, "")}, notes=""
    )
    reviewed = make_client("C-PLAN", [FLAT] * 6)
    planned = reviews.open_review(
        user=alex,
        client=reviewed,
        ratings={"goals_misfit": (3, ""), "ambivalence": (2, "")},
        notes="",
    )
    reviews.make_plan(
        user=alex,
        review=planned,
        chosen=[
            reviews.ChosenStrategy("revisit_goals", ""),
            reviews.ChosenStrategy("motivational_interviewing", ""),
        ],
        review_on=dt.date(2026, 4, 1),
    )
    assert Review.objects.count() == 2  # the fixture reaches the forms it is for
    assert SafetyAlert.objects.count() == 2
    return [
        reverse("caseload"),
        reverse("client", args=[stuck.pk]),  # the portal panel's two forms
        reverse("client", args=[reviewed.pk]),  # a plan with two strategies to record
        reverse("client", args=[safe.pk]),  # the safety check form, with the others
        reverse("safety_check", args=[safe.pk]),
        reverse("goals", args=[stuck.pk]),
        reverse("review_new", args=[stuck.pk]),
        reverse("review", args=[review.pk]),
        reverse("session_new", args=[stuck.pk]),
        reverse("session_correct", args=[stuck.pk, 1]),
        reverse("close", args=[stuck.pk]),
        reverse("reflections"),
        reverse("client_new"),
        reverse("client_details", args=[stuck.pk]),
        reverse("client_instruments", args=[stuck.pk]),
        reverse("episode_end_preview", args=[stuck.pk]),
        reverse("episode_end_preview", args=[safe.pk]) + "?ended_on=2026-03-01&reason=completed",
        reverse("password_change"),
    ]


def test_every_staff_page_has_unique_ids_and_labels_that_point_to_them(
    client: HttpClient, personas, pages
) -> None:
    problems = []
    for user, paths in [
        (personas.therapist, pages),
        (personas.supervisor, [reverse("caseload"), reverse("team")]),
        (personas.administrator, [reverse("instruments"), reverse("overview")]),
    ]:
        client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            problems += [f"{path}: {p}" for p in id_problems(response.content.decode())]
    assert problems == [], "\n".join(problems)


def test_each_goal_rating_form_has_its_own_ids(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-GOALS", [PHQ9_MILD])
    first = reviews.add_goal(user=personas.therapist, client=record, text="Walk daily")
    second = reviews.add_goal(user=personas.therapist, client=record, text="Sleep more")
    client.force_login(personas.therapist)
    page = client.get(reverse("goals", args=[record.pk])).content.decode()
    for goal in (first, second):
        assert f'id="id_goal-{goal.pk}-attainment_3"' in page
        assert f'for="id_goal-{goal.pk}-rated_on"' in page
