"""A client's name and contact details can be changed after the client was added.

They could be typed only on the new-client form, so a client added without an email address
could never be emailed a questionnaire link (59 of the 60 demo clients).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.portal.messaging import messenger


@pytest.fixture
def record(make_client):
    return make_client("C-DET", [PHQ9_MILD])


def send(http: HttpClient, record, **data: str):
    url = reverse("client_details", args=[record.pk])
    page = http.get(url).content.decode()
    token = re.search(r'name="submit_token" value="([^"]+)"', page)
    assert token is not None
    return http.post(url, {**data, "submit_token": token.group(1)}, follow=True)


def test_the_therapist_adds_an_email_address_later_and_it_is_audited_without_it(
    client: HttpClient, personas, record, settings
) -> None:
    settings.EMAIL_CONFIGURED = True
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert reverse("client_details", args=[record.pk]) in page
    response = send(client, record, name="", contact="client@example.test")
    assert "Saved the contact details." in response.content.decode()
    record.refresh_from_db()
    assert record.contact == "client@example.test"
    assert messenger().can_reach(record.contact)
    row = AuditEntry.objects.filter(action=AuditAction.CHANGE_CLIENT_DETAILS).get()
    assert (row.client_code, row.detail) == ("C-DET", "contact details")
    assert "example.test" not in row.detail


def test_bad_details_are_refused_with_what_was_typed_kept(
    client: HttpClient, personas, record
) -> None:
    client.force_login(personas.therapist)
    response = send(client, record, name="Ann\nB", contact="x" * 201)
    assert response.status_code == 200
    assert "Ann" in response.content.decode()
    record.refresh_from_db()
    assert (record.name, record.contact) == ("", "")
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE_CLIENT_DETAILS).exists()


def test_only_the_clients_therapist_changes_them(client: HttpClient, personas, record) -> None:
    url = reverse("client_details", args=[record.pk])
    client.force_login(personas.colleague)
    assert client.get(url).status_code == 404
    client.force_login(personas.supervisor)
    assert client.get(url).status_code == 403
    assert (
        reverse("client_details", args=[record.pk])
        not in client.get(reverse("client", args=[record.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("contact", "address"),
    [
        ("07700 900123, jo.bloggs@example.org", "jo.bloggs@example.org"),
        ("Jo <jo@example.org>; mobile 07700 900123", "jo@example.org"),
        ("07700 900123", None),
        ("", None),
    ],
)
def test_the_email_address_is_found_beside_a_phone_number(
    contact: str, address: str | None, settings
) -> None:
    """A phone number typed beside the address made the client unreachable by email."""
    from portal_helpers import smtp_settings, smtp_sink

    from unstuck.web.portal.messaging import EmailMessenger, email_address

    assert email_address(contact) == address
    with smtp_sink() as sink:
        for name, value in smtp_settings(sink.port).items():
            setattr(settings, name, value)
        assert EmailMessenger().can_reach(contact) is (address is not None)
        if address:
            EmailMessenger().send(to=contact, subject="s", body="b")
    assert [m["To"] for m in sink.messages] == ([address] if address else [])
