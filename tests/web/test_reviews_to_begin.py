"""Clients whose next step is an impasse review nobody has begun: the caseload's filter and the
team page's count, both read from the step the client's status gives (`snapshots.next_step`)."""

from __future__ import annotations

import re

from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.accounts.models import Role, User
from unstuck.web.reviews import services

SAFETY = [1, 1, 1, 1, 1, 1, 0, 0, 2]  # a safety answer: an alert, which comes first


def _team(personas, make_client) -> None:  # type: ignore[no-untyped-def]
    make_client("SYN-WORSE", [PHQ9_MILD, PHQ9_SEVERE, PHQ9_SEVERE])
    begun = make_client("SYN-BEGUN", [PHQ9_MILD, PHQ9_SEVERE, PHQ9_SEVERE])
    services.open_review(user=personas.therapist, client=begun, ratings={})
    make_client("SYN-SAFETY", [PHQ9_MILD, PHQ9_SEVERE, SAFETY])
    make_client("SYN-BETTER", [PHQ9_SEVERE, PHQ9_MILD, PHQ9_MILD])
    make_client("SYN-SAM", [PHQ9_MILD, PHQ9_SEVERE, PHQ9_SEVERE], therapist=personas.colleague)


def test_the_caseload_lists_the_clients_whose_review_nobody_has_begun(
    client: HttpClient, personas, make_client
) -> None:
    _team(personas, make_client)
    client.force_login(personas.therapist)
    page = client.get(reverse("caseload") + "?status=review_suggested").content.decode()
    assert re.findall(r'data-client="([^"]+)"', page) == ["SYN-WORSE"]
    assert "consider an impasse review" in page
    assert (
        '<option value="review_suggested" selected>Impasse review suggested, none begun</option>'
        in page
    )
    everyone = re.findall(
        r'data-client="([^"]+)"', client.get(reverse("caseload")).content.decode()
    )
    assert set(everyone) == {"SYN-WORSE", "SYN-BEGUN", "SYN-SAFETY", "SYN-BETTER"}


def test_the_team_page_counts_them_and_links_the_supervisor_to_them(
    client: HttpClient, personas, make_client
) -> None:
    _team(personas, make_client)
    client.force_login(personas.supervisor)
    team = client.get(reverse("team")).content.decode()
    assert "2 clients are getting worse or not on track with no impasse review begun" in team
    assert 'href="/?status=review_suggested"' in team
    listed = client.get(reverse("caseload") + "?status=review_suggested").content.decode()
    assert re.findall(r'data-client="([^"]+)"', listed) == ["SYN-SAM", "SYN-WORSE"]
    lead = User.objects.create_user(
        "casey", password="x", clinic=personas.clinic, role=Role.CLINIC_LEAD
    )
    client.force_login(lead)
    whole = client.get(reverse("team")).content.decode()
    assert "2 clients are getting worse or not on track with no impasse review begun" in whole
    assert "status=review_suggested" not in whole  # a clinic lead opens no caseload
