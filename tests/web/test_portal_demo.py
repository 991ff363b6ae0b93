"""`unstuck demo` prints a ready client link and kiosk code that work."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from unstuck.web.demo import load_demo
from unstuck.web.portal.demo import demo_portal


@pytest.mark.django_db
def test_the_demo_link_and_kiosk_code_open_questionnaires() -> None:
    load_demo(clients=12, seed=5)  # its client missed its last session
    portal = demo_portal(therapist_username="alex", origin="http://testserver")
    assert portal.client_code.startswith("SYN-")
    phone = HttpClient()
    assert phone.get(portal.link.removeprefix("http://testserver"))["Location"] == reverse(
        "portal_start"
    )
    assert "Part 1 of 2" in phone.get(reverse("portal_step", args=[1])).content.decode()
    tablet = HttpClient()
    tablet.get(reverse("portal_kiosk"))
    response = tablet.post(reverse("portal_kiosk"), {"code": portal.kiosk_code})
    assert response["Location"] == reverse("portal_start")
    page = tablet.get(reverse("portal_step", args=[1])).content.decode()
    assert "Session feedback" in page
    # Both are about the client's next session: PHQ-9 and GAD-7 before it, feedback after it.
    # Feedback on a session already recorded (with its feedback) went to a session of its own
    # that never was; now the answers of both go to the one session.
    from portal_helpers import answer_page

    from unstuck.web.portal.models import QuestionnaireRequest
    from unstuck.web.records.models import Session

    asked = QuestionnaireRequest.objects.get(instruments=["session_feedback"])
    before = Session.objects.filter(episode__client=asked.client).count()
    assert asked.session_number == before + 1
    answer_page(tablet, 1, [8, 8, 8, 8])
    answer_page(phone, 1, [1] * 9)
    answer_page(phone, 2, [1] * 7)
    made = Session.objects.filter(episode__client=asked.client).order_by("number")
    assert made.count() == before + 1
    upcoming = made.last()
    assert upcoming is not None
    assert upcoming.number == before + 1
    assert upcoming.started_by_client
    assert sorted(r.instrument for r in upcoming.responses.all()) == [
        "gad7",
        "phq9",
        "session_feedback",
    ]
