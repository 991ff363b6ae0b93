"""Questionnaire links: only the right token opens only its own request, for a while, once."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from portal_helpers import GAD7_MILD, answer_page, make_request

from personas import PHQ9_MILD
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.portal import tokens
from unstuck.web.portal.models import AccessToken, QuestionnaireRequest


@pytest.fixture
def record(make_client):
    return make_client("C-300", [PHQ9_MILD])


def test_it_stores_only_the_hash_of_a_long_random_token(personas, record) -> None:
    request, secret = make_request(personas.therapist, record)
    assert len(secret) >= 22  # 22 bytes of randomness = 176 bits
    row = AccessToken.objects.get(request=request)
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in row.digest
    assert tokens.same_digest(row.digest, secret)
    assert not tokens.same_digest(row.digest, secret[:-1] + ("A" if secret[-1] != "A" else "B"))


def test_it_opens_the_start_page_with_the_clinic_name_and_nothing_clinical(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record)
    response = client.get(reverse("portal_link", args=[secret]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Test clinic" in page
    for private in ("C-300", "PHQ-9", "GAD-7", "depress", "anxi"):
        assert private not in page
    assert response.redirect_chain[-1][0] == reverse("portal_start")
    assert response["Cache-Control"].startswith("max-age=0")
    assert response["Referrer-Policy"] == "same-origin"


def test_it_writes_audit_rows_for_create_open_and_submit(
    client: HttpClient, personas, record
) -> None:
    request, secret = make_request(personas.therapist, record)
    client.get(reverse("portal_link", args=[secret]))
    answer_page(client, 1, PHQ9_MILD)
    answer_page(client, 2, GAD7_MILD)
    actions = list(
        AuditEntry.objects.filter(client_code="C-300", action__startswith="portal_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "portal_request_created",
        "portal_link_created",  # the first link too, as every later one
        "portal_request_opened",
        "portal_page_sent",  # PHQ-9, stored as it was sent
        "portal_request_submitted",
    ]
    request.refresh_from_db()
    assert request.opened_at is not None
    assert request.completed_at is not None


def test_it_refuses_a_forged_token(client: HttpClient, personas, record) -> None:
    make_request(personas.therapist, record)
    response = client.get(reverse("portal_link", args=[tokens.new_link_token()]))
    assert response.status_code == 404
    assert "does not open a questionnaire" in response.content.decode()
    assert client.get(reverse("portal_start")).status_code == 404


def test_it_refuses_an_expired_token(client: HttpClient, personas, record) -> None:
    long_ago = timezone.now() - dt.timedelta(days=5)
    request, secret = make_request(personas.therapist, record, now=long_ago)
    assert request.expires_at == long_ago + dt.timedelta(days=4)  # default expiry
    response = client.get(reverse("portal_link", args=[secret]))
    assert response.status_code == 410
    assert "has closed" in response.content.decode()


def test_it_expires_an_open_page_too(client: HttpClient, personas, record) -> None:
    request, secret = make_request(personas.therapist, record)
    client.get(reverse("portal_link", args=[secret]))
    QuestionnaireRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now())
    assert answer_page(client, 1, PHQ9_MILD).status_code == 410
    assert not record.episodes.get().sessions.filter(number=2).exists()


def test_it_refuses_a_used_token(client: HttpClient, personas, record) -> None:
    _, secret = make_request(personas.therapist, record)
    client.get(reverse("portal_link", args=[secret]))
    answer_page(client, 1, PHQ9_MILD)
    assert answer_page(client, 2, GAD7_MILD).status_code == 302
    again = HttpClient()
    response = again.get(reverse("portal_link", args=[secret]))
    assert response.status_code == 410
    assert "already been sent" in response.content.decode()
    # The browser that sent them cannot send again either (a double tap on "Send").
    resent = answer_page(client, 2, GAD7_MILD)
    assert resent.status_code == 410
    assert "already been sent" in resent.content.decode()
    assert record.episodes.get().sessions.get(number=2).responses.count() == 2


def test_a_token_opens_only_its_own_clients_request(
    client: HttpClient, personas, make_client
) -> None:
    mine = make_client("C-301", [PHQ9_MILD])
    theirs = make_client("C-302", [PHQ9_MILD], therapist=personas.colleague)
    _, my_secret = make_request(personas.therapist, mine)
    their_request, _ = make_request(personas.colleague, theirs)
    client.get(reverse("portal_link", args=[my_secret]))
    # The session holds the request id; tampering with it is not possible (server-side
    # session), and the pages never take an id from the address or the form.
    answer_page(client, 1, PHQ9_MILD)
    answer_page(client, 2, GAD7_MILD)
    assert mine.episodes.get().sessions.get(number=2).responses.count() == 2
    assert not theirs.episodes.get().sessions.filter(number=2).exists()
    their_request.refresh_from_db()
    assert their_request.opened_at is None
    assert their_request.draft == {}


def test_a_colleague_cannot_see_or_change_a_request(client: HttpClient, personas, record) -> None:
    request, _ = make_request(personas.therapist, record)
    client.force_login(personas.colleague)
    assert client.get(reverse("portal_request", args=[request.pk])).status_code == 404
    url = reverse("portal_request_action", args=[request.pk, "link"])
    assert client.post(url).status_code == 404
    url = reverse("portal_request_new", args=[record.pk])
    assert client.post(url, {"instruments": ["phq9"]}).status_code == 404


@override_settings(PORTAL_FAILURE_LIMIT=3)
def test_it_pauses_an_address_after_too_many_wrong_tokens(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record)
    for _ in range(3):
        assert client.get(reverse("portal_link", args=["x" * 30])).status_code == 404
    response = client.get(reverse("portal_link", args=[secret]))
    assert response.status_code == 429
    assert "too many tries" in response.content.decode()
    other = HttpClient(REMOTE_ADDR="10.0.0.9")
    assert other.get(reverse("portal_link", args=[secret])).status_code == 302


@override_settings(PORTAL_FAILURE_LIMIT=3)
def test_an_administrator_lifts_a_paused_address_and_the_audit_log_shows_it(
    client: HttpClient, personas, record
) -> None:
    """Wrong codes typed on the clinic's tablet paused it for everyone, valid codes too, with
    nothing staff could do but wait."""
    from personas import make_admin
    from unstuck.web.accounts.models import AuditAction
    from unstuck.web.portal.models import WrongAttempt

    _, secret = make_request(personas.therapist, record)
    for _ in range(3):
        client.get(reverse("portal_link", args=["x" * 30]))
    assert client.get(reverse("portal_link", args=[secret])).status_code == 429
    admin = HttpClient()
    admin.force_login(make_admin("root", personas.clinic))
    listing = reverse("admin:portal_wrongattempt_changelist")
    page = admin.get(listing).content.decode()
    assert "wrong links and kiosk codes" in page.lower()
    chosen = [str(WrongAttempt.objects.first().pk)]  # one row lifts its whole address
    data = {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    assert admin.post(listing, data).status_code == 302
    assert not WrongAttempt.objects.exists()
    row = AuditEntry.objects.get(action=AuditAction.PORTAL_PAUSE_LIFTED)
    assert (row.username, row.detail) == ("root", "127.0.0.1: 3 wrong links or codes")
    assert client.get(reverse("portal_link", args=[secret])).status_code == 302


@pytest.mark.parametrize(
    ("action", "shown"), [("link", r"/q/[\w-]+/"), ("kiosk", r"[A-Z0-9]{4}-[A-Z0-9]{4}")]
)
def test_each_press_of_new_link_or_kiosk_code_shows_a_new_one(
    client: HttpClient, personas, record, action: str, shown: str
) -> None:
    """A link or code is shown once. Pressed again from the request's page loaded anew (the
    first code was mistyped and used up, or the link not copied), the button said "That was
    already saved" and showed none, for 10 minutes. A double click still makes one."""
    from unstuck.web.idempotency.once import ALREADY_SAVED

    request, _ = make_request(personas.therapist, record)
    client.force_login(personas.therapist)
    page_url = reverse("portal_request", args=[request.pk])
    url = reverse("portal_request_action", args=[request.pk, action])

    def press(token: str | None = None) -> tuple[str, str]:
        if token is None:
            page = client.get(page_url).text
            found = re.search(rf'action="{url}">.*?name="submit_token" value="([^"]+)"', page)
            assert found is not None
            token = found.group(1)
        answer = client.post(url, {"submit_token": token}, follow=True).text
        return answer.replace("&#x27;", "'"), token

    first, token = press()
    second, _ = press()
    assert ALREADY_SAVED not in second
    codes = [re.search(shown, page) for page in (first, second)]
    assert codes[0] is not None
    assert codes[1] is not None
    assert codes[0].group(0) != codes[1].group(0)
    before = AccessToken.objects.count()
    press(token)  # the same form sent twice: nothing new
    assert AccessToken.objects.count() == before
