"""Optional per clinic: after sending, the client sees their own totals in plain, calm words."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from portal_helpers import GAD7_MILD, PHQ9_SAFETY, answer_page, make_request

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.portal.models import PortalSettings

ALARMING = ("severe", "risk", "danger", "worse", "deteriorat", "alert", "suicid", "crisis")


@pytest.fixture
def record(make_client):
    return make_client("C-OWN", [PHQ9_SEVERE, PHQ9_SEVERE])


def finish(browser: HttpClient, personas, record, phq9: list[int]) -> str:
    _, secret = make_request(personas.therapist, record)
    assert browser.get(reverse("portal_link", args=[secret])).status_code == 302
    answer_page(browser, 1, phq9)
    answer_page(browser, 2, GAD7_MILD)
    return browser.get(reverse("portal_done")).content.decode()


def test_off_by_default(client: HttpClient, personas, record) -> None:
    page = finish(client, personas, record, PHQ9_MILD)
    assert "Your answers over time" not in page


def test_the_clinic_can_show_the_clients_own_totals_calmly(
    client: HttpClient, personas, record
) -> None:
    PortalSettings.objects.create(clinic=personas.clinic, show_own_scores=True)
    page = finish(client, personas, record, PHQ9_MILD)
    assert "Your answers over time" in page
    assert "PHQ-9</strong>: 20, 20, 6." in page
    assert "Lower numbers mean fewer difficulties." in page
    assert "GAD-7</strong>: 5." in page
    lowered = page.lower()
    for word in ALARMING:
        assert word not in lowered, word
    assert "item" not in lowered  # totals only, never single answers


def test_nothing_is_shown_after_a_safety_answer(client: HttpClient, personas, record) -> None:
    PortalSettings.objects.create(clinic=personas.clinic, show_own_scores=True)
    _, secret = make_request(personas.therapist, record)
    client.get(reverse("portal_link", args=[secret]))
    answer_page(client, 1, PHQ9_SAFETY)
    answer_page(client, 2, GAD7_MILD)
    page = client.get(reverse("portal_done")).content.decode()
    assert "Your answers over time" not in page


def test_a_second_visit_to_the_thank_you_page_shows_nothing(
    client: HttpClient, personas, record
) -> None:
    PortalSettings.objects.create(clinic=personas.clinic, show_own_scores=True)
    finish(client, personas, record, PHQ9_MILD)
    again = client.get(reverse("portal_done")).content.decode()
    assert "Your answers over time" not in again
