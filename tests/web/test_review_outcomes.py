"""What the clinic's own records say, shown beside a suggestion in a review; never reordering."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape

from personas import hold_session
from unstuck.impasse.outcomes import CAVEAT
from unstuck.web.records import services as records
from unstuck.web.reviews import knowledge, services
from unstuck.web.reviews.models import Review
from unstuck.web.reviews.outcomes import clinic_trials

FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, moderate
MILD = [1, 1, 1, 1, 0, 0, 0, 0, 0]  # 4
RATINGS = {"goals_misfit": (3, ""), "ambivalence": (1, "")}


def _plan_with_result(personas, make_client, code: str, result: str, later: int = 0) -> None:
    record = make_client(code, [FLAT] * 6)
    review = services.open_review(user=personas.therapist, client=record, ratings=RATINGS)
    plan = services.make_plan(
        user=personas.therapist,
        review=review,
        chosen=[services.ChosenStrategy("revisit_goals", "why")],
        review_on=dt.date(2026, 3, 1),
    )
    for i in range(max(later, 1)):  # a result follows at least one session with the plan
        records.record_session(
            user=personas.therapist,
            client=record,
            data=records.SessionInput(
                date=dt.date(2026, 2, 9) + dt.timedelta(days=7 * i),
                attendance="attended",
                answers={"phq9": MILD},
            ),
        )
    services.record_strategy_result(
        user=personas.therapist, strategy=plan.strategies.get(), result=result
    )


def _review_page(client: HttpClient, personas, make_client) -> str:
    record = make_client("SYN-NEW", [FLAT] * 6)
    review = services.open_review(user=personas.therapist, client=record, ratings=RATINGS)
    client.force_login(personas.therapist)
    return client.get(reverse("review", args=[review.pk])).content.decode()


def _order(page: str) -> list[str]:
    return re.findall(r'<li id="strategy-([a-z_]+)"', page)


def test_five_recorded_tries_show_beside_the_suggestion_without_reordering(
    client: HttpClient, personas, make_client
) -> None:
    for i, result in enumerate(["helped", "helped", "helped", "partly", "did_not_help"]):
        _plan_with_result(personas, make_client, f"SYN-{i}", result)
    page = _review_page(client, personas, make_client)
    hint = "tried 5 times for this reason: helped in 3, partly in 1, did not help in 1."
    assert hint in page
    assert page.index(hint) > page.index('id="strategy-revisit_goals"')
    assert escape(CAVEAT) in page
    plain = knowledge.rank({"goals_misfit": 3, "ambivalence": 1}, ["plateau"], {})
    assert _order(page) == [s.id for s in plain]


def test_fewer_than_five_show_no_figure(client: HttpClient, personas, make_client) -> None:
    for i, result in enumerate(["helped", "helped", "helped", "partly"]):
        _plan_with_result(personas, make_client, f"SYN-{i}", result)
    page = _review_page(client, personas, make_client)
    assert "In this clinic" not in page
    assert escape(CAVEAT) not in page


def test_back_on_track_is_known_only_once_the_follow_up_session_is_reached(
    personas, make_client
) -> None:
    _plan_with_result(personas, make_client, "SYN-A", "helped", later=3)  # sessions 6-8
    _plan_with_result(personas, make_client, "SYN-B", "helped", later=4)  # sessions 6-9
    by_code = {t.client: t for t in clinic_trials(personas.clinic)}
    assert by_code["SYN-A"].back_on_track is None  # session 9 not reached
    assert by_code["SYN-B"].back_on_track is not None
    assert by_code["SYN-B"].result == "helped"
    assert dict(by_code["SYN-B"].ratings) == {"goals_misfit": 3, "ambivalence": 1}


def test_a_second_review_is_not_a_first_review(client: HttpClient, personas, make_client) -> None:
    record = make_client("SYN-M", [FLAT] * 6)
    ratings = {"mismatch": (2, "")}
    first = services.open_review(user=personas.therapist, client=record, ratings=ratings)
    client.force_login(personas.therapist)
    page = client.get(reverse("review", args=[first.pk])).content.decode()
    order = _order(page)  # a first review: the earlier steps for the mismatch come first
    assert order.index("referral") > max(order.index(s) for s in ("open_dialogue", "allow_time"))
    plan = services.make_plan(
        user=personas.therapist,
        review=first,
        chosen=[services.ChosenStrategy("open_dialogue", "why")],
        review_on=dt.date(2026, 3, 1),
    )
    hold_session(record)
    services.record_strategy_result(
        user=personas.therapist, strategy=plan.strategies.get(), result="did_not_help"
    )
    second = services.open_review(user=personas.therapist, client=record, ratings=ratings)
    assert Review.objects.count() == 2
    page = client.get(reverse("review", args=[second.pk])).content.decode()
    assert _order(page).index("referral") == 1  # something failed: it rises, never first


def test_the_team_page_shows_what_helps_whom_with_follow_up(
    client: HttpClient, personas, make_client
) -> None:
    for i, result in enumerate(["helped", "helped", "partly", "helped", "did_not_help"]):
        _plan_with_result(personas, make_client, f"SYN-{i}", result, later=4)
    client.force_login(personas.supervisor)
    page = client.get(reverse("team")).content.decode()
    assert 'id="what-helps"' in page
    row = page[page.index('<th scope="row">Revisit the goals together</th><td>Goals that no') :]
    row = row[: row.index("</tr>")]
    assert "3 of 5 (60%; 95% interval 23% to 88%); partly 1, did not help 1" in row
    assert re.search(r"\d of 5 \(\d+%; 95% interval", row.split("</td>")[-2])
    assert escape(CAVEAT) in page


def test_the_team_page_says_when_nothing_has_five_results(
    client: HttpClient, personas, make_client
) -> None:
    _plan_with_result(personas, make_client, "SYN-1", "helped")
    client.force_login(personas.supervisor)
    page = client.get(reverse("team")).content.decode()
    assert 'id="what-helps-empty"' in page


def test_the_clinics_trials_are_read_in_the_same_few_queries_for_any_number_of_plans(
    personas, make_client, django_assert_max_num_queries
) -> None:
    """One read per planned client (its episode, sessions and answers) made the team page's
    queries grow with the clinic's plans: 470 for 150 plans. Read together, each trial's
    back-on-track is still the one the client's own selectors give (the episode begun last,
    voided sessions out)."""
    from unstuck.progress.summary import summarise_client
    from unstuck.web.records import corrections
    from unstuck.web.records import selectors as record_selectors
    from unstuck.web.records.instruments import (
        MAIN_INSTRUMENT,
        course_models,
        instruments,
        thresholds,
    )
    from unstuck.web.records.models import Client
    from unstuck.web.reviews.models import Plan
    from unstuck.web.reviews.outcomes import default_outcome_rules, up_to_follow_up

    for i, later in enumerate([3, 4, 5, 4]):
        _plan_with_result(personas, make_client, f"SYN-{i}", "helped", later=later)
    voided = Client.objects.get(code="SYN-3")  # its follow-up (session 10) voided
    corrections.void_session(
        user=personas.therapist, client=voided, number=10, reason="entered for the wrong client"
    )
    with django_assert_max_num_queries(8):
        trials = clinic_trials(personas.clinic)
    follow_up = default_outcome_rules().follow_up_sessions
    one_by_one = []
    for plan in Plan.objects.select_related("client").order_by("id"):
        episode = record_selectors.current_episode(plan.client)
        sessions = record_selectors.episode_sessions(episode) if episode else []
        upto = up_to_follow_up(sessions, plan.start_session, follow_up)
        one_by_one.append(
            None
            if upto is None
            else summarise_client(
                plan.client.code,
                record_selectors.observations(upto, MAIN_INSTRUMENT),
                instruments(),
                models=course_models(),
                thresholds=thresholds(),
            ).status
            == "on_track"
        )
    assert [t.back_on_track for t in trials] == one_by_one
    by_code = {t.client: t.back_on_track for t in trials}
    assert by_code["SYN-0"] is None
    assert by_code["SYN-3"] is None
    assert by_code["SYN-1"] is not None
    assert by_code["SYN-2"] is not None
