"""Audit rows for signing in and out, failed sign-ins and refused pages."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse

from personas import PASSWORD, PHQ9_MILD
from unstuck.web.accounts.models import AuditAction, AuditEntry

WRONG = "not-the-password-1234"


def actions(**filters: object) -> list[str]:
    return list(
        AuditEntry.objects.filter(**filters).order_by("id").values_list("action", flat=True)
    )


def test_signing_in_and_out_is_audited(client: HttpClient, personas) -> None:
    client.post(reverse("login"), {"username": "alex", "password": PASSWORD})
    client.post(reverse("logout"))
    assert actions(username="alex") == [AuditAction.SIGN_IN, AuditAction.SIGN_OUT]
    assert all(e.user == personas.therapist for e in AuditEntry.objects.all())


def test_a_failed_sign_in_is_audited_without_the_password(client: HttpClient, personas) -> None:
    client.post(reverse("login"), {"username": "alex", "password": WRONG})
    client.post(reverse("login"), {"username": "nobody-here", "password": WRONG})
    failed = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED).order_by("id")
    assert [(e.username, e.user) for e in failed] == [
        ("alex", personas.therapist),
        ("nobody-here", None),
    ]
    for entry in AuditEntry.objects.all():
        assert WRONG not in f"{entry.username} {entry.detail} {entry.client_code}"


def test_a_failed_sign_in_on_the_admin_form_is_audited(client: HttpClient, personas) -> None:
    client.post(reverse("admin:login"), {"username": "admin", "password": WRONG})
    assert actions(username="admin") == [AuditAction.SIGN_IN_FAILED]


def test_a_refused_client_record_is_audited(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-950", [PHQ9_MILD])
    client.force_login(personas.colleague)
    assert client.get(reverse("client", args=[record.pk])).status_code == 404
    assert client.get(reverse("session_new", args=[record.pk])).status_code == 404
    refused = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, username="sam")
    assert [e.detail for e in refused.order_by("id")] == [  # in words, not "404"
        f"not found or not theirs: GET /clients/{record.pk}/",
        f"not found or not theirs: GET /clients/{record.pk}/sessions/new/",
    ]


def test_a_forbidden_page_is_audited(client: HttpClient, personas) -> None:
    client.force_login(personas.therapist)
    assert client.get(reverse("audit_log")).status_code == 403
    assert actions(username="alex", action=AuditAction.ACCESS_DENIED) == ["access_denied"]
    denied = AuditEntry.objects.get(action=AuditAction.ACCESS_DENIED)
    assert denied.detail == "refused (not open to them): GET /audit/"


def test_a_mistyped_address_is_not_a_refusal(client: HttpClient, personas) -> None:
    client.force_login(personas.therapist)
    assert client.get("/no-such-page/").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).exists()


def test_an_administration_screen_refused_to_a_therapist_is_audited(
    client: HttpClient, personas
) -> None:
    """Django's admin answers someone without administration rights with its sign-in form
    (a redirect, not a 403): that refusal is in the audit log too."""
    client.force_login(personas.therapist)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    denied = AuditEntry.objects.get(action=AuditAction.ACCESS_DENIED)
    assert (denied.username, denied.detail) == (
        "alex",
        "sent to sign in (no administration rights): GET /admin/accounts/user/",
    )
    client.get(reverse("caseload"))  # an ordinary page: no refusal
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).count() == 1
