"""The order a review's reasons and strategies are read in: a risk first wherever reasons are
listed, and a review that keeps the ranking it was made with, its plan marked."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PLAN_REVIEW, hold_session
from unstuck.impasse import default_knowledge
from unstuck.web.reviews.models import Plan, Review

FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, moderate: a plateau after six sessions
RISKY = [2, 2, 2, 2, 2, 2, 1, 0, 1]  # 14 too, item 9 answered 1
ALL_REASONS = list(default_knowledge().reasons)


def post_review(client: HttpClient, record, ratings: dict[str, int], **extra: str):
    data = {f"rating__{r}": "0" for r in ALL_REASONS}
    data.update({f"rating__{r}": str(v) for r, v in ratings.items()})
    data.update(extra)
    return client.post(reverse("review_new", args=[record.pk]), data)


def test_the_knowledge_base_lists_risk_last_so_the_pages_must_reorder() -> None:
    """The guard below is only needed (and only tested) while the file lists it late."""
    assert ALL_REASONS.index("safety_crisis") > 0


def test_risk_is_the_first_reason_suggested_on_the_review_form(
    client: HttpClient, personas, make_client
) -> None:
    """It was listed last of five suggested reasons, after four the record also suggested."""
    risky = make_client("C-830", [FLAT] * 5 + [RISKY])
    assert "plateau" in risky.flags
    client.force_login(personas.therapist)
    page = client.get(reverse("review_new", args=[risky.pk])).content.decode()
    suggested = page[page.index("Possible reasons") :]
    first_rating = suggested.index('name="rating__')
    assert suggested.startswith('name="rating__safety_crisis"', first_rating)


@pytest.mark.parametrize("where", ["review", "consultation"])
def test_risk_heads_the_reasons_seen_then_the_most_likely(
    client: HttpClient, personas, make_client, where: str
) -> None:
    """'Risk or crisis (1/3)' came last, under reasons rated 3; the rest are most likely first."""
    record = make_client("C-831", [FLAT] * 6)
    client.force_login(personas.therapist)
    post_review(
        client,
        record,
        {"vulnerability": 1, "goals_misfit": 3, "ambivalence": 2, "safety_crisis": 1},
        safety_checked="on",
    )
    review = Review.objects.get()
    url = (
        reverse("review", args=[review.pk])
        if where == "review"
        else reverse("consultation", args=[record.pk])
    )
    page = client.get(url).content.decode()
    names = ["Risk or crisis", "(1/3)", "(3/3)", "(2/3)", "(1/3)"]
    start = page.index("Reasons you saw" if where == "review" else "Likely reasons")
    places = [page.index(names[0], start)]
    for name in names[1:]:
        places.append(page.index(name, places[-1] + 1))
    assert places == sorted(places)


def test_an_old_review_keeps_its_ranking_and_marks_its_plan(
    client: HttpClient, personas, make_client
) -> None:
    """After a later 'did not help', the old review reordered itself: its first strategy, the
    one that went into the plan, was no longer first, and nothing said which were chosen."""
    record = make_client("C-832", [FLAT] * 6)
    client.force_login(personas.therapist)
    post_review(client, record, {"goals_misfit": 3})
    review = Review.objects.get()
    url = reverse("review", args=[review.pk])
    before = client.get(url).content.decode()
    listed = before[before.index('<ol class="strategies">') :]
    first = listed[listed.index('id="strategy-') + len('id="strategy-') :].split('"')[0]
    client.post(url, {"strategies": [first], "review_on": PLAN_REVIEW})
    strategy = Plan.objects.get().strategies.get()
    hold_session(record)
    client.post(reverse("strategy_result", args=[strategy.pk]), {"result": "did_not_help"})
    # the result moves it down for a new review, but not in the review that chose it
    after = client.get(url).content.decode()
    listed = after[after.index('<ol class="strategies">') :]
    assert listed.index(f'id="strategy-{first}"') == listed.index('id="strategy-')
    assert "Already tried with this client without help" not in after
    assert 'id="plan-made"' in after
    mine = listed[listed.index(f'id="strategy-{first}"') :]
    assert mine.index("In the plan") < mine.index("</li>")
    assert after.count("In the plan</span>") == 1


@pytest.mark.parametrize(
    "page", ["goals", "review", "session_new", "client_instruments", "client_details"]
)
def test_an_open_safety_answer_heads_every_page_about_the_client(
    client: HttpClient, personas, make_client, page: str
) -> None:
    """The goals page and a review's page showed no sign of an open safety alert."""
    risky = make_client("C-833", [FLAT] * 5 + [RISKY])
    calm = make_client("C-834", [FLAT] * 6)
    client.force_login(personas.therapist)
    post_review(client, calm, {"goals_misfit": 3})
    for record, expected in ((calm, False), (risky, True)):
        if page == "review":
            if expected:  # a review made before the answer came
                Review.objects.filter(client=calm).update(client=risky)
            url = reverse("review", args=[Review.objects.get().pk])
        else:
            url = reverse(page, args=[record.pk])
        html = client.get(url).content.decode()
        assert ('id="open-safety-alert"' in html) is expected, (page, record.code)
        if expected:
            banner = html[html.index('id="open-safety-alert"') :]
            assert "item 9 (a risk question) was answered 1" in banner
            assert reverse("safety_check", args=[risky.pk]) in banner
            assert html.index('id="open-safety-alert"') < html.index("<form", html.index("<main"))


def test_a_change_in_session_feedback_is_signed_either_way() -> None:
    """'changed by 1 point' beside '-17 points': a rise read as unsigned."""
    from unstuck.web.records.templatetags.vocabulary import signed_points

    assert signed_points(1) == "+1 point"
    assert signed_points(-17) == "-17 points"
    assert signed_points(2.25) == "+2.2 points"
    assert signed_points(0) == "0 points"


def test_reviews_on_one_day_can_be_told_apart(client: HttpClient, personas, make_client) -> None:
    """Going Back and sending the form again makes a second review; the client page listed
    'Reviews: 2026-12-03, 2026-12-03', which could not be told apart."""
    import re

    record = make_client("C-835", [FLAT] * 6)
    client.force_login(personas.therapist)
    post_review(client, record, {"goals_misfit": 3})
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    listed = page[page.index("Reviews: ") :].split("</p>")[0]
    assert re.search(r">\d{4}-\d{2}-\d{2} \d{2}:\d{2}</a>", listed), listed


def test_a_checked_safety_answer_stays_in_sight_at_a_glance_and_in_the_review(
    client: HttpClient, personas, make_client
) -> None:
    """Once the check was recorded (a safety plan made), the answer vanished from 'At a
    glance' and the review no longer suggested risk, though the record still showed it."""
    from unstuck.web.records import alerts
    from unstuck.web.records.models import Client

    record = make_client("C-836", [FLAT] * 5 + [RISKY])
    alerts.record_safety_check(
        user=personas.therapist, client=record, outcome="safety_plan", note="made together"
    )
    record = Client.objects.get(pk=record.pk)
    assert "safety" not in record.flags  # the check closed the alert
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    glance = page[page.index('id="glance"') : page.index("</section>", page.index('id="glance"'))]
    assert "Safety answer this episode:" in glance
    assert "PHQ-9 item 9 answered 1 (Several days) at session 6" in glance
    assert "safety plan made or updated" in glance

    review = client.get(reverse("review_new", args=[record.pk])).content.decode()
    suggested = review[review.index("Possible reasons") :]
    first_rating = suggested.index('name="rating__')
    assert suggested.startswith('name="rating__safety_crisis"', first_rating)
    assert "the safety check is recorded" in review
