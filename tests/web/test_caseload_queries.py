"""No N+1 on the caseload: the number of queries does not grow with the number of clients."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE


def queries_for_caseload(client: HttpClient) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("caseload")).status_code == 200
    return len(ctx.captured_queries)


def test_the_caseload_costs_the_same_queries_for_3_and_30_clients(
    client: HttpClient, personas, make_client
) -> None:
    for i in range(3):
        make_client(f"C-{i:03}", [PHQ9_MILD, PHQ9_SEVERE])
    client.force_login(personas.supervisor)  # sees the therapist's clients and their names
    queries_for_caseload(client)  # first: loads the instrument definitions, starts the session
    few = queries_for_caseload(client)
    for i in range(3, 30):
        make_client(f"C-{i:03}", [PHQ9_SEVERE, PHQ9_MILD], therapist=personas.colleague)
    many = queries_for_caseload(client)
    assert many == few
    assert few <= 8  # session, user, clients (with therapists), audit write, and little else


def test_each_row_shows_the_latest_phq9_and_its_band_or_none_yet(
    client: HttpClient, personas, make_client
) -> None:
    make_client("C-LATEST", [PHQ9_SEVERE, PHQ9_MILD])
    make_client("C-NONE", [None])  # a session with no questionnaire
    client.force_login(personas.therapist)
    page = client.get(reverse("caseload")).content.decode()

    def cell(code: str) -> str:
        row = re.search(rf'<tr[^>]*data-client="{code}">(.*?)</tr>', page, re.S)
        assert row, code
        found = re.search(r'data-label="Latest PHQ-9">(.*?)</td>', row.group(1), re.S)
        assert found, code
        return re.sub(r"<[^>]+>", "", found.group(1)).strip()

    assert cell("C-LATEST") == "6 mild"
    assert cell("C-NONE") == "none yet"


def test_the_signed_in_user_comes_with_their_clinic_in_one_query(
    client: HttpClient, personas
) -> None:
    client.force_login(personas.therapist)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("caseload")).status_code == 200
    alone = [q["sql"] for q in ctx.captured_queries if 'FROM "accounts_clinic"' in q["sql"]]
    assert alone == []  # the page asks whether the clinic is synthetic: read with the user
