"""Who can reach a client record: the therapist, their supervisor (read-only), nobody else.

A client a person may not see answers 404 exactly like a client that does not exist.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD


@pytest.fixture
def record(make_client):
    return make_client("C-100", [PHQ9_MILD, PHQ9_MILD])


def pages(client_id: int) -> list[str]:
    return [
        reverse("client", args=[client_id]),
        reverse("session_new", args=[client_id]),
    ]


def test_it_shows_the_client_to_its_therapist(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    for url in pages(record.pk):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["colleague", "outsider", "administrator"])
def test_it_answers_404_to_anyone_else(client: HttpClient, personas, record, who: str) -> None:
    client.force_login(getattr(personas, who))
    for url in pages(record.pk):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("episode_end", args=[record.pk])).status_code == 404


def test_a_missing_client_and_a_forbidden_one_look_the_same(
    client: HttpClient, personas, record
) -> None:
    client.force_login(personas.colleague)
    forbidden = client.get(reverse("client", args=[record.pk]))
    missing = client.get(reverse("client", args=[record.pk + 999]))
    assert forbidden.status_code == missing.status_code == 404
    # The styled 404 has the sign-out form, whose CSRF token is masked afresh on each page.
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", forbidden.content) == token.sub(b"", missing.content)


def test_the_supervisor_reads_but_cannot_write(client: HttpClient, personas, record) -> None:
    client.force_login(personas.supervisor)
    page = client.get(reverse("client", args=[record.pk]))
    assert page.status_code == 200
    assert b"Record a session" not in page.content
    assert client.get(reverse("session_new", args=[record.pk])).status_code == 403
    caseload = client.get(reverse("caseload"))
    assert b"C-100" in caseload.content


def test_the_caseload_lists_only_own_clients(client: HttpClient, personas, make_client) -> None:
    make_client("MINE-1", [PHQ9_MILD])
    make_client("THEIRS-1", [PHQ9_MILD], therapist=personas.colleague)
    client.force_login(personas.therapist)
    body = client.get(reverse("caseload")).content.decode()
    assert "MINE-1" in body
    assert "THEIRS-1" not in body


def test_anonymous_visitors_are_sent_to_sign_in(client: HttpClient, record) -> None:
    for url in [reverse("caseload"), *pages(record.pk)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
