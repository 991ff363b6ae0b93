"""A questionnaire request taken back by the therapist, and a link emailed again."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from portal_helpers import answer_page, body, make_request, smtp_settings, smtp_sink

from personas import PHQ9_MILD
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.portal.models import QuestionnaireRequest

LINK = re.compile(r"http://\S+/q/(\S+?)/")


@pytest.fixture
def record(make_client):
    return make_client("C-610", [PHQ9_MILD])


def withdraw(client: HttpClient, pk: int):  # type: ignore[no-untyped-def]
    """The confirmation page's button."""
    return client.post(reverse("portal_request_withdraw", args=[pk]), follow=True)


def test_a_withdrawn_request_no_longer_opens_and_says_so(
    client: HttpClient, personas, record
) -> None:
    request, secret = make_request(personas.therapist, record)
    client.force_login(personas.therapist)
    page = withdraw(client, request.pk).content.decode()
    assert "Withdrawn: its links and kiosk codes no longer open it." in page
    assert "<strong>Status: Withdrawn</strong>" in page
    assert "Withdraw this questionnaire" not in page  # closed: no more actions
    found = QuestionnaireRequest.objects.get(pk=request.pk)
    assert found.withdrawn_at is not None
    assert not found.is_open()
    opened = HttpClient().get(reverse("portal_link", args=[secret]), follow=True)
    assert opened.status_code == 410
    said = opened.content.decode().replace("&#x27;", "'")
    assert "Your clinic has taken this questionnaire back" in said
    assert "ask your clinic for a new link" not in said  # it said so, as if it had run out
    assert "Withdrawn" in client.get(reverse("client", args=[record.pk])).content.decode()
    row = AuditEntry.objects.get(action=AuditAction.PORTAL_REQUEST_WITHDRAWN)
    assert (row.username, row.client_code) == (personas.therapist.username, "C-610")
    withdraw(client, request.pk)  # twice: one audit row
    assert AuditEntry.objects.filter(action=AuditAction.PORTAL_REQUEST_WITHDRAWN).count() == 1


def test_withdrawing_asks_first_on_a_page_of_its_own(client: HttpClient, personas, record) -> None:
    """One press of 'Withdraw this questionnaire' withdrew it. The request's page now links
    to a page that says what withdrawing does; it withdraws only with that page's button, and
    'Keep it open' leads back with nothing changed."""
    request, _ = make_request(personas.therapist, record)
    client.force_login(personas.therapist)
    confirm = reverse("portal_request_withdraw", args=[request.pk])
    page = client.get(reverse("portal_request", args=[request.pk])).content.decode()
    assert f'<a class="button secondary" href="{confirm}">Withdraw this questionnaire…</a>' in page
    assert '<form method="post" action="' + confirm not in page
    asked = client.get(confirm)
    said = asked.content.decode().replace("&#x27;", "'")
    assert asked.status_code == 200
    assert "Withdraw the questionnaires for C-610?" in said
    assert "Answers already given stay in the record." in said
    assert f'<form method="post" action="{confirm}" id="withdraw-confirm">' in said
    assert '<button type="submit">Withdraw it</button>' in said
    back = reverse("portal_request", args=[request.pk])
    assert f'<a href="{back}">Keep it open</a>' in said
    assert QuestionnaireRequest.objects.get(pk=request.pk).withdrawn_at is None
    assert not AuditEntry.objects.filter(action=AuditAction.PORTAL_REQUEST_WITHDRAWN).exists()
    done = withdraw(client, request.pk)
    assert done.redirect_chain[-1][0] == back
    assert QuestionnaireRequest.objects.get(pk=request.pk).withdrawn_at is not None
    closed = client.get(confirm, follow=True).content.decode()
    assert "This questionnaire is closed." in closed  # no second confirmation


def test_only_the_requests_therapist_may_withdraw_it(client: HttpClient, personas, record) -> None:
    request, _ = make_request(personas.therapist, record)
    confirm = reverse("portal_request_withdraw", args=[request.pk])
    client.force_login(personas.colleague)
    assert client.get(confirm).status_code == 404
    assert client.post(confirm).status_code == 404
    client.force_login(personas.supervisor)
    assert client.get(confirm).status_code == 403
    assert client.post(confirm).status_code == 403
    assert QuestionnaireRequest.objects.get(pk=request.pk).withdrawn_at is None


def test_a_withdrawn_request_is_never_sent_nor_shown_as_waiting(personas, record) -> None:
    import datetime as dt

    from django.utils import timezone

    from unstuck.web.portal import selectors, sending, services

    now = timezone.now()
    record.contact = "c610@example.test"
    record.save()
    later = now + dt.timedelta(days=2)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        request, _ = make_request(personas.therapist, record, send_at=now + dt.timedelta(days=1))
        assert services.withdraw_request(user=personas.therapist, request=request, now=now)
        report = sending.send_due(later)
    assert (report.sent, sink.messages) == ([], [])
    assert selectors.questionnaire_marks([record], later) == {}


def test_an_answered_request_cannot_be_withdrawn(client: HttpClient, personas, record) -> None:
    request, secret = make_request(personas.therapist, record, ["gad7"])
    browser = HttpClient()
    browser.get(reverse("portal_link", args=[secret]))
    answer_page(browser, 1, [1] * 7)
    assert QuestionnaireRequest.objects.get(pk=request.pk).completed_at is not None
    client.force_login(personas.therapist)
    from unstuck.web.portal import services

    with pytest.raises(Exception, match="already answered"):
        services.withdraw_request(
            user=personas.therapist,
            request=QuestionnaireRequest.objects.get(pk=request.pk),
            now=request.created_at,
        )


def test_a_link_can_be_emailed_again_and_both_links_work(
    client: HttpClient, personas, record
) -> None:
    """'It was emailed already': a client who lost the email, or whose address was wrong,
    could not be sent it again. Now a new link goes, and the first still works."""
    record.contact = "c610@example.test"
    record.save()
    request, _ = make_request(personas.therapist, record, ["gad7"])
    client.force_login(personas.therapist)
    action = reverse("portal_request_action", args=[request.pk, "email"])
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        first = client.post(action, follow=True).content.decode()
        assert "Email a new link again" in first
        second = client.post(action, follow=True).content.decode()
    assert "A new link was emailed to the client; the one sent before still works." in second
    assert len(sink.messages) == 2
    links = [LINK.search(body(m)).group(1) for m in sink.messages]  # type: ignore[union-attr]
    assert links[0] != links[1]
    for secret in links:
        assert HttpClient().get(reverse("portal_link", args=[secret])).status_code == 302
    sent = AuditEntry.objects.filter(action=AuditAction.PORTAL_REQUEST_SENT)
    assert sent.count() == 2


def test_a_double_click_on_the_email_button_sends_one_email(
    client: HttpClient, personas, record
) -> None:
    """Both posts come from the same page, which said when the link was last sent: the
    second finds that changed and sends nothing; the page drawn after it can send again."""
    record.contact = "c610@example.test"
    record.save()
    request, _ = make_request(personas.therapist, record, ["gad7"])
    client.force_login(personas.therapist)
    action = reverse("portal_request_action", args=[request.pk, "email"])
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        for _ in range(2):  # the first page: not sent yet
            answer = client.post(action, {"sent_at": ""}, follow=True).content.decode()
        assert len(sink.messages) == 1
        assert "It was emailed just now" in answer
        page = client.get(reverse("portal_request", args=[request.pk])).content.decode()
        shown = re.search(r'name="sent_at" value="([^"]+)"', page)
        assert shown is not None
        for _ in range(2):  # the next page: sent once, so "again", once
            client.post(action, {"sent_at": shown.group(1)})
    assert len(sink.messages) == 2


def test_a_page_open_when_it_was_withdrawn_says_so(personas, record) -> None:
    """The client had the questionnaire open when the therapist withdrew it: the next page
    says it was taken back (it said it had closed and to ask for a new link)."""
    from django.utils import timezone

    from unstuck.web.portal import services

    request, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    phone = HttpClient()
    phone.get(reverse("portal_link", args=[secret]))
    services.withdraw_request(user=personas.therapist, request=request, now=timezone.now())
    page = phone.get(reverse("portal_step", args=[1]))
    assert page.status_code == 410
    assert "Your clinic has taken this questionnaire back" in page.content.decode().replace(
        "&#x27;", "'"
    )


def test_asking_again_after_withdrawing_makes_a_new_request(
    client: HttpClient, personas, record
) -> None:
    """Withdrawn (a slip of the mouse, or the wrong session), then asked again from the
    reloaded client page with the same choices: that is a new request with a link to show.
    It was taken for the first form sent twice ("That was already saved"), and the page showed
    the withdrawn request, with no link and nothing to do, for the next 10 minutes."""
    from unstuck.web.idempotency.once import ALREADY_SAVED

    client.force_login(personas.therapist)
    ask = {"instruments": ["phq9"], "timing": "before", "session_number": 2, "delivery": "show"}

    def from_the_client_page():  # type: ignore[no-untyped-def]
        page = client.get(reverse("client", args=[record.pk])).content.decode()
        token = re.search(r'name="submit_token" value="([^"]+)"', page)
        assert token is not None
        url = reverse("portal_request_new", args=[record.pk])
        return client.post(url, ask | {"submit_token": token.group(1)}, follow=True)

    first = from_the_client_page()
    made = QuestionnaireRequest.objects.get()
    assert f"/questionnaires/{made.pk}/" == first.redirect_chain[-1][0]
    withdraw(client, made.pk)
    again = from_the_client_page()
    page = again.content.decode()
    assert ALREADY_SAVED not in page.replace("&#x27;", "'")
    assert QuestionnaireRequest.objects.count() == 2
    fresh = QuestionnaireRequest.objects.exclude(pk=made.pk).get()
    assert again.redirect_chain[-1][0] == f"/questionnaires/{fresh.pk}/"
    assert re.search(r'value="(http://[^"]+/q/[^"]+/)"', page)  # the link, shown once
    # Not withdrawn, the same form sent again is still the repeat it was.
    repeat = from_the_client_page()
    assert ALREADY_SAVED in repeat.content.decode().replace("&#x27;", "'")
    assert QuestionnaireRequest.objects.count() == 2
