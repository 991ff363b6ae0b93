"""Every action of the audit log's vocabulary is written where it happens, and a test holds it.

The services and pages here had no test of their own audit row: opening forms and pages that
show records, printing, the client pages' links, codes and answers, and an administrator's
changes to rights and accounts. The last test keeps it so: every action in `AuditAction` is
named by some test.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from portal_helpers import PHQ9_SAFETY, answer_page, make_request

from personas import PHQ9_MILD, PHQ9_SEVERE, make_admin
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.accounts.services import AccountState, audit_account_saved
from unstuck.web.portal import services as portal
from unstuck.web.reviews import services as reviews

TESTS = Path(__file__).resolve().parent.parent


def actions_since(first_id: int) -> list[str]:
    return list(
        AuditEntry.objects.filter(id__gt=first_id).order_by("id").values_list("action", flat=True)
    )


def newest_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_pages_that_show_or_print_records_write_their_rows(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-800", [PHQ9_SEVERE, PHQ9_SEVERE])
    alex = personas.therapist
    review = reviews.open_review(user=alex, client=record, ratings={})
    request, _ = make_request(alex, record)  # while the episode is in progress
    letter = reviews.close_with_letter(
        user=alex, client=record, kind="termination", ended_on=dt.date(2026, 3, 1)
    )
    client.force_login(alex)
    pages = [
        (reverse("session_new", args=[record.pk]), AuditAction.OPEN_SESSION_FORM),
        (reverse("goals", args=[record.pk]), AuditAction.VIEW_GOALS),
        (reverse("review_new", args=[record.pk]), AuditAction.OPEN_REVIEW_FORM),
        (reverse("review", args=[review.pk]), AuditAction.VIEW_REVIEW),
        (reverse("consultation", args=[record.pk]), AuditAction.PRINT_CONSULTATION),
        (reverse("letter", args=[record.pk, letter.pk]), AuditAction.PRINT_LETTER),
        (reverse("portal_request", args=[request.pk]), AuditAction.PORTAL_REQUEST_VIEWED),
    ]
    for url, action in pages:
        before = newest_id()
        assert client.get(url).status_code == 200, url
        assert actions_since(before) == [action], url
    row = AuditEntry.objects.filter(action=AuditAction.PRINT_LETTER).get()
    assert (row.username, row.client_code, row.detail) == ("alex", "C-800", "Ending summary")


def test_the_team_figures_and_the_audit_log_write_their_rows(client: HttpClient, personas) -> None:
    client.force_login(personas.supervisor)
    before = newest_id()
    assert client.get(reverse("team")).status_code == 200
    assert actions_since(before) == [AuditAction.VIEW_TEAM_FIGURES]
    client.force_login(personas.administrator)
    before = newest_id()
    assert client.get(reverse("audit_log")).status_code == 200
    assert actions_since(before) == [AuditAction.VIEW_AUDIT_LOG]


def test_a_requests_new_link_and_kiosk_code_write_their_rows(personas, make_client) -> None:
    record = make_client("C-801", [PHQ9_MILD])
    request, _ = make_request(personas.therapist, record)
    before = newest_id()
    portal.new_link(user=personas.therapist, request=request)
    portal.new_kiosk_code(user=personas.therapist, request=request, now=timezone.now())
    assert actions_since(before) == [
        AuditAction.PORTAL_LINK_CREATED,
        AuditAction.PORTAL_KIOSK_CODE_CREATED,
    ]
    rows = AuditEntry.objects.filter(id__gt=before)
    assert {(r.username, r.client_code) for r in rows} == {("alex", "C-801")}


def test_a_clients_safety_answer_and_barriers_write_their_rows(personas, make_client) -> None:
    record = make_client("C-802", [PHQ9_MILD])
    _, secret = make_request(personas.therapist, record, ["phq9", "barriers"])
    phone = HttpClient()
    assert phone.get(reverse("portal_link", args=[secret])).status_code == 302
    before = newest_id()
    assert answer_page(phone, 1, PHQ9_SAFETY).status_code == 302
    assert answer_page(phone, 2, [0, 0, 0, 0, 0, 3])["Location"] == reverse("portal_done")
    written = actions_since(before)
    assert AuditAction.PORTAL_SAFETY_ANSWER in written
    assert AuditAction.PORTAL_BARRIERS_REPORTED in written
    safety = AuditEntry.objects.get(action=AuditAction.PORTAL_SAFETY_ANSWER)
    assert safety.user is None  # the client answered; no staff member is named
    assert safety.client_code == "C-802"


def test_a_page_stored_before_the_rest_writes_its_row(personas, make_client) -> None:
    record = make_client("C-803", [PHQ9_MILD])
    _, secret = make_request(personas.therapist, record, ["phq9", "gad7"])
    phone = HttpClient()
    assert phone.get(reverse("portal_link", args=[secret])).status_code == 302
    before = newest_id()
    assert answer_page(phone, 1, PHQ9_MILD).status_code == 302
    assert actions_since(before) == [AuditAction.PORTAL_PAGE_SENT]
    row = AuditEntry.objects.get(action=AuditAction.PORTAL_PAGE_SENT)
    assert (row.user, row.client_code) == (None, "C-803")
    assert row.detail.endswith(": PHQ-9")  # the page's name, never its answers


def test_an_administrators_changes_to_rights_and_accounts_write_their_rows(personas) -> None:
    account = personas.colleague
    account.is_active = False
    account.save()
    before_state = AccountState.of(account)
    account.is_active = True
    account.is_staff = True
    account.email = "sam@example.test"
    account.save()
    before = newest_id()
    audit_account_saved(actor=personas.administrator, account=account, before=before_state)
    assert actions_since(before) == [
        AuditAction.CHANGE_ADMIN_RIGHTS,
        AuditAction.REACTIVATE_ACCOUNT,
        AuditAction.CHANGE_ACCOUNT,
    ]
    rows = AuditEntry.objects.filter(id__gt=before).order_by("id")
    details = list(rows.values_list("detail", flat=True))
    assert details == [
        "sam: no administration rights -> the administration screens without full rights",
        "sam",
        "sam: email",
    ]


def test_a_change_to_the_client_pages_settings_writes_its_row(client: HttpClient, personas):
    """The clinic's settings for the client pages (the safety message clients read among
    them) are changed in the administration screens: each change names what changed, from
    what to what (the safety message only as changed: its text is long)."""
    from unstuck.web.portal.models import PortalSettings

    client.force_login(make_admin("root", personas.clinic))
    before = newest_id()
    add = reverse("admin:portal_portalsettings_add")
    data = {"clinic": personas.clinic.pk, "expiry_days": 4, "reminder_days": 2}
    assert client.post(add, {**data, "show_own_scores": "on"}).status_code == 302
    row = AuditEntry.objects.get(id__gt=before, action=AuditAction.CHANGE_PORTAL_SETTINGS)
    assert row.detail == "Test clinic: first saved; Show own scores no -> yes"  # from defaults
    settings = PortalSettings.objects.get()
    url = reverse("admin:portal_portalsettings_change", args=[settings.pk])
    message = "If you are in danger now, call 999 or go to A&E."
    changed = {**data, "expiry_days": 7, "reminder_days": 3, "safety_message": message}
    before = newest_id()
    response = client.post(url, changed)
    assert response.status_code == 302, response.content.decode()[:1500]
    row = AuditEntry.objects.get(id__gt=before, action=AuditAction.CHANGE_PORTAL_SETTINGS)
    assert row.username == "root"
    assert row.detail == (
        "Test clinic: Links expire after (days) 4 -> 7, Reminder after (days) 2 -> 3, "
        "Safety message changed, Show own scores yes -> no"
    )
    delete = reverse("admin:portal_portalsettings_delete", args=[settings.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PortalSettings.objects.filter(pk=settings.pk).exists()


def test_every_action_of_the_vocabulary_is_named_by_a_test() -> None:
    """A new action needs a test of the row it writes (this file is excluded)."""
    sources = "\n".join(
        p.read_text("utf-8") for p in TESTS.rglob("test_*.py") if p.name != Path(__file__).name
    )
    sources += Path(__file__).read_text("utf-8").split("def test_every_action_of")[0]
    named = set(re.findall(r"AuditAction\.([A-Z_]+)", sources))
    named |= {a.name for a in AuditAction if f'"{a.value}"' in sources}
    missing = sorted(a.name for a in AuditAction if a.name not in named)
    assert not missing, missing
