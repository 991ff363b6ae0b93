"""A client's answers, a safety answer above all, are never turned away and lost.

Found by trying it: answers for a session further ahead than the next one, for a voided session
or for a questionnaire already answered at that session were refused when sent; the client read
"This questionnaire has closed", a safety answer raised no alert and emailed nobody, and the
answers stayed in a draft nobody sees. Requests for an ended episode were offered and answered
the same way. Each case below fails with that behaviour.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from portal_helpers import GAD7_MILD, PHQ9_SAFETY, answer_page, make_request

from personas import PHQ9_MILD
from unstuck.errors import InvalidValue
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.portal import services
from unstuck.web.portal.models import QuestionnaireRequest, QuestionnaireSchedule
from unstuck.web.portal.schedules import plan_due, set_schedule
from unstuck.web.records import corrections
from unstuck.web.records import services as records
from unstuck.web.records.models import MeasureResponse, SafetyAlert


@pytest.fixture
def record(make_client):
    return make_client("C-KEEP", [PHQ9_MILD, PHQ9_MILD])  # sessions 1 and 2


def open_link(browser: HttpClient, secret: str) -> None:
    assert browser.get(reverse("portal_link", args=[secret]))["Location"] == reverse("portal_start")


def answered_safely(browser: HttpClient, record, *, session: int) -> None:
    """The client saw the safety message, and the alert waits for the therapist."""
    response = answer_page(browser, 1, PHQ9_SAFETY)
    assert response["Location"] == reverse("portal_safety", args=[1])
    assert "Thank you for telling us" in browser.get(response["Location"]).content.decode()
    alert = SafetyAlert.objects.get(client=record)
    assert (alert.session_number, alert.is_open) == (session, True)
    record.refresh_from_db()
    assert record.status_rank == 0  # the top of the caseload


def test_answers_for_a_session_further_ahead_go_to_the_next_one(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record, session_number=5)
    open_link(client, secret)
    answered_safely(client, record, session=3)


def test_answers_for_a_voided_session_go_to_the_next_one(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record, session_number=3)
    records.record_session(
        user=personas.therapist,
        client=record,
        data=records.SessionInput(date=timezone.localdate(), attendance="attended"),
    )
    corrections.void_session(user=personas.therapist, client=record, number=3, reason="wrong")
    open_link(client, secret)
    answered_safely(client, record, session=4)


def test_answers_for_a_questionnaire_already_answered_go_to_the_next_session(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record, ["phq9", "gad7"], session_number=2)
    open_link(client, secret)
    answered_safely(client, record, session=3)
    assert answer_page(client, 2, GAD7_MILD).status_code == 302
    session = record.episodes.get().sessions.get(number=3)
    assert sorted(session.responses.values_list("instrument", flat=True)) == ["gad7", "phq9"]
    assert session.started_by_client


def test_no_request_is_made_for_an_ended_episode(personas, record) -> None:
    records.end_episode(
        user=personas.therapist, client=record, ended_on=timezone.localdate(), reason="completed"
    )
    with pytest.raises(InvalidValue, match="episode of care has ended"):
        make_request(personas.therapist, record)
    with pytest.raises(InvalidValue, match="episode of care has ended"):
        set_schedule(
            user=personas.therapist,
            client=record,
            cadence="before_each",
            instrument_ids=["phq9"],
            now=timezone.now(),
        )
    assert not QuestionnaireRequest.objects.filter(client=record).exists()


def test_the_client_page_offers_no_request_for_an_ended_episode(
    client: HttpClient, personas, record
) -> None:
    client.force_login(personas.therapist)
    assert "Make the questionnaire link" in client.get(reverse("client", args=[record.pk])).text
    records.end_episode(
        user=personas.therapist, client=record, ended_on=timezone.localdate(), reason="completed"
    )
    page = client.get(reverse("client", args=[record.pk])).text
    assert "Make the questionnaire link" not in page
    assert "Save the schedule" not in page
    assert "This episode has ended" in page


def test_a_link_for_an_episode_ended_since_closes_before_anything_is_typed(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record)
    records.end_episode(
        user=personas.therapist, client=record, ended_on=timezone.localdate(), reason="completed"
    )
    response = client.get(reverse("portal_link", args=[secret]))
    assert response.status_code == 410
    assert "has closed" in response.text


def test_a_safety_answer_sent_as_the_questionnaire_closes_still_shows_the_message(
    client: HttpClient, personas, record, mailoutbox
) -> None:
    """The one case left where answers cannot be stored: the episode ended (or the link
    expired) while the client was on the page. The client still reads the safety message,
    the audit log says so, and the therapist is emailed."""
    _, secret = make_request(personas.therapist, record)
    open_link(client, secret)
    client.get(reverse("portal_step", args=[1]))
    records.end_episode(
        user=personas.therapist, client=record, ended_on=timezone.localdate(), reason="completed"
    )
    session = client.session
    found = QuestionnaireRequest.objects.get(client=record)
    with pytest.MonkeyPatch.context() as patch:  # the page was open; its request still is
        patch.setattr("unstuck.web.portal.selectors._answerable", lambda request: True)
        response = answer_page(client, 1, PHQ9_SAFETY)
    assert response["Location"] == reverse("portal_safety", args=[1])
    assert "Thank you for telling us" in client.get(response["Location"]).text
    row = AuditEntry.objects.filter(client_code="C-KEEP", action="portal_safety_answer").get()
    assert "not stored" in row.detail
    assert f"request {found.pk}" in row.detail
    assert session is not None


def test_a_kiosk_code_opens_its_questionnaire_on_one_tablet_only(
    client: HttpClient, personas, record
) -> None:
    request, _ = make_request(personas.therapist, record)
    code = services.new_kiosk_code(user=personas.therapist, request=request, now=timezone.now())
    first, second = HttpClient(), HttpClient()
    assert first.post(reverse("portal_kiosk"), {"code": code})["Location"] == reverse(
        "portal_start"
    )
    refused = second.post(reverse("portal_kiosk"), {"code": code}, follow=True)
    assert refused.redirect_chain == [(reverse("portal_kiosk"), 303)]
    assert refused.status_code == 400
    assert "a code works once" in refused.text
    assert second.get(reverse("portal_step", args=[1])).status_code == 404


def ask_by_email(client: HttpClient, personas, record):  # type: ignore[no-untyped-def]
    """The therapist asks for the PHQ-9 before session 3, sent by email, from the client page."""
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).text
    token = re.search(r'name="submit_token" value="([^"]+)"', page)
    data = {"instruments": ["phq9"], "timing": "before", "session_number": "3"}
    data |= {"delivery": "email", "submit_token": token.group(1) if token else ""}
    return client.post(reverse("portal_request_new", args=[record.pk]), data, follow=True)


def test_an_emailed_link_for_a_client_email_cannot_reach_saves_nothing(
    client: HttpClient, personas, record, settings
) -> None:
    settings.EMAIL_CONFIGURED = True  # set up, but the client has no address
    response = ask_by_email(client, personas, record)
    assert "There is no email address in this client" in response.text
    assert "Name and contact details" in response.text  # where to put it right
    assert "not set up" not in response.text  # it is set up: the message says which it is
    assert "column" not in response.text
    assert not QuestionnaireRequest.objects.filter(client=record).exists()


def test_an_emailed_link_without_email_set_up_says_so_not_that_the_address_is_missing(
    client: HttpClient, personas, record, settings
) -> None:
    settings.EMAIL_CONFIGURED = False
    record.contact = "jo@example.test"
    record.save()
    response = ask_by_email(client, personas, record)
    assert "Email is not set up for this clinic" in response.text
    assert "no email address in this client" not in response.text
    assert not QuestionnaireRequest.objects.filter(client=record).exists()


def test_before_every_session_waits_for_the_session_the_client_answered_for(
    personas, record, settings
) -> None:
    settings.EMAIL_CONFIGURED = True
    record.contact = "keep@example.test"
    record.save()
    now = timezone.now()
    set_schedule(
        user=personas.therapist,
        client=record,
        cadence="before_each",
        instrument_ids=["phq9"],
        now=now,
    )
    [made] = plan_due(now)
    request = QuestionnaireRequest.objects.get(pk=made)
    services.save_draft(request, "phq9", PHQ9_MILD)
    services.submit(request, now)
    record.refresh_from_db()
    assert plan_due(now + dt.timedelta(minutes=1)) == []  # session 3 is still ahead
    records.record_session(
        user=personas.therapist,
        client=record,
        data=records.SessionInput(date=timezone.localdate(), attendance="attended"),
    )
    record.refresh_from_db()
    assert len(plan_due(now + dt.timedelta(minutes=2))) == 1  # now for session 4
    assert QuestionnaireSchedule.objects.filter(client=record).exists()


def test_back_after_sending_says_the_answers_were_sent(
    client: HttpClient, personas, record
) -> None:
    """It said "This link or code does not open a questionnaire" to a client who had just
    used it."""
    _, secret = make_request(personas.therapist, record, ["phq9"])
    open_link(client, secret)
    assert answer_page(client, 1, PHQ9_MILD)["Location"] == reverse("portal_done")
    client.get(reverse("portal_done"))
    back = client.get(reverse("portal_step", args=[1]))
    assert back.status_code == 410
    assert "These answers have already been sent. Thank you." in back.text


def test_the_start_page_says_until_when_the_link_keeps_the_pages_sent(personas, record) -> None:
    """A client who sent PHQ-9 and left GAD-7 for later was never told the link closes. An
    emailed link said the date; a link shown or scanned did not. The tablet's code is for one
    sitting, so it says nothing of it."""
    found, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    browser = HttpClient()
    open_link(browser, secret)
    until = f"{timezone.localtime(found.expires_at):%-d %B %Y}"
    start = browser.get(reverse("portal_start")).text
    assert "Each page goes to your therapist as soon as you send it" in start
    assert f"come back to the rest with the same link until {until}." in start
    code = services.new_kiosk_code(user=personas.therapist, request=found, now=timezone.now())
    tablet = HttpClient()
    tablet.post(reverse("portal_kiosk"), {"code": code})
    on_the_tablet = tablet.get(reverse("portal_start")).text
    assert "A short questionnaire" in on_the_tablet
    assert "come back" not in on_the_tablet


def test_a_page_sent_is_in_the_record_when_the_link_closes_before_the_rest(
    personas, record
) -> None:
    """A client answered PHQ-9 in full, left GAD-7 for later, and the link expired: the PHQ-9
    page waited for the last one and was lost with the link ('0 of 2 answered'). Each page
    answered in full is now stored the moment it is sent."""
    found, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    browser = HttpClient()
    open_link(browser, secret)
    assert answer_page(browser, 1, PHQ9_MILD)["Location"] == reverse("portal_step", args=[2])
    QuestionnaireRequest.objects.filter(pk=found.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    stored = MeasureResponse.objects.get(session__episode__client=record, session__number=3)
    assert (stored.instrument, stored.answers, stored.completed_by) == (
        "phq9",
        PHQ9_MILD,
        "client",
    )
    assert answer_page(browser, 2, GAD7_MILD).status_code == 410  # closed: GAD-7 too late
    assert not MeasureResponse.objects.filter(instrument="gad7").exists()
