"""The audit log page narrows entries by client, person, action and days, and downloads the
same entries as CSV; reading and downloading are each audited, naming the filters."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, AuditEntry


@pytest.fixture
def log(personas) -> None:
    alex, sam = personas.therapist, personas.colleague
    record_audit(alex, AuditAction.VIEW_CLIENT, client_code="C-1")
    record_audit(alex, AuditAction.RECORD_SESSION, client_code="C-1")
    record_audit(sam, AuditAction.VIEW_CLIENT, client_code="C-2")
    record_audit(sam, AuditAction.SIGN_IN)
    record_audit(None, AuditAction.SIGN_IN_FAILED, username="=HYPERLINK(1)")


@pytest.fixture
def admin(client: HttpClient, personas) -> HttpClient:
    client.force_login(personas.administrator)
    return client


def shown(admin: HttpClient, **query: str) -> list[tuple[str, str, str]]:
    page = admin.get(reverse("audit_log"), query)
    assert page.status_code == 200
    return [(e.username, e.action, e.client_code) for e in page.context["page"]]


def test_it_filters_by_person_action_and_client(admin, log) -> None:
    assert shown(admin, who="ALEX") == [
        ("alex", AuditAction.RECORD_SESSION, "C-1"),
        ("alex", AuditAction.VIEW_CLIENT, "C-1"),
    ]
    assert shown(admin, action=AuditAction.VIEW_CLIENT) == [
        ("sam", AuditAction.VIEW_CLIENT, "C-2"),
        ("alex", AuditAction.VIEW_CLIENT, "C-1"),
    ]
    assert shown(admin, who="sam", client="C-2") == [("sam", AuditAction.VIEW_CLIENT, "C-2")]
    assert shown(admin, action="made_up\x00") == []
    page = admin.get(reverse("audit_log")).content.decode()
    assert '<option value="view_client">Viewed a client&#x27;s record</option>' in page


def test_it_filters_by_days(admin, log) -> None:
    today = timezone.localdate()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert shown(admin, to=yesterday) == []
    assert len(shown(admin, **{"from": today.isoformat(), "to": today.isoformat()})) >= 5
    page = admin.get(reverse("audit_log"), {"from": "1 March"})
    assert "Write the first date as year-month-day" in page.content.decode()


def test_reading_the_log_is_audited_with_its_filters(admin, log) -> None:
    admin.get(reverse("audit_log"), {"who": "sam", "action": AuditAction.SIGN_IN})
    row = AuditEntry.objects.filter(action=AuditAction.VIEW_AUDIT_LOG).get()
    assert (row.username, row.detail) == ("admin", "person sam, what: Signed in")


def test_the_download_holds_the_filtered_entries_and_is_audited(admin, log) -> None:
    query = {"who": "sam", "action": AuditAction.VIEW_CLIENT}
    page = admin.get(reverse("audit_log"), query).content.decode()
    assert 'href="/audit.csv?who=sam&amp;action=view_client"' in page
    response = admin.get(reverse("audit_log_csv"), query)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["when", "who", "what", "client", "detail"]
    assert [r[1:4] for r in rows[1:]] == [["sam", "Viewed a client's record", "C-2"]]
    row = AuditEntry.objects.get(action=AuditAction.EXPORT_AUDIT_LOG)
    assert (row.username, row.detail) == ("admin", "person sam, what: Viewed a client's record")


def test_a_typed_name_cannot_become_a_formula_in_the_download(admin, log) -> None:
    response = admin.get(reverse("audit_log_csv"), {"action": AuditAction.SIGN_IN_FAILED})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_only_an_administrator_reads_or_downloads_the_log(client, personas, log) -> None:
    client.force_login(personas.supervisor)
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_log_csv")).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT_AUDIT_LOG).exists()
