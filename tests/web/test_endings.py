"""Endings: a preview before an episode ends; ended episodes leave the active caseload (the
"Ended" filter shows them); the client page links every letter; an episode can be reopened."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.records import alerts, corrections, selectors, services
from unstuck.web.records.models import CheckOutcome
from unstuck.web.reviews import services as reviews

RISK_1 = [1, 1, 1, 1, 1, 1, 0, 0, 1]


def rows(client: HttpClient, **query: str) -> list[str]:
    body = client.get(reverse("caseload"), query).content.decode()
    return re.findall(r'data-client="([^"]+)"', body)


def test_the_preview_says_what_will_happen_and_ends_nothing(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-801", [PHQ9_MILD])
    client.force_login(personas.therapist)
    url = reverse("episode_end_preview", args=[record.pk])
    page = client.get(url, {"ended_on": "2026-02-01", "reason": "completed"}).content.decode()
    assert "What will happen" in page
    assert "leaves your active caseload" in page
    assert reverse("episode_end", args=[record.pk]) in page
    assert selectors.current_episode(record).ended_on is None
    assert not AuditEntry.objects.filter(action="end_episode").exists()
    bad = client.get(url, {"ended_on": "soon", "reason": "completed"}).content.decode()
    assert "Give the date" in bad


def test_an_ended_episode_leaves_the_active_caseload_and_can_be_reopened(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-802", [PHQ9_MILD])
    make_client("C-803", [PHQ9_MILD])
    client.force_login(personas.therapist)
    client.post(
        reverse("episode_end", args=[record.pk]), {"ended_on": "2026-02-01", "reason": "completed"}
    )
    assert rows(client) == ["C-803"]
    assert rows(client, status="ended") == ["C-802"]
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert reverse("episode_reopen", args=[record.pk]) in page
    assert client.post(reverse("episode_reopen", args=[record.pk])).status_code == 302
    assert selectors.current_episode(record).ended_on is None
    assert sorted(rows(client)) == ["C-802", "C-803"]
    assert AuditEntry.objects.get(action="end_episode").detail == "Completed (planned ending)"
    reopened = AuditEntry.objects.get(action="reopen_episode")
    assert reopened.detail == "ended 2026-02-01: Completed (planned ending)"  # the label


def test_a_referred_client_with_an_open_alert_stays_in_the_safety_group_until_checked(
    client: HttpClient, personas, make_client
) -> None:
    """Ending an episode takes a client off the active caseload, but an open safety alert is
    never hidden: the client stays in the safety group until the check is recorded."""
    record = make_client("C-804", [PHQ9_MILD, RISK_1])
    letter = reviews.close_with_letter(
        user=personas.therapist,
        client=record,
        kind="referral",
        ended_on=dt.date(2026, 2, 1),
        recipient="Community team",
        safety_considered=True,
    )
    client.force_login(personas.therapist)
    assert rows(client) == ["C-804"]
    assert rows(client, status="safety") == ["C-804"]
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert 'id="safety-alert"' in page  # the open alert still shows on the client's page
    assert reverse("letter", args=[record.pk, letter.pk]) in page
    alerts.record_safety_check(
        user=personas.therapist, client=record, outcome=CheckOutcome.NO_CURRENT_RISK
    )
    assert rows(client) == []
    assert rows(client, status=selectors.ENDED) == ["C-804"]


def test_the_letter_preview_writes_nothing(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-805", [PHQ9_MILD])
    client.force_login(personas.therapist)
    data = {"kind": "termination", "ended_on": "2026-02-01", "reason": "Goals met", "preview": "1"}
    page = client.post(reverse("close", args=[record.pk]), data).content.decode()
    assert "Before you close" in page
    assert "Goals met" in page
    # the letter itself, word for word, not a description of it (a reviewer could not see
    # the text before the button that also closes the episode)
    text = page[page.index('id="letter-text"') :]
    assert "Ending summary: C-805" in text
    assert "The door stays open" in text
    assert not record.letters.exists()
    assert selectors.current_episode(record).ended_on is None


def test_reopen_is_for_the_therapist_only(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-806", [PHQ9_MILD])
    services.end_episode(
        user=personas.therapist, client=record, ended_on=dt.date(2026, 2, 1), reason="completed"
    )
    client.force_login(personas.colleague)
    assert client.post(reverse("episode_reopen", args=[record.pk])).status_code == 404
    client.force_login(personas.supervisor)
    assert client.post(reverse("episode_reopen", args=[record.pk])).status_code == 403
    assert selectors.current_episode(record).ended_on is not None
    record.refresh_from_db()
    corrections.reopen_episode(user=personas.therapist, client=record)
    record.refresh_from_db()
    assert record.episode_ended_on is None


def test_a_search_finds_ended_clients_and_their_status_says_ended(
    client: HttpClient, personas, make_client
) -> None:
    """Searching with every status found no ended client ('0 clients'), and an ended episode's
    page and row still showed the last live status ('At risk') as if the work went on."""
    record = make_client("C-804", [PHQ9_MILD])
    client.force_login(personas.therapist)
    client.post(
        reverse("episode_end", args=[record.pk]), {"ended_on": "2026-02-01", "reason": "referred"}
    )
    assert rows(client) == []
    assert rows(client, q="C-804") == ["C-804"]
    row = client.get(reverse("caseload"), {"q": "C-804"}).content.decode()
    assert '<span class="badge ended">Ended</span>' in row
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    heading = page[page.index("<h1>") : page.index("</h1>")]
    assert "Ended" in heading
    assert "Not enough data" not in heading
    assert 'Status: <span class="badge ended">Ended</span> Referred elsewhere, 2026-02-01.' in page


def test_opening_a_post_only_address_leads_to_the_client_page(client, personas, make_client):
    """GET /clients/N/reopen/ told the client's own therapist 'This page is not open to your
    account'."""
    record = make_client("C-807", [PHQ9_MILD])
    client.force_login(personas.therapist)
    for name in ("episode_reopen", "episode_end"):
        response = client.get(reverse(name, args=[record.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("client", args=[record.pk])
    client.force_login(personas.supervisor)  # may read, not write: still refused
    assert client.get(reverse("episode_reopen", args=[record.pk])).status_code == 403


def test_the_ended_view_says_what_it_lists_and_lists_the_latest_ending_first(
    client: HttpClient, personas, make_client
) -> None:
    """The "Ended" filter said "3 clients · 1 off track · 1 at risk. Ordered by urgency: ..."
    above rows whose badges all read "Ended", and was ordered by the status at the ending."""
    worse = make_client("C-E1", [PHQ9_MILD, PHQ9_SEVERE])
    flat = make_client("C-E2", [[2, 2, 2, 2, 2, 2, 1, 1, 0]] * 6)
    mild = make_client("C-E3", [PHQ9_MILD])
    assert (worse.status, flat.status) == ("off_track", "at_risk")
    for record, day in ((worse, 1), (flat, 2), (mild, 3)):
        services.end_episode(
            user=personas.therapist,
            client=record,
            ended_on=dt.date(2026, 2 + day, 1),
            reason="completed",
        )
    client.force_login(personas.therapist)
    page = client.get(reverse("caseload"), {"status": "ended"}).content.decode()
    assert "3 ended episodes, the most recently ended first." in page
    assert "off track ·" not in page
    assert "Ordered by urgency" not in page
    assert rows(client, status="ended") == ["C-E3", "C-E2", "C-E1"]
    make_client("C-E4", [PHQ9_MILD])
    page = client.get(reverse("caseload")).content.decode()
    assert "1 client · 0 off track · 0 at risk. Ordered by urgency" in page
