"""A supervisor reads a supervisee's client with an open safety alert: the alert in full and
first on every page, never a link to the safety check page their role cannot open, and who is
asked to record the check; a review of the therapist's reads in the third person to them."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD
from unstuck.web.records import services
from unstuck.web.reviews.models import Review

RISK_1 = [1, 1, 1, 1, 1, 1, 0, 0, 1]  # item 9 answered 1
FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, moderate
ASKED = (
    "Alex (their therapist) is asked to check in with them about safety and record the safety "
    "check; you can talk it over with the therapist."
)


def alert_box(page: str) -> str:
    start = page.index('id="open-safety-alert"')
    return page[start : page.index("</section>", start)]


def opens(client: HttpClient, url: str) -> bool:
    return client.get(url).status_code == 200


def next_session(personas, record, *, phq9: list[int], markers: tuple[str, ...] = ()) -> None:
    latest = record.episodes.get().sessions.order_by("-number").first()
    services.record_session(
        user=personas.therapist,
        client=record,
        data=services.SessionInput(
            date=latest.date + dt.timedelta(days=7),
            attendance="attended",
            answers={"phq9": phq9},
            markers=markers,
        ),
    )


@pytest.fixture
def risky(personas, make_client):
    """A client of Alex's (supervised by Jordan) with an impasse review, then an open alert."""
    from unstuck.web.reviews import services as reviews

    record = make_client("C-970", [PHQ9_MILD, PHQ9_MILD])
    reviews.open_review(user=personas.therapist, client=record, ratings={})
    next_session(personas, record, phq9=RISK_1)
    return record


@pytest.mark.parametrize("page", ["goals", "review"])
def test_the_record_link_is_offered_only_to_who_can_open_it(
    client: HttpClient, personas, risky, page: str
) -> None:
    """Jordan was shown "Record the safety check", leading to a 403."""
    url = (
        reverse("goals", args=[risky.pk])
        if page == "goals"
        else reverse("review", args=[Review.objects.get().pk])
    )
    check_url = reverse("safety_check", args=[risky.pk])
    for person in (personas.therapist, personas.supervisor):
        client.force_login(person)
        body = client.get(url).content.decode()
        box = alert_box(body)
        assert "item 9 (a risk question) was answered 1 (Several days) at session 3" in box
        assert body.index('id="open-safety-alert"') < body.index("<h2", body.index("<main"))
        offered = check_url in box
        assert offered == opens(client, check_url), person
    client.force_login(personas.supervisor)
    box = alert_box(client.get(url).content.decode())
    assert ASKED in box
    assert "Record the safety check" not in box
    client.force_login(personas.therapist)
    assert ASKED not in alert_box(client.get(url).content.decode())


def test_at_a_glance_a_supervisor_reads_who_is_to_check_in(
    client: HttpClient, personas, risky
) -> None:
    """Jordan's client page said 'please check in about safety', as if it were theirs to do."""

    def glance(person) -> str:
        client.force_login(person)
        page = client.get(reverse("client", args=[risky.pk])).content.decode()
        start = page.index('id="glance"')
        return page[start : page.index("</section>", start)]

    own = glance(personas.therapist)
    assert "A risk question was answered above 0: please check in about safety." in own
    other = glance(personas.supervisor)
    assert "please check in" not in other
    assert (
        "A risk question was answered above 0: Alex (their therapist) is asked to check in "
        "about safety." in other
    )


def test_an_ending_summary_shows_a_supervisor_the_alert_without_the_link(
    client: HttpClient, personas, risky
) -> None:
    from unstuck.web.reviews import services as reviews

    letter = reviews.close_with_letter(
        user=personas.therapist,
        client=risky,
        kind="termination",
        ended_on=dt.date(2026, 2, 1),
        safety_considered=True,
    )
    url = reverse("letter", args=[risky.pk, letter.pk])
    check_url = reverse("safety_check", args=[risky.pk])
    for person, words in ((personas.therapist, "for you"), (personas.supervisor, ASKED)):
        client.force_login(person)
        page = client.get(url).content.decode()
        start = page.index('id="open-safety"')
        note = page[start : page.index("</div>", start)]
        assert "was answered 1 (Several days) at session 3" in note
        assert words in note
        assert (check_url in note) == opens(client, check_url), person


def test_a_review_reads_in_the_third_person_to_anyone_but_its_author(
    client: HttpClient, personas, make_client
) -> None:
    """Jordan read 'Your notes', 'Reasons you saw' and 'You noted ...' on Alex's review."""
    record = make_client("C-971", [FLAT] * 5)
    next_session(personas, record, phq9=FLAT, markers=("avoided_topics",))
    client.force_login(personas.therapist)
    form = client.get(reverse("review_new", args=[record.pk])).content.decode()
    evidence = {
        name: html.unescape(text).strip()
        for name, text in re.findall(
            r'<textarea name="(evidence__\w+)"[^>]*>(.*?)</textarea>', form, re.S
        )
    }
    noted = [name for name, text in evidence.items() if text.startswith("You noted “")]
    assert noted, evidence
    data = {f"rating__{n.removeprefix('evidence__')}": "0" for n in evidence}
    data |= {f"rating__{n.removeprefix('evidence__')}": "2" for n in noted}
    data |= {n: evidence[n] for n in noted} | {"notes": "Goals feel far off."}
    client.post(reverse("review_new", args=[record.pk]), data)
    url = reverse("review", args=[Review.objects.get().pk])

    own = client.get(url).content.decode()
    assert "<h2>Your notes</h2>" in own
    assert "<h2>Reasons you saw</h2>" in own
    assert "You noted “" in own

    client.force_login(personas.supervisor)
    other = client.get(url).content.decode()
    assert "<h2>Alex&#x27;s notes</h2>" in other
    assert "<h2>Reasons Alex saw</h2>" in other
    assert "Alex noted “" in other
    for second_person in ("Your notes", "Reasons you saw", "You noted"):
        assert second_person not in other


def test_a_supervisor_reads_who_decides_and_records_the_plan(
    client: HttpClient, personas, make_client
) -> None:
    """Jordan read 'These are options ...; you decide' and 'record how each goes from the
    client page' on Alex's review: the therapist decides and records, Jordan only reads."""
    from unstuck.web.reviews import services as reviews

    record = make_client("C-972", [FLAT] * 6)
    review = reviews.open_review(
        user=personas.therapist, client=record, ratings={"goals_misfit": (3, "")}
    )
    reviews.make_plan(
        user=personas.therapist,
        review=review,
        chosen=[reviews.ChosenStrategy("revisit_goals")],
        review_on=dt.date(2026, 4, 1),
    )
    url = reverse("review", args=[review.pk])
    client.force_login(personas.supervisor)
    other = " ".join(re.sub(r"<[^>]+>", "", client.get(url).content.decode()).split())
    assert "not instructions; Alex decides." in other
    assert "Alex records how each goes on the client page" in other
    assert "you decide" not in other
    client.force_login(personas.therapist)
    own = " ".join(re.sub(r"<[^>]+>", "", client.get(url).content.decode()).split())
    assert "not instructions; you decide." in own
    assert "record how each goes from the client page" in own


def test_the_client_page_safety_box_says_who_decides(client: HttpClient, personas, risky) -> None:
    """Jordan's client page said 'Unstuck informs; you decide.' beside an alert that is
    Alex's to check."""

    def box(person) -> str:
        client.force_login(person)
        page = client.get(reverse("client", args=[risky.pk])).content.decode()
        start = page.index('id="safety-alert"')
        return page[start : page.index("</section>", start)]

    assert "Unstuck informs; you decide." in box(personas.therapist)
    other = box(personas.supervisor)
    assert "you decide" not in other
    assert "Unstuck informs; Alex decides." in other
