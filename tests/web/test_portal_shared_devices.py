"""A device the client answers on may be shared: the therapist's own computer, or the clinic
tablet that the next person in the waiting room picks up.

Found by the reviewer: a private link opened where a therapist was signed in left them signed
in, so after answering, the client's next click on the address bar's "/" showed the caseload.
On the tablet, the safety page offered only "Go on", so the next person in the waiting room
could go on and have their answers stored as the previous client's; its words ("your therapist
will see yours when they are next at work") did not suit a client sitting in the clinic; and
Back showed the answers a client had already sent to whoever tapped it.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from portal_helpers import GAD7_MILD, PHQ9_SAFETY, answer_page, make_request

from personas import PHQ9_MILD
from unstuck.web import security
from unstuck.web.accounts.models import User
from unstuck.web.portal import services
from unstuck.web.portal.models import KIOSK_SAFETY_LEAD
from unstuck.web.records.models import MeasureResponse


@pytest.fixture
def record(make_client):
    return make_client("C-SHARE", [PHQ9_MILD])


def just_signed_in(browser: HttpClient) -> None:
    pass


def idle(browser: HttpClient) -> None:
    session = browser.session
    session[security.LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()


def new_password_due(browser: HttpClient) -> None:
    User.objects.filter(pk=browser.session["_auth_user_id"]).update(must_change_password=True)


@pytest.mark.parametrize("left", [just_signed_in, idle, new_password_due], ids=lambda f: f.__name__)
def test_a_private_link_signs_staff_out_before_the_client_sees_anything(
    client: HttpClient, personas, record, left
) -> None:
    client.force_login(personas.therapist)
    assert client.get(reverse("caseload")).status_code == 200
    left(client)  # however the staff sign-in was left, the client's link opens
    _, secret = make_request(personas.therapist, record, ["phq9"])
    opened = client.get(reverse("portal_link", args=[secret]))
    assert opened["Location"] == reverse("portal_start")
    assert "_auth_user_id" not in client.session
    assert "Test clinic" in client.get(opened["Location"]).text
    assert answer_page(client, 1, PHQ9_MILD)["Location"] == reverse("portal_done")
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("login"))


def on_the_tablet(tablet: HttpClient, request) -> None:
    code = services.new_kiosk_code(user=request.created_by, request=request, now=timezone.now())
    tablet.get(reverse("portal_kiosk"))
    assert tablet.post(reverse("portal_kiosk"), {"code": code})["Location"] == reverse(
        "portal_start"
    )


def test_the_tablets_safety_page_hands_the_tablet_back_and_says_to_tell_someone_now(
    client: HttpClient, personas, record
) -> None:
    request, _ = make_request(personas.therapist, record, ["phq9", "gad7"])
    on_the_tablet(client, request)
    sent = answer_page(client, 1, PHQ9_SAFETY)
    page = client.get(sent["Location"]).text
    assert KIOSK_SAFETY_LEAD in page  # from safety_message.toml, before the crisis lines
    assert "tell the receptionist or your therapist now" in page
    assert "when they are next at work" not in page
    assert page.index(KIOSK_SAFETY_LEAD) < page.index("Samaritans")
    assert f'href="{reverse("portal_step", args=[2])}">Go on</a>' in page  # the client may
    finish = f'href="{reverse("portal_kiosk")}">Finish and hand the tablet back</a>'
    assert finish in page
    assert "Please type the code" in client.get(reverse("portal_kiosk")).text  # Finish, tapped
    # The next person in the waiting room reaches nothing of the client's.
    assert client.get(reverse("portal_step", args=[2])).status_code == 404
    assert client.post(reverse("portal_step", args=[2]), {"item_1": "0"}).status_code == 404
    answered = MeasureResponse.objects.filter(session__episode__client=record, session__number=2)
    assert list(answered.values_list("instrument", flat=True)) == ["phq9"]


def test_the_tablet_never_shows_answers_sent_again(client: HttpClient, personas, record) -> None:
    request, _ = make_request(personas.therapist, record, ["phq9", "gad7"])
    on_the_tablet(client, request)
    assert answer_page(client, 1, PHQ9_MILD)["Location"] == reverse("portal_step", args=[2])
    back = client.get(reverse("portal_step", args=[1])).text
    assert "checked" not in back
    # A page sent with a question left comes back at once with what was chosen on it.
    assert answer_page(client, 2, GAD7_MILD[:6]).status_code == 303
    assert client.get(reverse("portal_step", args=[2])).text.count("checked") == 6
    assert "checked" not in client.get(reverse("portal_step", args=[2])).text  # later: not
