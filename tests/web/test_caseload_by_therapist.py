"""A supervisor narrows the caseload to one therapist's clients, to prepare supervision.

A supervisor of many therapists saw every client in one list, mixed (46 in the demo, 1,000 at
clinic scale), with no way to see one supervisee's clients alone.
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE

RISK = [*PHQ9_SEVERE[:8], 2]


@pytest.fixture
def clinic(personas, make_client):
    make_client("C-ALEX", [PHQ9_MILD])
    make_client("C-SAM", [PHQ9_MILD], therapist=personas.colleague)
    make_client("C-SAM-RISK", [PHQ9_SEVERE, RISK], therapist=personas.colleague)
    return personas


def caseload(http: HttpClient, **query: str) -> str:
    return http.get(reverse("caseload"), query).content.decode()


def test_the_supervisor_sees_one_therapist_s_clients(client: HttpClient, clinic) -> None:
    client.force_login(clinic.supervisor)
    everyone = caseload(client)
    assert '<select name="therapist">' in everyone
    for code in ("C-ALEX", "C-SAM", "C-SAM-RISK"):
        assert code in everyone
    alex = caseload(client, therapist=str(clinic.therapist.pk))
    assert "C-ALEX" in alex
    assert "C-SAM" not in alex
    assert f'<option value="{clinic.therapist.pk}" selected>' in alex
    # Sam's safety answer is not in this list, and the page says so.
    assert "1 of them is not in this list" in alex
    assert "show the clients with a safety answer" in alex


@pytest.mark.parametrize("asked", ["outsider", "administrator", "nonsense"])
def test_a_therapist_the_supervisor_does_not_see_is_no_filter(
    client: HttpClient, clinic, asked: str
) -> None:
    """Someone else's id, or no id at all, shows the whole caseload: nothing of another
    caseload, and never a 500."""
    client.force_login(clinic.supervisor)
    chosen = "1e3" if asked == "nonsense" else str(getattr(clinic, asked).pk)
    page = caseload(client, therapist=chosen)
    for code in ("C-ALEX", "C-SAM", "C-SAM-RISK"):
        assert code in page


def test_a_therapist_has_no_therapist_choice(client: HttpClient, clinic) -> None:
    client.force_login(clinic.therapist)
    page = caseload(client, therapist=str(clinic.colleague.pk))
    assert '<select name="therapist">' not in page
    assert "C-ALEX" in page
    assert "C-SAM" not in page
