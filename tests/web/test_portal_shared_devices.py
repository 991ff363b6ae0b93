"""A device the client answers on may be shared: the therapist's own computer, or the clinic
tablet that the next person in the waiting room picks up.

Found by the reviewer: a private link opened where a therapist was signed in left them signed
in, so after answering, the client's next click on the address bar's "/" showed the caseload.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from portal_helpers import answer_page, make_request

from personas import PHQ9_MILD
from unstuck.web import security
from unstuck.web.accounts.models import User


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
