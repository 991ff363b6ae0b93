"""The caseload's words fit who reads it: a supervisor reads a supervisee's clients read-only,
so the safety banner does not ask them to check in with those clients themselves."""

from __future__ import annotations

import html
import re

from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_SEVERE

RISK_1 = [3, 3, 3, 3, 2, 2, 2, 2, 1]


def banner(http: HttpClient) -> str:
    page = html.unescape(http.get(reverse("caseload")).content.decode())
    found = re.search(r'<div[^>]*id="safety-summary">(.*?)</div>', page, re.S)
    assert found
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_the_safety_banner_asks_the_therapist_and_tells_a_supervisor_who_is_asked(
    client: HttpClient, personas, make_client
) -> None:
    make_client("C-CW1", [PHQ9_SEVERE, RISK_1])  # the supervised therapist's client
    client.force_login(personas.therapist)
    own = banner(client)
    assert "It is listed first; please check in with them about safety." in own
    client.force_login(personas.supervisor)
    supervising = banner(client)
    assert "please check in with them about safety" not in supervising
    assert "The client's therapist (in the Therapist column) is asked to check in" in supervising
    assert "you can talk it over with the therapist" in supervising
    make_client("C-CW2", [PHQ9_SEVERE, RISK_1])
    assert "Each client's therapist (in the Therapist column) is asked" in banner(client)
    client.force_login(personas.therapist)
    assert "They are listed first, the newest answer first; please check in" in banner(client)
