"""The impasse review from a flagged client: pre-filled reasons, ranked strategies, a plan,
results recorded over later sessions, and the before/after view on the client page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE, PLAN_REVIEW, hold_session, visible_text
from unstuck.web.reviews.models import Plan, Review, StrategyResult
from unstuck.web.reviews.services import SAFETY_FIRST

FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, moderate


@pytest.fixture
def stuck(make_client):
    """A plateau: 14 at six sessions running."""
    client = make_client("C-800", [FLAT] * 6)
    return client


def test_the_review_form_is_prefilled_from_the_record(client: HttpClient, personas, stuck):
    assert "plateau" in stuck.flags
    client.force_login(personas.therapist)
    page = client.get(reverse("review_new", args=[stuck.pk])).content.decode()
    assert "suggested by the record" in page
    assert "Scores have been flat for several sessions" in page  # evidence for goals_misfit
    assert 'id="review-safety"' not in page


def post_review(client: HttpClient, record, ratings: dict[str, int], **extra: str):
    data = {f"rating__{r}": "0" for r in ALL_REASONS}
    data.update({f"rating__{r}": str(v) for r, v in ratings.items()})
    data.update(extra)
    return client.post(reverse("review_new", args=[record.pk]), data)


from unstuck.impasse import default_knowledge  # noqa: E402

ALL_REASONS = list(default_knowledge().reasons)


def test_a_review_ranks_strategies_and_becomes_a_plan_with_results(
    client: HttpClient, personas, stuck, make_client
):
    client.force_login(personas.therapist)
    response = post_review(client, stuck, {"goals_misfit": 3, "ambivalence": 2})
    review = Review.objects.get()
    assert response["Location"] == reverse("review", args=[review.pk])
    page = client.get(response["Location"]).content.decode()
    assert page.index("Revisit the goals together") < page.index("Motivational interviewing")
    assert "It answers goals that no longer fit (rated 3)" in page
    assert "Refer to another clinician" not in page  # a plateau never leads to an ending

    client.post(
        reverse("review", args=[review.pk]),
        {"strategies": ["revisit_goals", "motivational_interviewing"], "review_on": PLAN_REVIEW},
    )
    plan = Plan.objects.get()
    assert plan.start_session == 7
    assert [s.strategy_id for s in plan.strategies.all()] == [
        "revisit_goals",
        "motivational_interviewing",
    ]
    first = plan.strategies.get(strategy_id="revisit_goals")
    hold_session(stuck)  # session 7, no questionnaire: the first with the plan
    client.post(reverse("strategy_result", args=[first.pk]), {"result": "helped", "note": "ok"})
    assert StrategyResult.objects.get().result == "helped"
    detail = client.get(reverse("client", args=[stuck.pk])).content.decode()
    assert "from session 7 on" in detail
    assert "Helped" in detail
    assert "no scores since the plan began yet" in detail


def test_a_safety_flag_puts_a_safety_check_at_the_top_of_the_review(
    client: HttpClient, personas, make_client
):
    risky = make_client("C-801", [PHQ9_MILD, [1, 1, 1, 1, 1, 1, 0, 0, 2]])
    client.force_login(personas.therapist)
    page = client.get(reverse("review_new", args=[risky.pk])).content.decode()
    assert 'id="review-safety"' in page
    assert page.index('id="review-safety"') < page.index("Possible reasons")
    # The review waits for the safety check itself, recorded once, not a tick beside it that
    # left the alert open and the client page saying no check was recorded.
    check = reverse("safety_check", args=[risky.pk]) + "?back=review"
    assert f'href="{check}"' in page.replace("&amp;", "&")
    assert 'name="safety_checked"' not in page
    refused = post_review(client, risky, {"safety_crisis": 3}, safety_checked="on")
    assert SAFETY_FIRST[:40] in refused.content.decode()
    assert not Review.objects.exists()
    alert = risky.safety_alerts.get()
    done = client.post(check, {"outcome": "no_current_risk", "alerts": str(alert.pk)})
    assert done["Location"] == reverse("review_new", args=[risky.pk])
    assert not risky.safety_alerts.get().is_open
    post_review(client, risky, {"safety_crisis": 3, "ambivalence": 3})
    review = Review.objects.get()
    assert review.safety_checked
    ranked = client.get(reverse("review", args=[review.pk])).content.decode()
    first_item = ranked.index('class="strategy')
    # motivational interviewing scores 9 for ambivalence, yet the safety check comes first
    assert ranked.index("Check safety first", first_item) < ranked.index(
        "Motivational interviewing", first_item
    )


def test_a_strategy_that_did_not_help_moves_down_in_the_next_review(
    client: HttpClient, personas, stuck
):
    client.force_login(personas.therapist)
    post_review(client, stuck, {"goals_misfit": 3})
    review = Review.objects.get()
    client.post(
        reverse("review", args=[review.pk]),
        {"strategies": ["revisit_goals"], "review_on": PLAN_REVIEW},
    )
    strategy = Plan.objects.get().strategies.get()
    hold_session(stuck)
    client.post(reverse("strategy_result", args=[strategy.pk]), {"result": "did_not_help"})
    post_review(client, stuck, {"goals_misfit": 3})
    second = Review.objects.order_by("-id").first()
    page = client.get(reverse("review", args=[second.pk])).content.decode()
    assert "Already tried with this client without help" in page
    listed = page[page.index('<ol class="strategies">') :]
    assert listed.index("One small new behaviour") < listed.index("Revisit the goals")  # 4 > 2.5


def test_colleagues_cannot_open_or_read_reviews(client: HttpClient, personas, stuck):
    client.force_login(personas.therapist)
    post_review(client, stuck, {"goals_misfit": 3})
    review = Review.objects.get()
    client.force_login(personas.colleague)
    assert client.get(reverse("review_new", args=[stuck.pk])).status_code == 404
    assert client.get(reverse("review", args=[review.pk])).status_code == 404
    client.force_login(personas.supervisor)
    assert client.get(reverse("review", args=[review.pk])).status_code == 200
    assert client.post(reverse("review", args=[review.pk]), {}).status_code == 403


def test_a_plan_needs_a_strategy(client: HttpClient, personas, stuck):
    client.force_login(personas.therapist)
    post_review(client, stuck, {"goals_misfit": 3})
    review = Review.objects.get()
    response = client.post(reverse("review", args=[review.pk]), {"review_on": PLAN_REVIEW})
    assert "Nothing was saved" in response.content.decode()
    assert not Plan.objects.exists()


def test_deteriorating_client_review_mentions_the_record(client: HttpClient, personas, make_client):
    worse = make_client("C-802", [PHQ9_MILD, PHQ9_SEVERE])
    client.force_login(personas.therapist)
    page = client.get(reverse("review_new", args=[worse.pk])).content.decode()
    assert "Scores have reliably worsened since the start." in page


def test_the_review_shows_five_strategies_in_full_and_the_rest_one_click_away(
    client: HttpClient, personas, stuck
) -> None:
    client.force_login(personas.therapist)
    response = post_review(client, stuck, {"goals_misfit": 3, "ambivalence": 2})
    page = client.get(response["Location"]).content.decode()
    shown, folded = page.split("more strategies that fit less well", 1)
    assert len(re.findall(r'<li id="strategy-', shown)) == 5
    rest = re.findall(r'<li id="strategy-', folded)
    assert rest
    assert shown.endswith(f"<summary>{len(rest)} ")  # "N more strategies that fit less well"
    assert '<ol class="strategies" start="6">' in folded


def test_reasons_with_evidence_come_first_and_the_others_are_folded(
    client: HttpClient, personas, stuck
) -> None:
    client.force_login(personas.therapist)
    page = client.get(reverse("review_new", args=[stuck.pk])).content.decode()
    first, folded = page.split('<details class="other-reasons"', 1)
    assert 'id="reason-goals_misfit"' in first  # the plateau's evidence: suggested
    assert 'class="item suggested"' in first
    assert 'class="item suggested"' not in folded
    others = re.findall(r'id="reason-([a-z_]+)"', folded)
    assert len(others) + len(re.findall(r'id="reason-([a-z_]+)"', first)) == len(ALL_REASONS)
    assert "safety_crisis" in others


def test_the_reviews_notes_are_shown_on_it_and_in_the_consultation_summary(
    client: HttpClient, personas, stuck
) -> None:
    """They were saved and never shown anywhere."""
    client.force_login(personas.therapist)
    response = post_review(client, stuck, {"goals_misfit": 3}, notes="Ask about the new job.")
    page = client.get(response["Location"]).content.decode()
    assert "Your notes" in page
    assert "Ask about the new job." in page
    summary = client.get(reverse("consultation", args=[stuck.pk])).content
    assert "Alex&#x27;s notes from that review:</strong> Ask about the new job." in summary.decode()


def test_a_plans_reasons_are_dated_to_its_review_not_read_as_the_record_now(
    client: HttpClient, personas, stuck
) -> None:
    """A plan kept "It fits what the record shows now: progress has levelled off." after better
    sessions had put the client on track, contradicting the page's own status."""
    client.force_login(personas.therapist)
    post_review(client, stuck, {"goals_misfit": 3})
    review = Review.objects.get()
    client.post(
        reverse("review", args=[review.pk]),
        {"strategies": ["revisit_goals"], "review_on": PLAN_REVIEW},
    )
    stored = Plan.objects.get().strategies.get().why
    assert "It fits what the record shows now: progress has levelled off." in stored
    Review.objects.filter(pk=review.pk).update(opened_at=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC))
    for _ in range(3):
        hold_session(stuck, PHQ9_MILD)
    detail = visible_text(client.get(reverse("client", args=[stuck.pk])).content.decode())
    assert re.search(r"Status when the plan began: \s*At risk\s*· now: \s*On track", detail)
    dated = "It fitted what the record showed at the review on 3 Mar 2026: progress has levelled"
    assert dated in detail
    assert "record shows now" not in detail
    assert Plan.objects.get().strategies.get().why == stored  # dated when shown, kept as written
    page = visible_text(client.get(reverse("review", args=[review.pk])).content.decode())
    assert dated in page
    assert "record shows now" not in page


def test_the_review_form_reads_earlier_plans_in_the_same_few_queries(
    client: HttpClient, personas, stuck, django_assert_max_num_queries
):
    """The form's evidence counts the strategies already tried without help; it read each
    plan's strategies, and each strategy's results, one query at a time."""
    from unstuck.web.reviews import services

    for result in ("did_not_help", "helped", "did_not_help"):
        review = services.open_review(user=personas.therapist, client=stuck, ratings={})
        plan = services.make_plan(
            user=personas.therapist,
            review=review,
            chosen=[
                services.ChosenStrategy("revisit_goals"),
                services.ChosenStrategy("motivational_interviewing"),
            ],
            review_on=dt.date.fromisoformat(PLAN_REVIEW),
        )
        hold_session(stuck)
        for strategy in plan.strategies.all():
            services.record_strategy_result(
                user=personas.therapist, strategy=strategy, result=result
            )
    client.force_login(personas.therapist)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("review_new", args=[stuck.pk])).content.decode()
    assert "4 strategies already tried without help." in page
