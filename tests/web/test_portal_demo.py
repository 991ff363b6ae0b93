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
    # feedback about a session the client came to, not one they missed
    from unstuck.web.portal.models import QuestionnaireRequest
    from unstuck.web.records.models import Session

    asked = QuestionnaireRequest.objects.get(instruments=["session_feedback"])
    held = Session.objects.get(episode__client=asked.client, number=asked.session_number).attendance
    assert held in ("attended", "late")
