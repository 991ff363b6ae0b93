"""A therapist hands one client over to a colleague, with the whole record.

Before, care could move only with every client of an account (the administrator's "Move their
clients to"); an episode ended as "transferred to a colleague" left the colleague nothing to
carry on with.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.errors import InvalidValue, UnstuckError
from unstuck.web.accounts.models import AuditAction, AuditEntry, Role, User
from unstuck.web.records import handover
from unstuck.web.records.models import Client

RISK = [*PHQ9_SEVERE[:8], 1]  # item 9 answered 1


@pytest.fixture
def record(make_client):
    return make_client("C-HAND", [PHQ9_SEVERE, RISK])


def form_token(http: HttpClient, record: Client) -> tuple[str, str]:
    url = reverse("client_hand_over", args=[record.pk])
    page = http.get(url).content.decode()
    token = re.search(r'name="submit_token" value="([^"]+)"', page)
    assert token is not None
    return url, token.group(1)


def test_the_record_goes_whole_to_the_colleague_s_caseload(
    client: HttpClient, personas, record, make_client
) -> None:
    make_client("C-STAYS", [PHQ9_MILD])
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert reverse("client_hand_over", args=[record.pk]) in page
    url, token = form_token(client, record)
    form = client.get(url).content.decode()
    assert "The open safety alert goes too" in form
    assert f'<option value="{personas.colleague.pk}">' in form
    for other in (personas.therapist, personas.supervisor, personas.administrator):
        assert f'<option value="{other.pk}">' not in form
    sent = {"colleague": str(personas.colleague.pk), "submit_token": token}
    done = client.post(url, sent, follow=True)
    assert "C-HAND is now Sam&#x27;s client, with the whole record" in done.content.decode()
    again = client.post(url, sent)  # the same form sent twice: handed over once
    assert again.status_code == 302

    moved = Client.objects.get(pk=record.pk)
    assert moved.therapist == personas.colleague
    assert (moved.sessions_count, moved.flags[0]) == (2, "safety")
    rows = AuditEntry.objects.filter(action=AuditAction.CLIENTS_MOVED)
    assert [(r.username, r.client_code, r.detail) for r in rows] == [
        ("alex", "C-HAND", "from alex to sam")
    ]
    caseload = client.get(reverse("caseload")).content.decode()
    assert "C-STAYS" in caseload
    assert "C-HAND" not in caseload
    assert client.get(reverse("client", args=[record.pk])).status_code == 404
    client.force_login(personas.colleague)
    theirs = client.get(reverse("caseload")).content.decode()
    assert "C-HAND" in theirs  # at the top, with its open safety alert
    assert client.get(reverse("client", args=[record.pk])).status_code == 200


def test_only_the_client_s_therapist_hands_over(client: HttpClient, personas, record) -> None:
    url = reverse("client_hand_over", args=[record.pk])
    client.force_login(personas.supervisor)
    assert client.get(url).status_code == 403
    client.force_login(personas.colleague)
    assert client.get(url).status_code == 404
    assert Client.objects.get(pk=record.pk).therapist == personas.therapist


def test_only_an_active_therapist_colleague_takes_a_client(
    client: HttpClient, personas, record
) -> None:
    away = User.objects.create_user(
        "kim", clinic=personas.clinic, role=Role.THERAPIST, is_active=False
    )
    client.force_login(personas.therapist)
    for target in (personas.therapist, personas.supervisor, away):
        url, token = form_token(client, record)
        page = client.post(url, {"colleague": str(target.pk), "submit_token": token})
        assert page.status_code == 200
        assert "That colleague can no longer take on clients" in page.content.decode()
        with pytest.raises(InvalidValue, match="not another active therapist of this clinic"):
            handover.hand_over(user=personas.therapist, client=record, target=target)
    assert Client.objects.get(pk=record.pk).therapist == personas.therapist
    assert not AuditEntry.objects.filter(action=AuditAction.CLIENTS_MOVED).exists()


def test_a_client_handed_over_meanwhile_is_not_handed_on_by_the_former_therapist(
    personas, record
) -> None:
    """Two pages of the client open: the first hands them to Sam; the second, sent after,
    moved them on from Sam to a third therapist, in the former therapist's name."""
    second_page = Client.objects.get(pk=record.pk)
    handover.hand_over(user=personas.therapist, client=record, target=personas.colleague)
    kim = User.objects.create_user("kim", clinic=personas.clinic, role=Role.THERAPIST)
    with pytest.raises(UnstuckError, match="C-HAND is no longer your client"):
        handover.hand_over(user=personas.therapist, client=second_page, target=kim)
    assert Client.objects.get(pk=record.pk).therapist == personas.colleague
    rows = AuditEntry.objects.filter(action=AuditAction.CLIENTS_MOVED)
    assert [r.detail for r in rows] == ["from alex to sam"]


def test_the_colleague_sees_who_recorded_the_earlier_sessions(
    client: HttpClient, personas, record
) -> None:
    """Only a session's author corrects it: the new therapist is told whose sessions these
    are, rather than finding no way to correct them and no reason why."""
    handover.hand_over(user=personas.therapist, client=record, target=personas.colleague)
    client.force_login(personas.colleague)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert page.count("Recorded by Alex</span>") == 2
    assert page.count("Only the person who recorded a session can correct it") == 1
    assert reverse("session_correct", args=[record.pk, 1]) not in page
    client.force_login(personas.supervisor)  # reads, corrects nothing, is told nothing of it
    assert (
        "who alone can correct it"
        not in client.get(reverse("client", args=[record.pk])).content.decode()
    )
