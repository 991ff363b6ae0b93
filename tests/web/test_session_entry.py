"""Entering a session through the form: saved and re-scored, or refused with nothing saved."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.records.models import MeasureResponse, Session


def form_data(phq9: list[int | None] | None, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "date": "2026-03-02",
        "attendance": "attended",
        "completed_by": "client",
        "note": "",
    }
    for i, answer in enumerate(phq9 or [], start=1):
        if answer is not None:
            data[f"phq9__item_{i}"] = answer
    data.update(extra)
    return data


@pytest.fixture
def record(make_client):
    return make_client("C-200", [PHQ9_MILD])


def post(client: HttpClient, record, data):
    return client.post(reverse("session_new", args=[record.pk]), data)


def test_it_saves_scores_and_recomputes_the_status(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    response = post(
        client, record, form_data([3, 3, 3, 3, 3, 3, 2, 2, 0], markers=["avoided_topics"])
    )
    assert response.status_code == 302
    session = Session.objects.get(episode__client=record, number=2)
    assert session.markers == ["avoided_topics"]
    phq = session.responses.get(instrument="phq9")
    assert phq.total == 22
    assert phq.severity == "severe"
    record.refresh_from_db()
    assert record.status == "off_track"
    assert "deterioration" in record.flags  # 6 -> 22 is a reliable deterioration (>= 6 points)
    assert record.sessions_count == 2
    follow = client.get(response["Location"])
    assert "Status now: Off track (getting worse" in follow.content.decode()  # words, no codes


def test_a_safety_answer_puts_the_client_first(client: HttpClient, personas, make_client) -> None:
    make_client("A-FIRST", [PHQ9_MILD, PHQ9_MILD, [2, 2, 2, 2, 2, 2, 2, 2, 0]])
    record = make_client("Z-LAST", [PHQ9_MILD])
    client.force_login(personas.therapist)
    post(client, record, form_data([0, 0, 0, 0, 0, 0, 0, 0, 1]))
    record.refresh_from_db()
    assert record.flags[0] == "safety"
    assert record.status_rank == 0
    body = client.get(reverse("caseload")).content.decode()
    assert body.index("Z-LAST") < body.index("A-FIRST")
    assert 'id="safety-summary"' in body


def test_a_blank_safety_item_is_refused_and_nothing_is_saved(
    client: HttpClient, personas, record
) -> None:
    client.force_login(personas.therapist)
    before = (
        Session.objects.count(),
        MeasureResponse.objects.count(),
        AuditEntry.objects.filter(action="record_session").count(),
    )
    response = post(client, record, form_data([1, 1, 1, 1, 1, 1, 1, 1, None]))
    assert response.status_code == 200
    assert (
        "Item 9 is the safety question; record the answer (0 if the client said 'not at all'), "
        "or use 'Clear the PHQ-9 answers' if the questionnaire was not given."
    ) in html.unescape(response.content.decode())
    assert "Nothing was saved" in response.content.decode()
    after = (
        Session.objects.count(),
        MeasureResponse.objects.count(),
        AuditEntry.objects.filter(action="record_session").count(),
    )
    assert after == before


def test_too_many_blank_items_are_refused_naming_each(client: HttpClient, personas, record):
    """The summary names the blank items and each is marked where it is (only item 9, the
    safety question, was marked before), with its radio buttons described by the mark."""
    client.force_login(personas.therapist)
    response = post(client, record, form_data([1, 1, None, None, None, 1, 1, 1, 0]))
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert (
        "PHQ-9: 3 of 9 items are unanswered (items 3, 4 and 5), more than the 2 the scoring "
        "rule allows; answer them, or use 'Clear the PHQ-9 answers' if the questionnaire was "
        "not given."
    ) in body
    marked = re.findall(r'<ul class="errorlist" id="id_(\w+)_error"><li>Not answered.</li>', body)
    assert marked == ["phq9__item_3", "phq9__item_4", "phq9__item_5"]
    for item in (3, 4, 5):
        assert f'aria-describedby="id_phq9__item_{item}_error"' in body
    summary = body[body.index('role="alert"') : body.index("</ul></div>")]
    assert "Not answered" not in summary  # one line in the summary, not one per item
    assert Session.objects.filter(episode__client=record).count() == 1


def test_two_blank_items_are_prorated(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    post(client, record, form_data([2, 2, None, None, 2, 2, 2, 2, 0]))
    phq = MeasureResponse.objects.get(session__episode__client=record, session__number=2)
    assert phq.total == 15  # 7 answered items sum to 12: 12 * 9 / 7 = 15.4, rounded half up
    assert phq.incomplete


def test_answers_on_a_missed_session_are_refused(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    response = post(client, record, form_data(PHQ9_MILD, attendance="no_show", gad7__item_2=1))
    assert (
        "A missed session has no questionnaire answers; change the attendance, or use "
        "'Clear the PHQ-9 answers' and 'Clear the GAD-7 answers'."
    ) in html.unescape(response.content.decode())
    assert Session.objects.filter(episode__client=record).count() == 1


def test_an_answer_out_of_range_names_the_item(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    response = post(client, record, form_data([1, 1, 1, 1, 7, 1, 1, 1, 0]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice. 7 is not one of the available choices." in body
    assert Session.objects.filter(episode__client=record).count() == 1


def test_a_future_date_is_refused(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = post(client, record, form_data(PHQ9_MILD, date=future))
    assert "The session date is in the future." in response.content.decode()


def test_a_missed_session_counts_for_attendance(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    post(client, record, form_data(None, attendance="no_show"))
    post(client, record, form_data(None, attendance="cancelled"))
    record.refresh_from_db()
    assert record.sessions_count == 3
    assert "withdrawal_risk" in record.flags  # 2 of the last 4 sessions missed


def test_markers_over_recent_sessions_raise_withdrawal_risk(client: HttpClient, personas, record):
    client.force_login(personas.therapist)
    post(client, record, form_data(PHQ9_MILD, markers=["avoided_topics", "minimised_need"]))
    record.refresh_from_db()
    assert "withdrawal_risk" not in record.flags  # 2 markers: below the rule of 3
    post(client, record, form_data(PHQ9_MILD, markers=["tasks_not_done"]))
    record.refresh_from_db()
    assert "withdrawal_risk" in record.flags
    assert any("you noted 3 signs of pulling back" in e for e in record.explanations)
