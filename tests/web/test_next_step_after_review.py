"""A client who is getting worse is prompted towards an impasse review; once one is under way,
the next step names it instead: its plan to make, then the plan to follow and when to look at
how it went. Before, "consider an impasse review" stayed after the plan was made."""

from __future__ import annotations

import datetime as dt

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.records import snapshots
from unstuck.web.records.models import Client
from unstuck.web.reviews import services

RATINGS = {"goals_misfit": (2, ""), "ambivalence": (1, "")}
REVIEW_ON = dt.date(2026, 3, 2)


def test_the_next_step_follows_the_review_from_its_opening_to_its_plan(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("SYN-WORSE", [PHQ9_MILD, PHQ9_MILD, PHQ9_SEVERE, PHQ9_SEVERE])
    assert record.flags[0] == "deterioration"
    assert record.next_action == snapshots.NEXT_ACTIONS["deterioration"]

    review = services.open_review(user=personas.therapist, client=record, ratings=RATINGS)
    record = Client.objects.get(pk=record.pk)
    today = timezone.localdate()
    assert record.next_action == (
        f"Talk it over together and finish the impasse review begun {today:%Y-%m-%d}: "
        "its plan is still to make"
    )

    services.make_plan(
        user=personas.therapist,
        review=review,
        chosen=[services.ChosenStrategy("revisit_goals", "")],
        review_on=REVIEW_ON,
    )
    record = Client.objects.get(pk=record.pk)
    step = (
        f"Talk it over together and follow the plan made {today:%Y-%m-%d}; "
        f"look at how it went by {REVIEW_ON:%Y-%m-%d}"
    )
    assert record.next_action == step
    assert len(step) <= Client._meta.get_field("next_action").max_length  # type: ignore[union-attr]

    # what the caseload and the client page show
    client.force_login(personas.therapist)
    assert escape(step) in client.get(reverse("caseload")).content.decode()
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert f"<strong>Suggested next step:</strong> {escape(step)}" in page
    assert "consider an impasse review" not in page


def test_a_review_leaves_other_flags_steps_alone(personas, make_client) -> None:
    """Only the steps that suggest a review point to it: too little change so far still asks
    to review together how therapy is going, whatever review was opened."""
    flat = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, moderate, five times
    record = make_client("SYN-FLAT", [flat] * 5)
    assert record.flags[0] == "slow_response"
    services.open_review(user=personas.therapist, client=record, ratings=RATINGS)
    record = Client.objects.get(pk=record.pk)
    assert record.next_action == snapshots.NEXT_ACTIONS["slow_response"]
