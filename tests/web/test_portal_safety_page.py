"""The safety page itself: what it offers a client to do now.

Found by the reviewer: the crisis numbers (999, 111, 116 123, 85258) were plain text, so a
client on a phone had to copy them by hand into the dialler at the worst moment.
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from portal_helpers import GAD7_MILD, PHQ9_SAFETY, answer_page, make_request

from personas import PHQ9_MILD
from unstuck.web.portal.models import PortalSettings
from unstuck.web.portal.phone_links import with_phone_links


@pytest.fixture
def record(make_client):
    return make_client("C-HELP", [PHQ9_MILD])


def safety_page(browser: HttpClient, secret: str) -> str:
    browser.get(reverse("portal_link", args=[secret]))
    sent = answer_page(browser, 1, PHQ9_SAFETY)
    assert sent["Location"] == reverse("portal_safety", args=[1])
    return browser.get(sent["Location"]).text


def test_each_crisis_number_is_a_link_to_call_or_to_text(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    page = safety_page(client, secret)
    assert 'call <a href="tel:999">999</a> or go' in page
    assert 'call NHS <a href="tel:111">111</a> and choose option 2' in page  # "2": no link
    assert 'on <a href="tel:116123">116 123</a> (free)' in page
    assert 'text SHOUT to <a href="sms:85258">85258</a> (free)' in page  # "text": a text message


def test_the_clinics_own_numbers_are_links_and_its_words_stay_text(
    client: HttpClient, personas, record
) -> None:
    PortalSettings.objects.create(
        clinic=personas.clinic,
        safety_message="Call the duty line on 0100 000 000 <b>now</b>, 9-5, 365 days a year.",
    )
    _, secret = make_request(personas.therapist, record, ["phq9"])
    page = safety_page(client, secret)
    assert 'duty line on <a href="tel:0100000000">0100 000 000</a> &lt;b&gt;now' in page
    assert "9-5, 365 days a year." in page


@pytest.mark.parametrize(
    ("words", "html"),
    [
        ("Call +44 20 7946 0000.", 'Call <a href="tel:+442079460000">+44 20 7946 0000</a>.'),
        ("Call or text 07700 900000", 'Call or text <a href="tel:07700900000">07700 900000</a>'),
        ("Text us on 07700-900-000", 'Text us on <a href="sms:07700900000">07700-900-000</a>'),
        ("Open 24 hours since 2019, 10-12 and 9:30.", "Open 24 hours since 2019, 10-12 and 9:30."),
        ("See nhs.uk/111, 50% or 1.5 miles", "See nhs.uk/111, 50% or 1.5 miles"),
    ],
)
def test_only_phone_numbers_become_links(words: str, html: str) -> None:
    assert with_phone_links(words) == f"<p>{html}</p>"


def test_the_link_opened_again_after_a_safety_answer_starts_at_what_is_left(
    personas, record
) -> None:
    """A client stopped at the safety page and opened their link again later (the reminder):
    the start page still asked for both questionnaires (16 questions), and Start led to the
    safety message again, not to the GAD-7 still to answer."""
    _, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    safety_page(HttpClient(), secret)
    later = HttpClient()
    later.get(reverse("portal_link", args=[secret]))
    start = later.get(reverse("portal_start")).text.replace("&#x27;", "'")
    assert "one short questionnaire (7 questions)" in start
    assert "16 questions" not in start
    assert "Thank you for the answers you have already sent" in start
    assert f'href="{reverse("portal_step", args=[2])}">Start</a>' in start
    assert reverse("portal_step", args=[1]) + '"' not in start
    page = later.get(reverse("portal_step", args=[2]))
    assert page.status_code == 200
    assert "GAD-7" in page.text


def test_the_start_page_of_a_fresh_link_counts_every_questionnaire(personas, record) -> None:
    _, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    browser = HttpClient()
    browser.get(reverse("portal_link", args=[secret]))
    start = browser.get(reverse("portal_start")).text
    assert "2 short questionnaires (16 questions in all)" in start
    assert "already sent" not in start
    assert f'href="{reverse("portal_step", args=[1])}">Start</a>' in start


def test_a_phones_back_button_after_the_thanks_still_finds_the_help(
    client: HttpClient, personas, record
) -> None:
    """A client who went on after the safety message and sent the rest, then went Back from
    "Thank you" for the crisis numbers, read "This link or code does not open a questionnaire.
    Please check it"."""
    _, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    safety_page(client, secret)
    assert answer_page(client, 2, GAD7_MILD)["Location"] == reverse("portal_done")
    assert "Thank you" in client.get(reverse("portal_done")).text
    back = client.get(reverse("portal_safety", args=[1]))
    assert back.status_code == 200
    assert 'on <a href="tel:116123">116 123</a> (free)' in back.text
    assert "Your answers have been sent to your therapist at Test clinic." in back.text
    assert "Go on" not in back.text
    assert client.get(reverse("portal_step", args=[2])).status_code == 410  # already sent
