"""A page sent after the browser's session ended still finds its request, by its page pass.

Found by the reviewer: a client opened their link, answered PHQ-9 with question 9 at 2, and
pressed Next after the session had ended (it lasts 8 hours; the link, days): the page said
"This link or code does not open a questionnaire", nothing was stored, no safety message was
shown and nobody was emailed. The fallback for a closed link needed the session to find the
request; each page's form now carries a signed pass naming it.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from portal_helpers import GAD7_MILD, answer_page, make_request

from personas import PHQ9_MILD, finish_attention_emails
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.portal import services, tokens
from unstuck.web.portal.models import AccessToken, QuestionnaireRequest
from unstuck.web.records.models import MeasureResponse, SafetyAlert

ITEM_9_AT_2 = [*PHQ9_MILD[:8], 2]
PASS = re.compile(r'<input type="hidden" name="resume" value="([^"]+)">')


@pytest.fixture
def record(make_client, personas, settings):
    settings.EMAIL_CONFIGURED = True
    personas.therapist.email = "alex@clinic.test"
    personas.therapist.save()
    return make_client("C-LATE", [PHQ9_MILD, PHQ9_MILD])  # sessions 1 and 2


def page_pass(browser: HttpClient, number: int = 1) -> str:
    """The pass on a page as the client's browser has it."""
    found = PASS.search(browser.get(reverse("portal_step", args=[number])).text)
    assert found is not None
    return found.group(1)


def end_the_session() -> None:
    """Every session ends as the 8 hours run out: the server keeps nothing of it."""
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))


def send(browser: HttpClient, answers: list[int], resume: str, capture=None):
    data = {f"item_{i}": str(a) for i, a in enumerate(answers, start=1)} | {"resume": resume}
    if capture is None:
        return browser.post(reverse("portal_step", args=[1]), data)
    with capture(execute=True):
        response = browser.post(reverse("portal_step", args=[1]), data)
    finish_attention_emails()
    return response


def stored(record) -> int:
    return MeasureResponse.objects.filter(session__episode__client=record).count()


def link_closed_too(request: QuestionnaireRequest) -> None:
    """The link ran out as well (it lasted its 4 days, all of them past)."""
    start, end = timezone.now() - dt.timedelta(days=5), timezone.now() - dt.timedelta(days=1)
    QuestionnaireRequest.objects.filter(pk=request.pk).update(expires_at=end)
    AccessToken.objects.filter(request=request).update(created_at=start, expires_at=end)


@pytest.mark.parametrize("link_open", [True, False], ids=["link open", "link closed too"])
def test_a_safety_answer_sent_after_the_session_ended_is_stored_and_answered(
    client: HttpClient,
    personas,
    record,
    mailoutbox,
    django_capture_on_commit_callbacks,
    link_open: bool,
) -> None:
    request, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    client.get(reverse("portal_link", args=[secret]))
    client.get(reverse("portal_start"))
    resume = page_pass(client)
    end_the_session()
    if not link_open:
        link_closed_too(request)

    sent = send(client, ITEM_9_AT_2, resume, django_capture_on_commit_callbacks)

    assert sent["Location"] == reverse("portal_safety", args=[1])
    page = client.get(sent["Location"]).text
    for words in ("Thank you for telling us", "Samaritans", "sent to your therapist"):
        assert words in page
    assert "Go on" not in page  # no session to go on with
    assert ("please open your link again" in page) == link_open  # for the rest
    alert = SafetyAlert.objects.get(client=record)
    assert (alert.session_number, alert.answer, alert.is_open) == (3, 2, True)
    assert [m.to for m in mailoutbox] == [["alex@clinic.test"]]
    row = AuditEntry.objects.get(client_code="C-LATE", action=AuditAction.PORTAL_SAFETY_ANSWER)
    assert f"request {request.pk}" in row.detail
    if link_open:  # the rest, from the link opened again
        assert client.get(reverse("portal_link", args=[secret])).status_code == 302
        assert client.get(reverse("portal_step", args=[1]))["Location"] == reverse(
            "portal_safety", args=[1]
        )
        assert answer_page(client, 2, GAD7_MILD)["Location"] == reverse("portal_done")
        assert stored(record) == 4  # sessions 1 and 2, then PHQ-9 and GAD-7 at session 3
    send(client, ITEM_9_AT_2, resume, django_capture_on_commit_callbacks)  # a second tap
    assert SafetyAlert.objects.filter(client=record).count() == 1
    assert len(mailoutbox) == 1


def test_other_answers_sent_after_the_session_ended_wait_for_the_link(
    client: HttpClient, personas, record
) -> None:
    request, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    client.get(reverse("portal_link", args=[secret]))
    resume = page_pass(client)
    end_the_session()
    sent = send(client, PHQ9_MILD, resume)
    assert sent.status_code == 410
    assert "please open your link again to go on" in sent.text
    assert stored(record) == 2
    client.get(reverse("portal_link", args=[secret]))
    assert client.get(reverse("portal_step", args=[1])).text.count("checked") == 9  # kept
    assert answer_page(client, 2, GAD7_MILD)["Location"] == reverse("portal_done")
    request.refresh_from_db()
    assert request.completed_at is not None


def tampered(resume: str, *_: object) -> str:
    return resume[:-1] + ("A" if resume[-1] != "A" else "B")


def another_request(resume: str, mine: QuestionnaireRequest, theirs: QuestionnaireRequest) -> str:
    """Signed here, but naming another client's request with this page's link."""
    named = tokens.read_page_pass(resume)
    assert named is not None
    return tokens.page_pass(theirs.pk, named.token_id)


def another_kind_of_signed_value(resume: str, *_: object) -> str:
    named = tokens.read_page_pass(resume)
    assert named is not None
    return signing.dumps([named.request_id, named.token_id])  # Django's default salt


class FiveDaysAgo(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 5 * 24 * 60 * 60)


def older_than_the_link(resume: str, *_: object) -> str:
    """The page's own pass as made 5 days ago: longer than the link's 4 days."""
    named = tokens.read_page_pass(resume)
    assert named is not None
    signer = FiveDaysAgo(salt=tokens.PAGE_PASS_SALT)
    return signer.sign_object([named.request_id, named.token_id])


@pytest.mark.parametrize(
    "forge",
    [tampered, another_request, another_kind_of_signed_value, older_than_the_link],
    ids=lambda f: f.__name__,
)
def test_a_forged_or_foreign_page_pass_opens_nothing(
    client: HttpClient,
    personas,
    record,
    make_client,
    forge: Callable[..., str],
) -> None:
    other = make_client("C-OTHER", [PHQ9_MILD])
    theirs, _ = make_request(personas.therapist, other, ["phq9"])
    mine, secret = make_request(personas.therapist, record, ["phq9"])
    client.get(reverse("portal_link", args=[secret]))
    resume = page_pass(client)
    end_the_session()
    refused = send(client, ITEM_9_AT_2, forge(resume, mine, theirs))
    assert refused.status_code == 404
    assert "does not open a questionnaire" in refused.text
    assert not SafetyAlert.objects.exists()
    assert stored(record) == 2
    assert stored(other) == 1
    # The page's own pass, sent from the same browser, is taken.
    assert send(client, ITEM_9_AT_2, resume)["Location"] == reverse("portal_safety", args=[1])
    assert SafetyAlert.objects.get().client == record


def test_a_tablet_handed_back_takes_no_page_the_last_client_left(
    client: HttpClient, personas, record
) -> None:
    request, _ = make_request(personas.therapist, record, ["phq9"])
    code = services.new_kiosk_code(user=personas.therapist, request=request, now=timezone.now())
    client.post(reverse("portal_kiosk"), {"code": code})
    resume = page_pass(client)
    client.get(reverse("portal_kiosk"))  # Finish: the next person picks the tablet up
    refused = send(client, ITEM_9_AT_2, resume)
    assert refused.status_code == 404
    assert not SafetyAlert.objects.exists()
    # A tablet whose session simply ran out (nobody handed it back) takes it.
    end_the_session()
    sent = send(client, ITEM_9_AT_2, resume)
    assert sent["Location"] == reverse("portal_safety", args=[1])
    page = client.get(sent["Location"]).text
    assert "tell the receptionist or your therapist now" in page
    assert "Finish and hand the tablet back" in page
    assert SafetyAlert.objects.get().client == record
