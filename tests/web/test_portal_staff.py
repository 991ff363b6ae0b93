"""The therapist's side (make a request, link and QR shown once, email) and the kiosk."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from portal_helpers import GAD7_MILD, answer_page, make_request, smtp_settings, smtp_sink

from personas import PHQ9_MILD
from unstuck.web.portal.models import QuestionnaireRequest


@pytest.fixture
def record(make_client):
    return make_client("C-600", [PHQ9_MILD])


def test_it_makes_a_request_from_the_client_page_and_shows_the_link_once(
    client: HttpClient, personas, record
) -> None:
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "Questionnaires the client answers" in page
    response = client.post(
        reverse("portal_request_new", args=[record.pk]),
        {
            "instruments": ["phq9", "gad7"],
            "timing": "before",
            "session_number": 2,
            "delivery": "show",
        },
        follow=True,
    )
    page = response.content.decode()
    link = re.search(r'value="(http://[^"]+/q/[^"]+/)"', page)
    assert link is not None
    assert "<svg" in page  # the QR code, drawn here
    # The therapist gave the link: "Not sent yet" read as if the client did not have it.
    assert "Status: Not opened yet" in page
    # Shown once: the page reloaded no longer has it.
    again = client.get(response.redirect_chain[-1][0]).content.decode()
    assert link.group(1) not in again
    # The link works for the client.
    path = link.group(1).removeprefix("http://testserver")
    assert HttpClient().get(path).status_code == 302
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "Before session 2" in page


def test_it_refuses_a_request_without_questionnaires(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    response = client.post(
        reverse("portal_request_new", args=[record.pk]),
        {"timing": "before", "session_number": 2, "delivery": "show"},
        follow=True,
    )
    page = response.content.decode()
    form = page[page.index('<details id="ask-questionnaires" open>') :]
    assert "Not made: please see the message below." in form  # at the top of the form
    assert '<ul class="errorlist"' in form
    assert "This field is required." in form
    assert not QuestionnaireRequest.objects.exists()


def test_a_supervisor_sees_but_cannot_make_requests(client: HttpClient, personas, record) -> None:
    request, _ = make_request(personas.therapist, record)
    client.force_login(personas.supervisor)
    assert client.get(reverse("portal_request", args=[request.pk])).status_code == 200
    url = reverse("portal_request_action", args=[request.pk, "kiosk"])
    assert client.post(url).status_code == 403


def test_it_emails_the_link_when_asked(client: HttpClient, personas, record) -> None:
    record.contact = "client600@example.test"
    record.save()
    client.force_login(personas.therapist)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        response = client.post(
            reverse("portal_request_new", args=[record.pk]),
            {"instruments": ["phq9"], "timing": "before", "session_number": 2, "delivery": "email"},
            follow=True,
        )
    assert "emailed to the client" in response.content.decode()
    assert [m["To"] for m in sink.messages] == ["client600@example.test"]
    assert "Sent" in response.content.decode()


def test_it_says_when_the_client_has_no_email(client: HttpClient, personas, record) -> None:
    request, _ = make_request(personas.therapist, record)
    client.force_login(personas.therapist)
    with override_settings(EMAIL_CONFIGURED=True):
        response = client.post(
            reverse("portal_request_action", args=[request.pk, "email"]), follow=True
        )
    assert "no email address" in response.content.decode()


def kiosk_code(client: HttpClient, request_pk: int) -> str:
    response = client.post(
        reverse("portal_request_action", args=[request_pk, "kiosk"]), follow=True
    )
    found = re.search(r'id="kiosk-code"[^>]*>([A-Z0-9-]+)<', response.content.decode())
    assert found is not None
    return found.group(1)


def test_the_kiosk_takes_a_one_time_code_and_clears_after_each_client(
    client: HttpClient, personas, record
) -> None:
    request, _ = make_request(personas.therapist, record)
    client.force_login(personas.therapist)
    code = kiosk_code(client, request.pk)
    tablet = HttpClient()
    tablet.force_login(personas.therapist)  # someone left the staff app open on the tablet
    assert tablet.get(reverse("portal_kiosk")).status_code == 200
    assert tablet.get(reverse("caseload")).status_code == 302  # signed out by the kiosk
    response = tablet.post(reverse("portal_kiosk"), {"code": code.lower().replace("-", " ")})
    assert response["Location"] == reverse("portal_start")
    answer_page(tablet, 1, PHQ9_MILD)
    assert answer_page(tablet, 2, GAD7_MILD)["Location"] == reverse("portal_done")
    done = tablet.get(reverse("portal_done")).content.decode()
    assert 'http-equiv="refresh"' in done
    # Cleared: the next person on the tablet reaches nothing.
    assert tablet.get(reverse("portal_step", args=[1])).status_code == 404
    # The code worked once.
    again = tablet.post(reverse("portal_kiosk"), {"code": code}, follow=True)
    assert again.status_code == 400
    assert record.episodes.get().sessions.get(number=2).responses.count() == 2


def test_a_kiosk_code_is_not_a_link_and_a_wrong_code_is_refused(
    client: HttpClient, personas, record
) -> None:
    request, _ = make_request(personas.therapist, record)
    client.force_login(personas.therapist)
    code = kiosk_code(client, request.pk)
    tablet = HttpClient()
    assert tablet.get(reverse("portal_link", args=[code.replace("-", "")])).status_code == 404
    response = tablet.post(reverse("portal_kiosk"), {"code": "ABCD-EFGH"})
    assert (response.status_code, response["Location"]) == (303, reverse("portal_kiosk"))
    shown = tablet.get(reverse("portal_kiosk"))
    assert shown.status_code == 400
    assert "does not work" in shown.content.decode()
    again = tablet.get(reverse("portal_kiosk"))  # said once: Back or a reload starts afresh
    assert again.status_code == 200
    assert "does not work" not in again.content.decode()


@override_settings(
    PORTAL_HOSTS=["answers.clinic.test"], ALLOWED_HOSTS=["answers.clinic.test", "testserver"]
)
def test_the_client_pages_host_refuses_staff_pages(personas, record) -> None:
    _, secret = make_request(personas.therapist, record)
    outside = HttpClient(HTTP_HOST="answers.clinic.test")
    for path in ("/login/", "/", "/admin/", f"/clients/{record.pk}/", "/audit/"):
        assert outside.get(path).status_code == 404, path
    assert outside.get(reverse("portal_link", args=[secret]))["Location"] == reverse("portal_start")
    assert outside.get(reverse("portal_step", args=[1])).status_code == 200
    assert outside.get(reverse("portal_kiosk")).status_code == 200
    assert HttpClient().get("/login/").status_code == 200  # the staff host is unchanged


def test_a_session_number_too_large_to_store_is_refused_in_words(
    client: HttpClient, personas, record
) -> None:
    """99999999999999999999999 passed the number field and ended in 'Something went wrong'
    (an integer too large for the database)."""
    client.force_login(personas.therapist)
    response = client.post(
        reverse("portal_request_new", args=[record.pk]),
        {
            "instruments": ["phq9"],
            "timing": "before",
            "session_number": "99999999999999999999999",
            "delivery": "show",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 999." in response.content.decode()
    assert not QuestionnaireRequest.objects.exists()


def test_a_refused_request_comes_back_as_it_was_typed(client: HttpClient, personas, record) -> None:
    """The form posts to its own view, which went back to the client page: the choices made
    (GAD-7 only, after session 7, email on a date) were gone and the section closed. They come
    back, once, with the section open at the form and the message beside its field."""
    client.force_login(personas.therapist)
    page_url = reverse("client", args=[record.pk])
    response = client.post(
        reverse("portal_request_new", args=[record.pk]),
        {"instruments": ["gad7"], "timing": "after", "session_number": "7", "delivery": "schedule"},
    )
    assert response["Location"] == page_url + "#ask-questionnaires"
    page = client.get(page_url).content.decode()
    form = page[page.index('<details id="ask-questionnaires" open>') :]
    form = form[: form.index("</form>")]
    assert re.search(r'value="gad7"[^>]*checked', form)
    assert not re.search(r'value="phq9"[^>]*checked', form)
    assert re.search(r'<option value="after" selected', form)
    assert 'name="session_number" value="7"' in form
    assert re.search(r'value="schedule"[^>]*checked', form)
    assert "Give the date to send it on." in form  # beside the date field
    again = client.get(page_url).content.decode()  # once: a new visit starts afresh
    assert '<details id="ask-questionnaires" open>' not in again
    assert not QuestionnaireRequest.objects.exists()


def test_a_refused_schedule_comes_back_as_it_was_typed(
    client: HttpClient, personas, record
) -> None:
    import datetime as dt

    client.force_login(personas.therapist)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("portal_schedule", args=[record.pk]),
        {"cadence": "dates", "instruments": ["gad7"], "dates": f"{yesterday}"},
        follow=True,
    )
    page = response.content.decode()
    form = page[page.index('<details id="questionnaire-schedule" open>') :]
    form = form[: form.index("</form>")]
    assert f'value="{yesterday}"' in form
    assert re.search(r'value="gad7"[^>]*checked', form)
    assert re.search(r'value="dates"[^>]*checked', form)


@pytest.mark.parametrize(
    ("days", "said"),
    [(-1, "That date has passed"), (367, "Choose a date within a year from today.")],
)
def test_a_send_date_in_the_past_or_years_ahead_is_refused_beside_the_field(
    client: HttpClient, personas, record, days: int, said: str
) -> None:
    """A past date was taken (the link went at the next run, whatever the date), and 2030
    for 2026 too, with a link shown at once that stayed open for years."""
    import datetime as dt

    from django.utils import timezone

    record.contact = "c600@example.test"
    record.save()
    client.force_login(personas.therapist)
    day = (timezone.localdate() + dt.timedelta(days=days)).isoformat()
    with override_settings(EMAIL_CONFIGURED=True):
        client.post(
            reverse("portal_request_new", args=[record.pk]),
            {
                "instruments": ["phq9"],
                "timing": "before",
                "session_number": 2,
                "delivery": "schedule",
                "send_on": day,
            },
        )
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    form = page[page.index('<details id="ask-questionnaires" open>') :]
    assert said in form
    assert f'value="{day}"' in form
    assert not QuestionnaireRequest.objects.exists()


def test_a_link_to_be_emailed_is_not_shown_nor_open_before_it_is_sent(
    client: HttpClient, personas, record
) -> None:
    """The page showed a link (and a QR code) for a request to be emailed, open at once: a
    second live link beside the emailed one, and for a date ahead, one open before it."""
    import datetime as dt

    from django.utils import timezone

    from unstuck.web.portal.models import AccessToken

    record.contact = "c600@example.test"
    record.save()
    client.force_login(personas.therapist)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with override_settings(EMAIL_CONFIGURED=True):
        response = client.post(
            reverse("portal_request_new", args=[record.pk]),
            {
                "instruments": ["phq9"],
                "timing": "before",
                "session_number": 2,
                "delivery": "schedule",
                "send_on": tomorrow,
            },
            follow=True,
        )
    page = response.content.decode()
    assert f"The link will be emailed on {tomorrow}; it works from then." in page
    assert "/q/" not in page
    assert "<svg" not in page
    assert not AccessToken.objects.exists()
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        page = client.post(
            reverse("portal_request_new", args=[record.pk]),
            {"instruments": ["gad7"], "timing": "before", "session_number": 2, "delivery": "email"},
            follow=True,
        ).content.decode()
    assert len(sink.messages) == 1
    assert "/q/" not in page  # the one link is in the email
    assert AccessToken.objects.count() == 1


def test_a_refusal_that_is_no_fields_is_said_at_the_top_of_the_form(
    client: HttpClient, personas, record
) -> None:
    """ "Email the link now" for a client with no email address: the message was at the top of
    the page, far above the form the page opened at; nothing seemed to happen."""
    client.force_login(personas.therapist)
    with override_settings(EMAIL_CONFIGURED=True):
        client.post(
            reverse("portal_request_new", args=[record.pk]),
            {"instruments": ["phq9"], "timing": "before", "session_number": 2, "delivery": "email"},
        )
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    form = page[page.index('<details id="ask-questionnaires" open>') :]
    form = form[: form.index("</form>")]
    assert '<p class="form-error" role="alert">There is no email address' in form


def test_asking_again_for_a_questionnaire_still_open_for_that_session_is_refused(
    personas, record
) -> None:
    """Four "Before session 10" requests for PHQ-9 were taken; the answers to the second found
    session 10 taken and went to a session 11 that never was."""
    from unstuck.errors import InvalidValue

    first, _ = make_request(personas.therapist, record, ["phq9", "gad7"], session_number=3)
    with pytest.raises(InvalidValue, match="PHQ-9 before session 3 is already asked for"):
        make_request(personas.therapist, record, ["phq9"], session_number=3)
    make_request(personas.therapist, record, ["session_feedback"], session_number=3)  # another
    make_request(personas.therapist, record, ["phq9"], session_number=4)  # another session
    from django.utils import timezone

    from unstuck.web.portal import services

    services.withdraw_request(user=personas.therapist, request=first, now=timezone.now())
    make_request(personas.therapist, record, ["phq9"], session_number=3)  # withdrawn: free
    assert QuestionnaireRequest.objects.filter(session_number=3).count() == 3


def test_the_refusal_to_ask_again_is_a_whole_sentence_at_the_top_of_the_form(
    client: HttpClient, personas, record
) -> None:
    """Every other refusal on the form ends with a full stop; this one stopped short."""
    make_request(personas.therapist, record, ["phq9"], session_number=2)
    client.force_login(personas.therapist)
    asked = {"instruments": ["phq9"], "timing": "before", "session_number": 2, "delivery": "show"}
    page = client.post(reverse("portal_request_new", args=[record.pk]), asked, follow=True).text
    refusal = re.search(r'role="alert">(PHQ-9 before session 2[^<]*)</p>', page)
    assert refusal is not None
    assert refusal.group(1).endswith("or withdraw it first.")


def test_the_form_says_which_number_asks_about_the_session_just_held(
    client: HttpClient, personas, record
) -> None:
    """The number stayed the next session's with "After session": feedback meant for the one just
    held was asked about one not yet held, and went to a session started by the client."""
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).text
    assert 'name="session_number" value="2"' in page
    assert 'choose "After session" and that session\'s number: 1 for the latest.' in page
