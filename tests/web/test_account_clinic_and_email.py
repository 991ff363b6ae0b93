"""Every account but an administrator's has a clinic; a therapist's clinic changes only once
their clients are handed over, and the change is audited; a new account can be given an email
address, and the Administration page names those with a caseload and no address."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from test_admin_roles import change_form, change_url

from personas import PHQ9_MILD, make_admin, visible_text
from unstuck.web.accounts.models import AuditAction, AuditEntry, Clinic, Role, User
from unstuck.web.accounts.services import SERVER_ACTOR

PASSWORD = "a-long-new-password-42"


@pytest.fixture
def admin(client: HttpClient, personas) -> HttpClient:
    client.force_login(make_admin("root", personas.clinic))
    return client


def add(admin: HttpClient, **fields: object):
    data = {
        "username": "casey",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "usable_password": "true",
        "role": Role.THERAPIST,
        **fields,
    }
    return admin.post(reverse("admin:accounts_user_add"), data)


def test_a_new_therapist_needs_a_clinic_and_can_be_given_an_email(admin, personas) -> None:
    refused = add(admin, clinic="")
    assert refused.status_code == 200
    assert "Choose the clinic this person works in" in refused.content.decode()
    assert not User.objects.filter(username="casey").exists()
    form = admin.get(reverse("admin:accounts_user_add")).content.decode()
    assert 'name="email"' in form
    assert "emailed when a client of theirs gives a safety answer" in form
    done = add(admin, clinic=personas.clinic.pk, email="casey@example.org")
    assert done.status_code == 302
    assert User.objects.get(username="casey").email == "casey@example.org"


def test_a_new_account_is_asked_only_what_unstuck_uses(admin, personas) -> None:
    """Django's add page offered "Password-based authentication" against Single Sign-On or
    LDAP: Unstuck has neither, and an account saved without a password could never sign in
    (nor was it asked to choose its own). Rights come from the role, not from boxes here."""
    page = admin.get(reverse("admin:accounts_user_add"))
    fields = list(page.context["adminform"].form.fields)
    assert fields == [
        "username",
        "password1",
        "password2",
        "first_name",
        "last_name",
        "email",
        "clinic",
        "role",
        "supervisor",
    ]
    text = page.content.decode()
    for absent in ("Single Sign-On", 'name="usable_password"', 'name="is_staff"'):
        assert absent not in text, absent
    forged = {"usable_password": "false", "is_staff": "on", "is_superuser": "on"}
    refused = add(admin, clinic=personas.clinic.pk, password1="", password2="", **forged)
    assert refused.status_code == 200
    assert not User.objects.filter(username="casey").exists()
    assert add(admin, clinic=personas.clinic.pk, **forged).status_code == 302
    casey = User.objects.get(username="casey")
    assert casey.check_password(PASSWORD)
    assert casey.must_change_password
    assert not casey.is_staff
    assert not casey.is_superuser


def test_an_administrator_may_have_no_clinic(admin) -> None:
    assert add(admin, clinic="", role=Role.ADMINISTRATOR).status_code == 302


def test_a_new_administrator_can_administer(admin, personas) -> None:
    """An account added as an administrator gets the administration screens (as `unstuck
    setup`'s first one), audited; any other role gets none (a forged box is ignored above)."""
    assert add(admin, clinic=personas.clinic.pk, role=Role.ADMINISTRATOR).status_code == 302
    casey = User.objects.get(username="casey")
    assert (casey.is_staff, casey.is_superuser) == (True, True)
    row = AuditEntry.objects.get(action=AuditAction.CREATE_ACCOUNT, detail__startswith="casey")
    assert "Administrator, full administration rights" in row.detail
    assert casey.must_change_password  # their own password first, then the screens
    assert add(admin, username="dana", clinic=personas.clinic.pk).status_code == 302
    dana = User.objects.get(username="dana")  # a therapist
    assert (dana.is_staff, dana.is_superuser) == (False, False)


def test_a_therapists_clinic_cannot_be_emptied(admin, personas) -> None:
    sam = personas.colleague
    refused = admin.post(change_url(sam), change_form(sam, clinic=""))
    assert refused.status_code == 200
    assert "Choose the clinic this person works in" in refused.content.decode()
    sam.refresh_from_db()
    assert sam.clinic_id == personas.clinic.pk


def test_a_therapist_with_clients_keeps_their_clinic_until_they_are_handed_over(
    admin, personas, make_client
) -> None:
    alex = personas.therapist
    record = make_client("C-980", [PHQ9_MILD])
    other = Clinic.objects.create(name="Other clinic", synthetic=True)
    refused = admin.post(change_url(alex), change_form(alex, clinic=other.pk))
    assert refused.status_code == 200
    assert "choose a colleague to move them to before changing their clinic" in (
        refused.content.decode()
    )
    alex.refresh_from_db()
    assert alex.clinic_id == personas.clinic.pk
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE_ACCOUNT_CLINIC).exists()
    # A supervisor stays in their clinic: alex leaves jordan's supervision to move.
    moved = admin.post(
        change_url(alex),
        change_form(alex, clinic=other.pk, move_clients_to=personas.colleague.pk, supervisor=""),
    )
    assert moved.status_code == 302, moved.content.decode()[-3000:]
    record.refresh_from_db()
    assert record.therapist_id == personas.colleague.pk
    row = AuditEntry.objects.get(action=AuditAction.CHANGE_ACCOUNT_CLINIC)
    assert (row.username, row.detail) == ("root", "alex: Test clinic -> Other clinic")
    assert not AuditEntry.objects.filter(username=SERVER_ACTOR).exists()  # no second row
    page = admin.get(reverse("audit_log")).content.decode()
    grants = page[page.index("Recent changes") : page.index("Client code")]
    assert "Changed which clinic someone belongs to" in grants


def test_the_administration_page_names_therapists_without_an_email(admin, personas) -> None:
    User.objects.filter(username="sam").update(email="sam@example.org")
    text = " ".join(visible_text(admin.get(reverse("overview")).content.decode()).split())
    text = re.sub(r" ([,.])", r"\1", text)  # the links' tags left a space before each comma
    warning = (
        "These people hold a caseload but have no email address, so they will not be emailed "
        "when a client gives a safety answer: Alex, Jordan, Riley."
    )
    assert warning in text
    User.objects.filter(role__in=[Role.THERAPIST, Role.SUPERVISOR]).update(email="x@example.org")
    text = visible_text(admin.get(reverse("overview")).content.decode())
    assert "have no email address" not in text
