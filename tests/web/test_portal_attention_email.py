"""The therapist's email after a safety answer never holds back the client's safety page.

Found by the reviewer: with a mail server that took the connection and never replied, the
client waited about 20 seconds (``UNSTUCK_EMAIL_TIMEOUT``) on "Next" before the crisis lines
appeared, because the email was sent before the page was answered. It is now sent on a thread
of its own once the answer is committed; the alert is in the database either way.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from portal_helpers import (
    PHQ9_SAFETY,
    answer_page,
    body,
    make_request,
    silent_smtp,
    smtp_settings,
    smtp_sink,
)

from personas import PHQ9_MILD, finish_attention_emails
from unstuck.web.records.models import SafetyAlert

TIMEOUT = 5  # seconds the mail client waits: a page that waited for it takes at least this


@pytest.fixture
def record(make_client, personas):
    personas.therapist.email = "alex@clinic.test"
    personas.therapist.save()
    return make_client("C-MAIL", [PHQ9_MILD])


@pytest.mark.django_db(transaction=True)  # committed as on the server, so the email is started
def test_a_silent_mail_server_does_not_hold_back_the_safety_page(
    client: HttpClient, personas, record, caplog
) -> None:
    _, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    client.get(reverse("portal_link", args=[secret]))
    with silent_smtp() as server, caplog.at_level(logging.WARNING):
        quiet = smtp_settings(server.port) | {"EMAIL_TIMEOUT": TIMEOUT}
        with override_settings(**quiet):
            started = time.monotonic()
            sent = answer_page(client, 1, PHQ9_SAFETY)
            page = client.get(sent["Location"])
            took = time.monotonic() - started
            server.hang_up()  # the email, still waiting for the server, gives up
            finish_attention_emails()
    assert took < 2, f"the safety page took {took:.1f} s"
    assert "Samaritans" in page.text
    assert SafetyAlert.objects.get(client=record).is_open  # the alert never waited for the email
    [line] = [r.getMessage() for r in caplog.records if "attention email" in r.getMessage()]
    assert f"to therapist {personas.therapist.pk} not sent" in line  # it did try that server
    for private in ("C-MAIL", "phq", "safety", "item", str(PHQ9_SAFETY)):
        assert private.lower() not in line.lower()


@pytest.mark.django_db(transaction=True)
def test_the_email_still_arrives_after_the_safety_page(
    client: HttpClient, personas, record
) -> None:
    _, secret = make_request(personas.therapist, record, ["phq9"])
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        client.get(reverse("portal_link", args=[secret]))
        sent = answer_page(client, 1, PHQ9_SAFETY)
        assert "Samaritans" in client.get(sent["Location"]).text
        finish_attention_emails()
    [message] = sink.messages
    assert message["To"] == "alex@clinic.test"
    assert "needs your attention" in body(message)
