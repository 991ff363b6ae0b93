"""The client's "what gets in the way" answers reach the impasse review as their evidence."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse
from portal_helpers import answer_page, make_request

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.portal.models import ClientReport
from unstuck.web.records.models import MeasureResponse


def test_the_clients_check_prefills_the_review(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-700", [PHQ9_MILD, PHQ9_SEVERE])
    _, secret = make_request(personas.therapist, record, ["barriers"])
    phone = HttpClient()
    phone.get(reverse("portal_link", args=[secret]))
    page = phone.get(reverse("portal_step", args=[1])).content.decode()
    assert "What gets in the way" in page
    assert "your therapist will talk them over with you" in page
    assert answer_page(phone, 1, [0, 0, 0, 0, 0, 3])["Location"] == reverse("portal_done")
    report = ClientReport.objects.get(client=record)
    assert report.answers == [0, 0, 0, 0, 0, 3]
    assert not MeasureResponse.objects.filter(instrument="barriers").exists()  # not a score
    assert record.episodes.get().sessions.count() == 2  # and no session made for it

    client.force_login(personas.therapist)
    form = client.get(reverse("review_new", args=[record.pk])).context["form"]
    assert form["rating__mandated"].initial == 3
    assert "I come mostly because someone else wants me to." in form["evidence__mandated"].initial
    assert "client-reported" in form["evidence__mandated"].initial
    assert form["rating__vulnerability"].initial == 0


def test_the_review_is_unchanged_without_a_check(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-701", [PHQ9_MILD, PHQ9_SEVERE])
    client.force_login(personas.therapist)
    form = client.get(reverse("review_new", args=[record.pk])).context["form"]
    assert "client-reported" not in form["evidence__mandated"].initial
