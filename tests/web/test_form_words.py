"""Forms say what is wrong in words that name the field, and refuse dates that make no sense
for what is recorded (found by a reviewer walking the demo as a clinician)."""

from __future__ import annotations

import datetime as dt
import html

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.records import alerts
from unstuck.web.records.models import Client, SafetyCheck
from unstuck.web.reviews import services
from unstuck.web.reviews.models import Goal, GoalRating, GoalRevision, Plan, Review

RISK_2 = [3, 3, 3, 3, 2, 2, 2, 2, 2]


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def test_an_empty_choice_names_what_to_choose(client: HttpClient, personas, make_client):
    """Both said only 'This field is required.'"""
    record = make_client("C-F1", [PHQ9_SEVERE, PHQ9_SEVERE, RISK_2])
    client.force_login(personas.therapist)
    page = text(client.post(reverse("safety_check", args=[record.pk]), {"note": "Talked."}))
    assert "Choose what happened at the check-in." in page
    assert "This field is required" not in page
    assert not SafetyCheck.objects.exists()
    alerts.record_safety_check(user=personas.therapist, client=record, outcome="no_current_risk")
    review = services.open_review(
        user=personas.therapist, client=record, ratings={"goals_misfit": (3, "")}
    )
    later = (timezone.localdate() + dt.timedelta(days=28)).isoformat()
    page = text(client.post(reverse("review", args=[review.pk]), {"review_on": later}))
    assert "Tick at least one strategy for the plan." in page
    assert "This field is required" not in page
    assert not Plan.objects.exists()


def test_a_plan_cannot_be_due_for_review_before_it_is_made(client, personas, make_client):
    record = make_client("C-F2", [PHQ9_SEVERE, PHQ9_SEVERE])
    client.force_login(personas.therapist)
    review = services.open_review(
        user=personas.therapist, client=record, ratings={"goals_misfit": (3, "")}
    )
    past = timezone.localdate() - dt.timedelta(days=1)
    page = text(
        client.post(
            reverse("review", args=[review.pk]),
            {"strategies": ["revisit_goals"], "review_on": past.isoformat()},
        )
    )
    assert f"The review date {past:%Y-%m-%d} has passed" in page
    assert not Plan.objects.exists()
    today = timezone.localdate().isoformat()
    client.post(
        reverse("review", args=[review.pk]), {"strategies": ["revisit_goals"], "review_on": today}
    )
    assert Plan.objects.get(review=Review.objects.get()).review_on == timezone.localdate()


def test_a_goal_rating_cannot_be_in_the_future_and_a_revision_must_change_something(
    client: HttpClient, personas, make_client
):
    record = make_client("C-F3", [PHQ9_MILD])
    goal = services.add_goal(user=personas.therapist, client=record, text="Walk the dog")
    client.force_login(personas.therapist)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    rate = reverse("goal_change", args=[goal.pk, "rate"])
    page = text(
        client.post(rate, {"attainment": "1", "rated_on": tomorrow.isoformat()}, follow=True)
    )
    assert f"The rating date {tomorrow:%Y-%m-%d} is in the future" in page
    assert not GoalRating.objects.exists()

    revise = reverse("goal_change", args=[goal.pk, "revise"])
    page = text(client.post(revise, {"text": "Walk the dog", "change": "shrunk"}, follow=True))
    assert "The wording is the same as now" in page
    page = text(client.post(revise, {"text": "Walk the dog round the block"}, follow=True))
    assert "Choose an answer for “What changed”." in page
    assert GoalRevision.objects.filter(goal=goal).count() == 1  # only the agreed wording
    form = text(client.get(reverse("goals", args=[record.pk])))
    assert 'name="change" required><option value="">Choose…</option>' in form
    client.post(revise, {"text": "Walk the dog", "change": "reprioritised"})
    assert Goal.objects.get().revisions.count() == 2  # same words, a new place: that is a change


def test_a_client_cannot_start_in_the_future(client: HttpClient, personas):
    """A start date next year was saved, then every session today was refused as too early."""
    client.force_login(personas.therapist)
    later = timezone.localdate() + dt.timedelta(days=30)
    page = text(
        client.post(reverse("client_new"), {"code": "C-F4", "started_on": later.isoformat()})
    )
    assert f"The start date {later:%Y-%m-%d} is in the future" in page
    assert not Client.objects.filter(code="C-F4").exists()


def test_an_empty_field_is_named_in_the_message(client: HttpClient, personas):
    client.force_login(personas.therapist)
    page = text(client.post(reverse("client_new"), {"code": "", "started_on": ""}))
    assert "Fill in “Code”." in page
    # a date picker shows the browser's own format (dd/mm/yyyy here): the message names none
    assert "Give a date for “Started on”." in page
    assert "This field is required" not in page


def test_a_name_typed_as_the_code_is_refused(client: HttpClient, personas) -> None:
    """'John Smith' was saved as the pseudonymous code, shown on every page and export."""
    client.force_login(personas.therapist)
    today = timezone.localdate().isoformat()
    page = text(client.post(reverse("client_new"), {"code": "John Smith", "started_on": today}))
    assert "'John Smith' looks like a name" in page
    assert not Client.objects.filter(code="John Smith").exists()
    client.post(reverse("client_new"), {"code": "C 042", "started_on": today})
    assert Client.objects.filter(code="C 042").exists()


def test_the_safety_note_says_it_is_needed_with_other_and_its_error_names_it(
    client: HttpClient, personas, make_client
) -> None:
    """The label said 'Note (optional)' though 'Other' refuses the check without one, and the
    refusal did not name the field."""
    record = make_client("C-F5", [PHQ9_SEVERE, RISK_2])
    client.force_login(personas.therapist)
    for page in (
        text(client.get(reverse("client", args=[record.pk]))),
        text(client.get(reverse("safety_check", args=[record.pk]))),
        text(client.get(reverse("caseload"))),
    ):
        assert "Note (optional)" not in page
        assert "Note (needed if you choose Other)" in page
        assert "Say what was done when you choose 'Other'; otherwise optional." in page
    response = client.post(
        reverse("safety_check", args=[record.pk]), {"outcome": "other", "note": " "}
    )
    assert response.context["check_form"].errors["note"] == [
        "Note: say what was done. A note is needed when you choose 'Other'."
    ]
    assert "Note: say what was done." in text(response)
    assert not SafetyCheck.objects.exists()


def test_the_checklist_says_what_the_markers_are_used_for(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-F6", [PHQ9_MILD])
    client.force_login(personas.therapist)
    page = text(client.get(reverse("session_new", args=[record.pk])))
    assert "feed the withdrawal and impasse views" not in page
    assert (
        "3 or more ticks over the last 4 sessions raise 'Signs of pulling away' on the caseload "
        "and the client page, and each sign you tick suggests possible reasons when you open "
        "an impasse review." in page
    )
