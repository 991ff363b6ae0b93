"""A safety answer above 0 always brings the safety message and reaches the therapist: on a
page with questions left, and on a questionnaire that closed while the client was answering.

Found by trying it (review 26 B, 1 and 2): the closed page said only "This questionnaire has
closed" and a page with questions left only "Please answer 7 more questions"; neither showed
the crisis lines, and no alert, email or audit entry followed. Each test below fails so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from portal_helpers import GAD7_MILD, PHQ9_SAFETY, make_request

from personas import PHQ9_MILD, finish_attention_emails
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.portal.models import AccessToken, QuestionnaireRequest
from unstuck.web.records import services as records
from unstuck.web.records.models import MeasureResponse, SafetyAlert

CRISIS_LINES = ("Samaritans", "116 123", "999")
NOT_WATCHED = "not watched around the clock"
ITEM_9_ONLY = {"item_1": "3", "item_9": "3"}  # "Nearly every day"; questions 2 to 8 left


@pytest.fixture
def record(make_client):
    return make_client("C-SAFE", [PHQ9_MILD, PHQ9_MILD])  # sessions 1 and 2


@pytest.fixture
def therapist_email(personas, settings):
    settings.EMAIL_CONFIGURED = True
    personas.therapist.email = "alex@clinic.test"
    personas.therapist.save()


def send(browser: HttpClient, number: int, data: dict[str, str], capture) -> str:
    """Send a page as the client's browser does; the safety page it leads to."""
    with capture(execute=True):  # the therapist's email goes once the answer is committed
        response = browser.post(reverse("portal_step", args=[number]), data)
    finish_attention_emails()  # on a thread of its own
    assert response["Location"] == reverse("portal_safety", args=[number])
    page = browser.get(response["Location"])
    assert page.status_code == 200
    return page.text


def full(answers: list[int]) -> dict[str, str]:
    return {f"item_{i}": str(a) for i, a in enumerate(answers, start=1)}


def expire(request: QuestionnaireRequest) -> None:
    past = timezone.now() - dt.timedelta(minutes=1)
    QuestionnaireRequest.objects.filter(pk=request.pk).update(expires_at=past)
    AccessToken.objects.filter(request=request).update(expires_at=past)


def end_episode(request: QuestionnaireRequest) -> None:
    records.end_episode(
        user=request.created_by,
        client=request.client,
        ended_on=timezone.localdate(),
        reason="completed",
    )


def send_elsewhere(request: QuestionnaireRequest) -> None:
    """Sent from another tab, without the safety answer this one is about to send."""
    from unstuck.web.portal import services

    services.save_draft(request, "phq9", PHQ9_MILD)
    services.submit(request, timezone.now())


@pytest.mark.parametrize("close", [expire, end_episode, send_elsewhere], ids=lambda f: f.__name__)
@pytest.mark.parametrize("sent", [full(PHQ9_SAFETY), ITEM_9_ONLY], ids=["in full", "item 9 only"])
def test_a_safety_answer_sent_after_the_questionnaire_closed_still_brings_help(
    client: HttpClient,
    personas,
    record,
    therapist_email,
    mailoutbox,
    django_capture_on_commit_callbacks,
    close: Callable[[QuestionnaireRequest], None],
    sent: dict[str, str],
) -> None:
    request, secret = make_request(personas.therapist, record, ["phq9"])
    client.get(reverse("portal_link", args=[secret]))
    client.get(reverse("portal_step", args=[1]))
    close(request)
    stored_before = MeasureResponse.objects.filter(session__episode__client=record).count()

    page = send(client, 1, sent, django_capture_on_commit_callbacks)

    for words in (*CRISIS_LINES, NOT_WATCHED, "Thank you for telling us"):
        assert words in page
    assert 'role="alert"' in page
    assert "Go on" not in page  # nothing more to answer here
    row = AuditEntry.objects.get(client_code="C-SAFE", action=AuditAction.PORTAL_SAFETY_ANSWER)
    assert [m.to for m in mailoutbox] == [["alex@clinic.test"]]
    stored = MeasureResponse.objects.filter(session__episode__client=record).count()
    if close is end_episode:  # an ended episode takes no new answers: the audit log keeps it
        assert "not stored" in row.detail
        assert "could not be kept" in page
        assert stored == stored_before
        assert not SafetyAlert.objects.filter(client=record).exists()
    else:  # a link's expiry never turns a safety answer away: it heads the caseload
        assert "stored after the questionnaire had closed" in row.detail
        assert "could not be kept" not in page
        assert "sent to your therapist" in page
        assert stored == stored_before + 1
        alert = SafetyAlert.objects.get(client=record)
        assert alert.answer == int(sent["item_9"])
        send(client, 1, sent, django_capture_on_commit_callbacks)  # a second tap on Send
        assert MeasureResponse.objects.filter(session__episode__client=record).count() == stored
        assert SafetyAlert.objects.filter(client=record).count() == 1
        record.refresh_from_db()
        assert record.status_rank == 0


def test_an_answer_without_a_safety_answer_still_finds_the_questionnaire_closed(
    client: HttpClient, personas, record, mailoutbox
) -> None:
    request, secret = make_request(personas.therapist, record, ["phq9"])
    client.get(reverse("portal_link", args=[secret]))
    expire(request)
    response = client.post(reverse("portal_step", args=[1]), full(PHQ9_MILD))
    assert response.status_code == 410
    assert "has closed" in response.text
    assert not AuditEntry.objects.filter(action=AuditAction.PORTAL_SAFETY_ANSWER).exists()
    assert mailoutbox == []


def test_a_second_tap_on_send_does_not_tell_the_therapist_twice(
    client: HttpClient,
    personas,
    record,
    therapist_email,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    _, secret = make_request(personas.therapist, record, ["phq9"])
    client.get(reverse("portal_link", args=[secret]))
    first = send(client, 1, full(PHQ9_SAFETY), django_capture_on_commit_callbacks)
    again = send(client, 1, full(PHQ9_SAFETY), django_capture_on_commit_callbacks)
    assert "Samaritans" in first
    assert "Samaritans" in again
    assert "have been sent" in again
    assert len(mailoutbox) == 1
    row = AuditEntry.objects.get(client_code="C-SAFE", action=AuditAction.PORTAL_SAFETY_ANSWER)
    assert "not stored" not in row.detail


def test_a_safety_answer_with_questions_left_is_stored_and_answered_at_once(
    client: HttpClient,
    personas,
    record,
    therapist_email,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    request, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    client.get(reverse("portal_link", args=[secret]))

    page = send(client, 1, ITEM_9_ONLY, django_capture_on_commit_callbacks)

    for words in (*CRISIS_LINES, NOT_WATCHED):
        assert words in page
    assert "Please answer" not in page
    alert = SafetyAlert.objects.get(client=record)
    assert (alert.session_number, alert.item, alert.answer, alert.is_open) == (3, 9, 3, True)
    phq = MeasureResponse.objects.get(session__episode__client=record, session__number=3)
    assert (phq.answers, phq.incomplete) == ([3, None, None, None, None, None, None, None, 3], True)
    record.refresh_from_db()
    assert record.status_rank == 0  # the top of the caseload, now
    assert [m.to for m in mailoutbox] == [["alex@clinic.test"]]
    # The client goes on with the rest when ready.
    assert f'href="{reverse("portal_step", args=[2])}"' in page
    finished = client.post(reverse("portal_step", args=[2]), full(GAD7_MILD))
    assert finished["Location"] == reverse("portal_done")
    request.refresh_from_db()
    assert request.completed_at is not None


def test_a_safety_answer_with_questions_left_on_the_last_page_sends_it_all(
    client: HttpClient, personas, record, django_capture_on_commit_callbacks
) -> None:
    request, secret = make_request(personas.therapist, record, ["gad7", "phq9"])
    client.get(reverse("portal_link", args=[secret]))
    client.post(reverse("portal_step", args=[1]), full(GAD7_MILD))
    page = send(client, 2, ITEM_9_ONLY, django_capture_on_commit_callbacks)
    assert "have been sent" in page
    assert "Samaritans" in page
    request.refresh_from_db()
    assert request.completed_at is not None
    assert SafetyAlert.objects.get(client=record).answer == 3


def test_the_safety_message_says_when_the_answer_is_read(
    client: HttpClient, personas, record, django_capture_on_commit_callbacks
) -> None:
    """It said "Your answer has been sent to your therapist now", as if read at once."""
    _, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    client.get(reverse("portal_link", args=[secret]))
    page = send(client, 1, full(PHQ9_SAFETY), django_capture_on_commit_callbacks)
    assert NOT_WATCHED in page
    assert "when they are next at work" in page
    assert "therapist now" not in page
    assert page.index(NOT_WATCHED) < page.index("Samaritans")  # the lines for now, after it
