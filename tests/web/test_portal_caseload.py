"""The caseload notes each client's questionnaire requests: waiting, scheduled, expired."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from portal_helpers import GAD7_MILD, answer_page, make_request

from personas import PHQ9_MILD
from unstuck.web.portal import services
from unstuck.web.portal.models import QuestionnaireRequest
from unstuck.web.records import services as records


@pytest.fixture
def record(make_client):
    return make_client("C-WAIT", [PHQ9_MILD])


def row(client: HttpClient, code: str) -> str:
    page = client.get(reverse("caseload")).content.decode()
    found = re.search(rf'<tr[^>]*data-client="{code}">(.*?)</tr>', page, re.S)
    assert found, page
    return found.group(1)


def test_a_waiting_request_shows_how_many_are_answered(
    client: HttpClient, personas, record
) -> None:
    request, _ = make_request(personas.therapist, record)
    client.force_login(personas.therapist)
    assert "Questionnaires: 0 of 2 answered" in row(client, "C-WAIT")
    now = timezone.now()
    services.save_draft(request, "phq9", PHQ9_MILD)
    services.record_now(request, "phq9", now)
    assert "Questionnaires: 1 of 2 answered" in row(client, "C-WAIT")
    services.save_draft(request, "gad7", GAD7_MILD)
    services.submit(request, now)
    assert "Questionnaires" not in row(client, "C-WAIT")


def test_a_client_without_requests_has_no_note(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    assert "Questionnaires" not in row(client, "C-WAIT")


def test_a_scheduled_request_says_so(client: HttpClient, personas, record, settings) -> None:
    settings.EMAIL_CONFIGURED = True
    record.contact = "wait@example.test"
    record.save()
    make_request(personas.therapist, record, send_at=timezone.now() + dt.timedelta(days=2))
    client.force_login(personas.therapist)
    assert "Questionnaires to be sent" in row(client, "C-WAIT")


def test_an_expired_request_shows_until_its_session_is_recorded(
    client: HttpClient, personas, record
) -> None:
    make_request(personas.therapist, record, now=timezone.now() - dt.timedelta(days=30))
    client.force_login(personas.therapist)
    assert "Questionnaires: 0 of 2 answered; the link has expired" in row(client, "C-WAIT")
    records.record_session(
        user=personas.therapist,
        client=record,
        data=records.SessionInput(date=timezone.localdate(), attendance="attended"),
    )
    assert "Questionnaires" not in row(client, "C-WAIT")


def test_a_request_answered_before_the_waiting_one_was_made_does_not_count(
    client: HttpClient, personas, record
) -> None:
    old, _ = make_request(personas.therapist, record, ["phq9"])
    services.save_draft(old, "phq9", PHQ9_MILD)
    services.submit(old, timezone.now())
    make_request(personas.therapist, record, ["phq9", "gad7", "session_feedback"])
    client.force_login(personas.therapist)
    assert "Questionnaires: 0 of 3 answered" in row(client, "C-WAIT")


def test_every_waiting_request_counts_in_the_caseload_note(
    client: HttpClient, personas, record
) -> None:
    """Two requests waiting (PHQ-9 + GAD-7, then session feedback): the caseload said '0 of 1
    answered' (the latest only) while the client page listed both. Then, counting only the
    requests still waiting, it went from '0 of 3' to '0 of 1' once the client had answered
    two of the three through their link."""
    first, secret = make_request(personas.therapist, record)
    second, _ = make_request(personas.therapist, record, ["session_feedback"], session_number=1)
    client.force_login(personas.therapist)
    assert "Questionnaires: 0 of 3 answered" in row(client, "C-WAIT")
    browser = HttpClient()
    browser.get(reverse("portal_link", args=[secret]))
    answer_page(browser, 1, PHQ9_MILD)
    answer_page(browser, 2, GAD7_MILD)
    assert QuestionnaireRequest.objects.get(pk=first.pk).completed_at is not None
    assert "Questionnaires: 2 of 3 answered" in row(client, "C-WAIT")
    services.save_draft(second, "session_feedback", [9, 9, 9, 9])
    services.submit(second, timezone.now())
    assert "Questionnaires" not in row(client, "C-WAIT")
