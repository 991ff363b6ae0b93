"""The client's pages: one questionnaire a page, answers kept, stored as the client's, safety."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from portal_helpers import (
    GAD7_MILD,
    PHQ9_SAFETY,
    answer_page,
    body,
    make_request,
    smtp_settings,
    smtp_sink,
)

from personas import FEEDBACK_GOOD, PHQ9_MILD, PHQ9_SEVERE, finish_attention_emails
from unstuck.web.portal import services
from unstuck.web.portal.models import DEFAULT_SAFETY_MESSAGE, PortalSettings
from unstuck.web.portal.pages import CHOOSE_ONE
from unstuck.web.portal.views import FEEDBACK_NOTE, KIOSK_CLEARS_SECONDS
from unstuck.web.records.models import Client, MeasureResponse


@pytest.fixture
def record(make_client):
    return make_client("C-400", [PHQ9_SEVERE, PHQ9_SEVERE])


def open_link(browser: HttpClient, secret: str) -> None:
    assert browser.get(reverse("portal_link", args=[secret])).status_code == 302


def test_it_shows_one_questionnaire_a_page_with_its_own_instructions_and_progress(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record)
    open_link(client, secret)
    page = client.get(reverse("portal_step", args=[1])).content.decode()
    assert "Part 1 of 2" in page
    assert "Over the last 2 weeks, how often have you been bothered" in page  # PHQ-9's stem
    assert page.count('type="radio"') == 9 * 4
    assert "GAD-7" not in page
    assert "nonce" not in page
    assert "<script>" not in page


def test_it_stores_the_answers_as_the_clients_and_recomputes_the_status(
    client: HttpClient, personas, record
) -> None:
    assert record.sessions_count == 2
    _, secret = make_request(personas.therapist, record)
    open_link(client, secret)
    assert answer_page(client, 1, PHQ9_MILD)["Location"] == reverse("portal_step", args=[2])
    response = answer_page(client, 2, GAD7_MILD)
    assert response["Location"] == reverse("portal_done")
    session = record.episodes.get().sessions.get(number=3)
    stored = {r.instrument: r for r in session.responses.all()}
    assert set(stored) == {"phq9", "gad7"}
    assert {r.completed_by for r in stored.values()} == {"client"}
    assert stored["phq9"].total == 6
    record.refresh_from_db()
    assert record.sessions_count == 3
    assert record.measures["phq9"]["last"] == 6  # status snapshot recomputed at once


def test_it_keeps_answers_on_reload_and_asks_for_a_missing_one(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record)
    open_link(client, secret)
    answer_page(client, 1, PHQ9_MILD)
    # Page 1 is in the record at once; Back to it thanks the client and goes on with page 2.
    assert MeasureResponse.objects.get(session__number=3, instrument="phq9").total == 6
    back = client.get(reverse("portal_step", args=[1]))
    assert back["Location"] == reverse("portal_start")
    start = client.get(back["Location"]).content.decode()
    assert "Thank you for the answers you have already sent" in start
    assert f'href="{reverse("portal_step", args=[2])}"' in start
    # A missing answer: nothing stored, the question named, the others kept.
    sent = answer_page(client, 2, GAD7_MILD[:6])
    assert (sent.status_code, sent["Location"]) == (303, reverse("portal_step", args=[2]))
    response = client.get(sent["Location"])
    assert response.status_code == 400
    text = response.content.decode()
    assert str(CHOOSE_ONE) in text
    assert 'href="#q7"' in text
    assert text.count("checked") == 6
    assert not MeasureResponse.objects.filter(
        session__episode__client=record, session__number=3, instrument="gad7"
    ).exists()


def test_a_page_sent_with_questions_left_comes_back_as_a_page_with_nothing_lost(
    client: HttpClient, personas, record
) -> None:
    """It answered the form sent with 400, so the browser's Back gave "Confirm form
    resubmission" (ERR_CACHE_MISS). Now it goes back to the page (post/redirect/get), the
    answers chosen are kept on the server, and the missing questions are named once."""
    request, secret = make_request(personas.therapist, record)
    open_link(client, secret)
    sent = answer_page(client, 1, PHQ9_MILD[:4])
    assert (sent.status_code, sent["Location"]) == (303, reverse("portal_step", args=[1]))
    request.refresh_from_db()
    assert request.draft == {"phq9": [*PHQ9_MILD[:4], None, None, None, None, None]}
    shown = client.get(sent["Location"]).content.decode()
    assert "Please answer 5 more questions" in shown
    assert shown.count("checked") == 4
    again = client.get(sent["Location"]).content.decode()  # Back, or a reload
    assert "Please answer" not in again
    assert again.count("checked") == 4
    assert answer_page(client, 1, PHQ9_MILD)["Location"] == reverse("portal_step", args=[2])
    assert answer_page(client, 2, GAD7_MILD)["Location"] == reverse("portal_done")
    phq = MeasureResponse.objects.get(session__number=3, instrument="phq9")
    assert (phq.answers, phq.incomplete) == (PHQ9_MILD, False)


def test_a_page_left_unanswered_is_asked_for_before_all_is_sent(
    client: HttpClient, personas, record
) -> None:
    """The last page sent while an earlier one was never answered: the client is taken to
    it (it said "This questionnaire has closed")."""
    _, secret = make_request(personas.therapist, record)
    open_link(client, secret)
    assert answer_page(client, 2, GAD7_MILD)["Location"] == reverse("portal_step", args=[1])
    assert answer_page(client, 1, PHQ9_MILD)["Location"] == reverse("portal_done")
    assert MeasureResponse.objects.filter(session__number=3).count() == 2


def test_it_tells_the_client_who_reads_session_feedback_and_why(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-401", [PHQ9_MILD])
    _, secret = make_request(personas.therapist, record, ["session_feedback"], session_number=1)
    open_link(client, secret)
    page = client.get(reverse("portal_step", args=[1])).content.decode()
    assert str(FEEDBACK_NOTE) in page
    answer_page(client, 1, FEEDBACK_GOOD)
    session = record.episodes.get().sessions.get(number=1)  # after session 1: the same session
    assert session.responses.get(instrument="session_feedback").completed_by == "client"
    assert record.episodes.get().sessions.count() == 1


def test_a_safety_answer_is_stored_and_answered_at_once(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record)
    open_link(client, secret)
    response = answer_page(client, 1, PHQ9_SAFETY)
    assert response["Location"] == reverse("portal_safety", args=[1])
    # Stored and flagged before the client goes on to the rest.
    phq = MeasureResponse.objects.get(session__episode__client=record, session__number=3)
    assert phq.safety_alert
    assert phq.completed_by == "client"
    record.refresh_from_db()
    assert record.status_rank == 0
    assert "safety" in record.flags
    page = client.get(response["Location"]).content.decode()
    assert "Samaritans" in page
    assert "116 123" in page
    assert 'role="alert"' in page
    # The page with the safety answer is closed; the rest can still be answered.
    assert client.get(reverse("portal_step", args=[1]))["Location"] == reverse(
        "portal_safety", args=[1]
    )
    answer_page(client, 2, GAD7_MILD)
    assert (
        MeasureResponse.objects.filter(session__episode__client=record)
        .filter(session__number=3)
        .count()
        == 2
    )


def test_the_clinics_own_safety_message_replaces_the_default(
    client: HttpClient, personas, record
) -> None:
    PortalSettings.objects.create(
        clinic=personas.clinic, safety_message="Call the clinic duty line on 0100 000 000."
    )
    _, secret = make_request(personas.therapist, record, ["phq9"])
    open_link(client, secret)
    response = answer_page(client, 1, PHQ9_SAFETY)  # the last page: submitted too
    page = client.get(response["Location"]).content.decode()
    assert 'duty line on <a href="tel:0100000000">0100 000 000</a>.' in page
    assert "Samaritans" not in page
    assert "Samaritans" in DEFAULT_SAFETY_MESSAGE
    assert "have been sent" in page


@pytest.mark.django_db(transaction=True)
def test_the_therapist_gets_an_email_with_nothing_clinical_in_it(
    client: HttpClient, personas, record
) -> None:
    personas.therapist.email = "alex@clinic.test"
    personas.therapist.save()
    _, secret = make_request(personas.therapist, record)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        open_link(client, secret)
        answer_page(client, 1, PHQ9_SAFETY)
        finish_attention_emails()  # sent on a thread of its own, after the safety page
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert message["To"] == "alex@clinic.test"
    text = message["Subject"] + body(message)
    assert "needs your attention" in text
    for private in ("C-400", "PHQ", "safety", "suicid", "dead", "hurt"):
        assert private.lower() not in text.lower()


def test_no_email_without_a_safety_answer(client: HttpClient, personas, record) -> None:
    personas.therapist.email = "alex@clinic.test"
    personas.therapist.save()
    _, secret = make_request(personas.therapist, record)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", EMAIL_CONFIGURED=True
    ):
        open_link(client, secret)
        answer_page(client, 1, PHQ9_MILD)
        answer_page(client, 2, GAD7_MILD)
    assert mail.outbox == []
    assert Client.objects.get(pk=record.pk).status_rank != 0


def test_the_tablets_thank_you_page_says_when_it_clears(
    client: HttpClient, personas, record
) -> None:
    """It said "in a few seconds" and waited 20."""
    request, _ = make_request(personas.therapist, record, ["gad7"])
    code = services.new_kiosk_code(user=personas.therapist, request=request, now=timezone.now())
    client.post(reverse("portal_kiosk"), {"code": code})
    answer_page(client, 1, GAD7_MILD)
    page = client.get(reverse("portal_done")).content.decode()
    refresh = re.search(r'http-equiv="refresh" content="(\d+);', page)
    assert refresh is not None
    assert int(refresh.group(1)) == KIOSK_CLEARS_SECONDS
    assert f"This page clears itself in {KIOSK_CLEARS_SECONDS} seconds." in page


THANKS = "Your answers have been sent to your therapist."
NOTHING = "There is nothing to show here. If you were answering questionnaires, please use"


def test_the_thank_you_page_opened_with_nothing_sent_says_there_is_nothing_here(
    client: HttpClient, personas, record
) -> None:
    """Opened directly, it thanked someone who had sent nothing for answers "sent to your
    therapist"; opened in the middle of a questionnaire, it also closed it."""
    empty = client.get(reverse("portal_done"))
    assert (empty.status_code, THANKS in empty.text) == (404, False)
    assert NOTHING in empty.text
    _, secret = make_request(personas.therapist, record)
    open_link(client, secret)
    answer_page(client, 1, PHQ9_MILD)
    midway = client.get(reverse("portal_done")).text
    assert NOTHING in midway
    assert THANKS not in midway
    assert "Part 2 of 2" in client.get(reverse("portal_step", args=[2])).text  # still open
    assert answer_page(client, 2, GAD7_MILD)["Location"] == reverse("portal_done")
    assert THANKS in client.get(reverse("portal_done")).text
    assert THANKS in client.get(reverse("portal_done")).text  # a phone's reload: still so
