"""A plan due for review (its date come, no result since) is one rule: the client page's "due",
the team page's count and the caseload's filter, which tells a supervisor which clients."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from unstuck.web.records import services as records
from unstuck.web.reviews import services
from unstuck.web.reviews.models import Plan

FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, moderate
RATINGS = {"goals_misfit": (2, "")}


def _plan(personas, make_client, code: str, review_on: dt.date) -> Plan:
    record = make_client(code, [FLAT] * 4)
    review = services.open_review(user=personas.therapist, client=record, ratings=RATINGS)
    return services.make_plan(
        user=personas.therapist,
        review=review,
        chosen=[services.ChosenStrategy("revisit_goals", "why")],
        review_on=review_on,
    )


def _plans_due(client: HttpClient) -> dict[str, str]:
    """The team CSV's plans_overdue column, by group."""
    lines = client.get(reverse("team_csv")).content.decode().splitlines()
    column = lines[0].split(",").index("plans_overdue")
    return {line.split(",")[0]: line.split(",")[column] for line in lines[1:]}


def test_the_supervisor_finds_which_clients_have_a_plan_due(
    client: HttpClient, personas, make_client
) -> None:
    today = timezone.localdate()
    _plan(personas, make_client, "SYN-DUE", today - dt.timedelta(days=3))
    _plan(personas, make_client, "SYN-LATER", today + dt.timedelta(days=14))
    make_client("SYN-NONE", [FLAT] * 4)
    client.force_login(personas.supervisor)
    assert _plans_due(client)["All"] == "1"
    team = client.get(reverse("team")).content.decode()
    assert 'href="/?status=plan_due"' in team
    page = client.get(reverse("caseload") + "?status=plan_due").content.decode()
    assert re.findall(r'data-client="([^"]+)"', page) == ["SYN-DUE"]
    due = today - dt.timedelta(days=3)
    assert f"Plan due for review (review date {due:%Y-%m-%d})" in page
    assert '<option value="plan_due" selected>Plan due for review</option>' in page
    everyone = client.get(reverse("caseload")).content.decode()
    assert everyone.count('class="plan-due"') == 1  # marked in its row in the whole list too


def test_a_result_since_the_review_date_or_an_ended_episode_leaves_no_plan_due(
    client: HttpClient, personas, make_client
) -> None:
    past = timezone.localdate() - dt.timedelta(days=3)
    answered = _plan(personas, make_client, "SYN-ANSWERED", past)
    records.record_session(  # a session with the plan, then how the strategy went
        user=personas.therapist,
        client=answered.client,
        data=records.SessionInput(
            date=dt.date(2026, 2, 2), attendance="attended", answers={"phq9": FLAT}
        ),
    )
    services.record_strategy_result(
        user=personas.therapist, strategy=answered.strategies.get(), result="partly"
    )
    ended = _plan(personas, make_client, "SYN-ENDED", past)
    records.end_episode(
        user=personas.therapist,
        client=ended.client,
        ended_on=timezone.localdate(),
        reason="completed",
    )
    client.force_login(personas.supervisor)
    assert _plans_due(client)["All"] == "0"
    client_page = client.get(reverse("client", args=[answered.client.pk])).content.decode()
    assert "<strong>due</strong>" not in client_page
