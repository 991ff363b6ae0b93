"""A password someone else set cannot be used to read clinical records unnoticed.

The reviewer's path: an administrator set therapist alex's password at
/admin/accounts/user/<id>/password/, signed in as alex and opened alex's client; the audit
log showed "Viewed a client's record" under alex, and the access changes left it out.
"""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PASSWORD, PHQ9_MILD, make_admin
from unstuck.web.accounts.models import AuditAction, AuditEntry, Role, User
from unstuck.web.accounts.services import SERVER_ACTOR

NEW = "an-administrators-pass-phrase-2026"
OWN = "alexs-very-own-pass-phrase-2026"


def set_password(http: HttpClient, account: User, password: str = NEW):
    url = reverse("admin:auth_user_password_change", args=[account.pk])
    data = {"password1": password, "password2": password, "usable_password": "true"}
    return http.post(url, {**data, "set_usable_password": "true"}, follow=True)


def test_a_password_set_by_an_administrator_must_be_replaced_first(personas, make_client) -> None:
    record = make_client("RT-001", [PHQ9_MILD])
    admin = HttpClient()
    admin.force_login(make_admin("root", personas.clinic))
    page = set_password(admin, personas.therapist).content.decode()
    assert "Password set for alex. They must choose a new password" in page
    assert "Password changed successfully" not in page
    personas.therapist.refresh_from_db()
    assert personas.therapist.must_change_password

    grants = admin.get(reverse("audit_log")).content.decode()
    grants = grants[grants.index("Recent changes to who can see clinical records") :]
    assert "Set another person&#x27;s password" in grants
    assert "alex: must choose a new password at their next sign-in" in grants

    alex = HttpClient()
    signed_in = alex.post(reverse("login"), {"username": "alex", "password": NEW}, follow=True)
    assert signed_in.redirect_chain[-1][0] == reverse("password_change")
    assert "Someone else set your password" in signed_in.content.decode()
    assert ">Cancel</a>" not in signed_in.content.decode()  # it would only lead back here
    refused = alex.get(reverse("client", args=[record.pk]))
    assert (refused.status_code, refused["Location"]) == (302, reverse("password_change"))
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_CLIENT).exists()

    data = {"old_password": NEW, "new_password1": OWN, "new_password2": OWN}
    assert alex.post(reverse("password_change"), data).status_code == 302
    assert alex.get(reverse("client", args=[record.pk])).status_code == 200
    personas.therapist.refresh_from_db()
    assert not personas.therapist.must_change_password
    rows = AuditEntry.objects.filter(
        action__in=[AuditAction.SET_OTHERS_PASSWORD, AuditAction.CHANGE_PASSWORD]
    ).order_by("id")
    assert [(e.username, e.action, e.detail) for e in rows] == [
        (
            "root",
            AuditAction.SET_OTHERS_PASSWORD,
            "alex: must choose a new password at their next sign-in",
        ),
        ("alex", AuditAction.CHANGE_PASSWORD, "alex"),
    ]
    # The pages write their own rows: none again as a change made outside the web app.
    assert not AuditEntry.objects.filter(username=SERVER_ACTOR).exists()


def test_an_administrator_setting_their_own_password_is_not_asked_again(personas) -> None:
    admin = HttpClient()
    root = make_admin("root", personas.clinic)
    admin.force_login(root)
    page = set_password(admin, root).content.decode()
    assert "You changed your own password." in page
    root.refresh_from_db()
    assert not root.must_change_password
    assert admin.get(reverse("overview")).status_code == 200


def test_older_passwords_set_for_someone_else_are_among_the_access_changes(personas) -> None:
    AuditEntry.objects.create(user=None, username="root", action="change_password", detail="sam")
    AuditEntry.objects.create(user=None, username="bea", action="change_password", detail="bea")
    admin = HttpClient()
    admin.force_login(make_admin("root2", personas.clinic))
    page = admin.get(reverse("audit_log")).content.decode()
    grants = page[page.index("Recent changes") : page.index("Client code")]
    assert '<td data-label="Detail">sam</td>' in grants
    assert '<td data-label="Detail">bea</td>' not in grants


def test_changepassword_on_the_server_is_audited_and_must_be_replaced(
    personas, monkeypatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda *_, **__: NEW)
    call_command("changepassword", "sam", stdout=io.StringIO())
    sam = User.objects.get(username="sam")
    assert sam.check_password(NEW)
    assert sam.must_change_password
    row = AuditEntry.objects.get(action=AuditAction.SET_OTHERS_PASSWORD)
    assert (row.username, row.user, row.detail) == (
        "(on the server, outside the web app)",
        None,
        "sam: must choose a new password at their next sign-in",
    )
    assert NEW not in row.detail


def test_createsuperuser_is_audited_and_sees_no_clinical_record(personas, make_client) -> None:
    record = make_client("RT-002", [PHQ9_MILD])
    call_command("createsuperuser", "--no-input", "--username", "root2", "--email", "")
    root2 = User.objects.get(username="root2")
    assert (root2.role, root2.clinic_id, root2.is_superuser) == (Role.ADMINISTRATOR, None, True)
    row = AuditEntry.objects.get(action=AuditAction.CREATE_ACCOUNT)
    assert row.username == "(on the server, outside the web app)"
    assert row.detail == "root2: Administrator, full administration rights, no clinic"
    http = HttpClient()
    http.force_login(root2)
    assert http.get(reverse("client", args=[record.pk])).status_code == 404
    assert http.get(reverse("caseload")).status_code == 302  # to the administration page


def test_changes_outside_the_app_are_audited_once(personas) -> None:
    sam = User.objects.get(username="sam")
    sam.role = Role.SUPERVISOR
    sam.is_superuser = True
    sam.save()
    sam.last_login = None
    sam.save(update_fields=["last_login"])  # a sign-in: not a change of access
    sam.set_password(PASSWORD)
    sam.save(update_fields=["password"])  # stored again in a stronger form at sign-in
    rows = AuditEntry.objects.order_by("id")
    assert [(e.action, e.detail) for e in rows] == [
        (AuditAction.CHANGE_ROLE, "sam: Therapist -> Supervisor"),
        (
            AuditAction.CHANGE_ADMIN_RIGHTS,
            "sam: no administration rights -> full rights without the administration screens",
        ),
    ]


def test_a_new_account_chooses_its_own_password_at_first_sign_in(personas, make_client) -> None:
    """The administrator who adds an account knows its first password: its owner replaces it
    before any record opens, so the administrator cannot use it unseen."""
    record = make_client("RT-002", [PHQ9_MILD])
    admin = HttpClient()
    admin.force_login(make_admin("root", personas.clinic))
    added = admin.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "casey",
            "password1": NEW,
            "password2": NEW,
            "usable_password": "true",
            "clinic": personas.clinic.pk,
            "role": Role.THERAPIST,
        },
        follow=True,
    ).content.decode()
    assert "When casey first signs in, they must choose a password of their own" in added
    casey = User.objects.get(username="casey")
    assert casey.must_change_password
    record.therapist = casey
    record.save()

    http = HttpClient()
    signed = http.post(reverse("login"), {"username": "casey", "password": NEW}, follow=True)
    assert signed.redirect_chain[-1][0] == reverse("password_change")
    # No link that would only lead back here: sign-out is the one way on.
    first = signed.content.decode()
    assert f'href="{reverse("client_new")}"' not in first
    assert f'href="{reverse("reflections")}"' not in first
    assert "Sign out" in first
    refused = http.get(reverse("client", args=[record.pk]))
    assert (refused.status_code, refused["Location"]) == (302, reverse("password_change"))
    data = {"old_password": NEW, "new_password1": OWN, "new_password2": OWN}
    assert http.post(reverse("password_change"), data).status_code == 302
    page = http.get(reverse("client", args=[record.pk]))
    assert page.status_code == 200
    assert f'href="{reverse("client_new")}"' in page.content.decode()


def test_the_password_given_cannot_be_kept_as_ones_own(personas) -> None:
    """Entering the administrator's password as old and new was accepted as "changed": the
    administrator still knew the password, and the account was no longer asked to replace it."""
    admin = HttpClient()
    admin.force_login(make_admin("root", personas.clinic))
    added = {"username": "casey", "password1": NEW, "password2": NEW}
    fields = {**added, "clinic": personas.clinic.pk, "role": Role.THERAPIST}
    assert admin.post(reverse("admin:accounts_user_add"), fields).status_code == 302

    http = HttpClient()
    http.post(reverse("login"), {"username": "casey", "password": NEW})
    same = {"old_password": NEW, "new_password1": NEW, "new_password2": NEW}
    refused = http.post(reverse("password_change"), same)
    assert refused.status_code == 200
    assert refused.context["form"].errors["new_password1"] == [
        "Choose a password different from the one you were given: whoever set it knows it."
    ]
    casey = User.objects.get(username="casey")
    assert casey.must_change_password
    assert casey.check_password(NEW)
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE_PASSWORD).exists()
    data = {"old_password": NEW, "new_password1": OWN, "new_password2": OWN}
    assert http.post(reverse("password_change"), data).status_code == 302
