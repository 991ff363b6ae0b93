"""An administrator cannot reach clinical records unseen (issue 15).

The exploit: in /admin/ the administrator made themselves a supervisor, then a therapist's
supervisor, then opened that therapist's clients. Now their own role, supervisor and rights
are read-only to them, and every change another administrator makes is in the audit log.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse

from personas import PHQ9_MILD, make_admin
from unstuck.web.accounts.admin import UserAdmin
from unstuck.web.accounts.models import AuditAction, AuditEntry, Role, User


def change_form(user: User, **changes: object) -> dict[str, object]:
    """What the admin's change page posts for `user`, with `changes` applied."""
    data: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "clinic": user.clinic_id or "",
        "role": user.role,
        "supervisor": user.supervisor_id or "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


@pytest.fixture
def admin_client(client: HttpClient, personas) -> tuple[HttpClient, User]:
    admin = make_admin("root", personas.clinic)
    client.force_login(admin)
    return client, admin


def test_the_exploit_from_the_issue_now_fails(admin_client, personas, make_client) -> None:
    client, admin = admin_client
    record = make_client("C-960", [PHQ9_MILD])
    client.post(
        change_url(admin),
        change_form(admin, role=Role.SUPERVISOR, is_superuser="on", is_staff="on"),
    )
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR
    response = client.post(
        change_url(personas.therapist), change_form(personas.therapist, supervisor=admin.pk)
    )
    assert response.status_code == 200  # the form is shown again with the error
    personas.therapist.refresh_from_db()
    assert personas.therapist.supervisor == personas.supervisor
    assert client.get(reverse("client", args=[record.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE_ROLE).exists()


def test_own_access_fields_are_read_only(admin_client) -> None:
    client, admin = admin_client
    page = client.get(change_url(admin))
    form = page.context["adminform"].form
    for field in ("role", "supervisor", "is_superuser", "is_staff", "is_active"):
        assert field not in form.fields


def test_an_account_page_says_whether_a_password_is_set_not_how_it_is_hashed(
    admin_client, personas
) -> None:
    """The page listed 'algorithm: argon2 variety: argon2id ... salt: ... hash: ...'."""
    client, _ = admin_client
    page = client.get(change_url(personas.therapist)).content.decode()
    assert "A password is set." in page
    assert "Nobody can read a password" in page
    for internal in ("argon2", "salt", "memory cost", "algorithm"):
        assert internal not in page
    personas.therapist.set_unusable_password()
    personas.therapist.save()
    assert "No password set." in client.get(change_url(personas.therapist)).content.decode()


def test_a_forged_self_grant_is_refused_behind_the_form(personas) -> None:
    admin = make_admin("root", personas.clinic)
    request = RequestFactory().post("/admin/")
    request.user = admin
    admin.role = Role.SUPERVISOR
    with pytest.raises(PermissionDenied):
        UserAdmin(User, None).save_model(request, admin, None, change=True)  # type: ignore[arg-type]
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR


def test_a_grant_by_another_administrator_is_audited_and_shown(admin_client, personas) -> None:
    client, _ = admin_client
    other = make_admin("other", personas.clinic)
    response = client.post(change_url(other), change_form(other, role=Role.SUPERVISOR))
    assert response.status_code == 302
    response = client.post(
        change_url(personas.therapist), change_form(personas.therapist, supervisor=other.pk)
    )
    assert response.status_code == 302
    rows = (
        AuditEntry.objects.filter(username="root")
        .exclude(action=AuditAction.SIGN_IN)
        .order_by("id")
    )
    assert [(e.action, e.detail) for e in rows] == [
        (AuditAction.CHANGE_ROLE, "other: Administrator -> Supervisor"),
        (
            AuditAction.CHANGE_ADMIN_RIGHTS,
            "other: full administration rights -> no administration rights",
        ),
        (AuditAction.CHANGE_SUPERVISOR, "alex: supervisor jordan -> other"),
    ]
    page = client.get(reverse("audit_log")).content.decode()
    grants = page[page.index("Recent changes to who can see clinical records") :]
    assert "Changed someone&#x27;s role" in grants
    assert "alex: supervisor jordan -&gt; other" in grants


def test_creating_and_deactivating_accounts_is_audited(admin_client, personas) -> None:
    client, _ = admin_client
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "casey",
            "password1": "a-long-new-password-42",
            "password2": "a-long-new-password-42",
            "usable_password": "true",
            "clinic": personas.clinic.pk,
            "role": Role.THERAPIST,
            "supervisor": personas.supervisor.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    casey = User.objects.get(username="casey")
    client.post(change_url(casey), change_form(casey, is_active=None))
    rows = (
        AuditEntry.objects.filter(username="root")
        .exclude(action=AuditAction.SIGN_IN)
        .order_by("id")
    )
    assert [(e.action, e.detail) for e in rows] == [
        (
            AuditAction.CREATE_ACCOUNT,
            "casey: Therapist, supervised by jordan, no administration rights, clinic Test clinic;"
            " must choose their own password at first sign-in",
        ),
        (AuditAction.DEACTIVATE_ACCOUNT, "casey"),
    ]


def test_accounts_cannot_be_deleted_only_deactivated(admin_client, personas) -> None:
    client, _ = admin_client
    url = reverse("admin:accounts_user_delete", args=[personas.colleague.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=personas.colleague.pk).exists()


def test_setting_a_password_and_changing_the_clinic_are_audited(admin_client, personas) -> None:
    client, _ = admin_client
    url = reverse("admin:auth_user_password_change", args=[personas.colleague.pk])
    new = "another-long-password-77"
    response = client.post(
        url,
        {
            "password1": new,
            "password2": new,
            "usable_password": "true",
            "set_usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[-1500:]
    clinic_url = reverse("admin:accounts_clinic_change", args=[personas.clinic.pk])
    assert client.post(clinic_url, {"name": "Renamed clinic", "synthetic": "on"}).status_code == 302
    rows = AuditEntry.objects.filter(username="root").exclude(action=AuditAction.SIGN_IN)
    assert [(e.action, e.detail) for e in rows.order_by("id")] == [
        (AuditAction.SET_OTHERS_PASSWORD, "sam: must choose a new password at their next sign-in"),
        (AuditAction.CHANGE_CLINIC, "Renamed clinic: changed"),
    ]
    assert all(new not in e.detail for e in AuditEntry.objects.all())


def test_no_right_can_be_given_outside_the_audited_fields(admin_client, personas) -> None:
    """Django's groups and per-user permissions are not offered: administration rights are
    staff and superuser, whose every change is audited. A forged form that sends them
    changes nothing."""
    from django.contrib.auth.models import Group, Permission

    client, _ = admin_client
    page = client.get(change_url(personas.therapist)).content.decode()
    assert 'name="groups"' not in page
    assert 'name="user_permissions"' not in page
    assert 'name="is_staff"' not in page  # the rights follow the role (next test)
    assert "Administration rights" in page
    assert client.get("/admin/auth/group/").status_code == 404
    group = Group.objects.create(name="Everything")
    group.permissions.set(Permission.objects.all())
    forged = change_form(
        personas.therapist,
        groups=[group.pk],
        user_permissions=[Permission.objects.get(codename="change_user").pk],
    )
    assert client.post(change_url(personas.therapist), forged).status_code == 302
    personas.therapist.refresh_from_db()
    assert not personas.therapist.groups.exists()
    assert not personas.therapist.user_permissions.exists()


def test_a_therapist_with_clients_cannot_leave_the_caseload_without_handing_them_over(
    admin_client, personas, make_client
) -> None:
    """A therapist made administrator (or deactivated) left every client, and any open safety
    alert, where nobody who may write could reach them."""
    client, _ = admin_client
    alex = personas.therapist
    records = [make_client(f"C-97{i}", [PHQ9_MILD]) for i in range(3)]
    for changes in ({"role": Role.ADMINISTRATOR}, {"is_active": None}):
        refused = client.post(change_url(alex), change_form(alex, **changes))
        assert refused.status_code == 200
        assert "is still the therapist of 3 clients" in refused.content.decode()
        alex.refresh_from_db()
        assert (alex.role, alex.is_active) == (Role.THERAPIST, True)
    page = client.get(change_url(alex)).content.decode()
    assert "alex is the therapist of 3 clients, 3 in an episode in progress" in page
    colleague = personas.colleague
    done = client.post(
        change_url(alex),
        change_form(alex, role=Role.ADMINISTRATOR, move_clients_to=colleague.pk),
    )
    assert done.status_code == 302
    for record in records:
        record.refresh_from_db()
        assert record.therapist_id == colleague.pk
    moved = AuditEntry.objects.filter(action=AuditAction.CLIENTS_MOVED).order_by("client_code")
    assert [(m.client_code, m.detail) for m in moved] == [
        (r.code, f"from alex to {colleague.username}") for r in records
    ]
    page = client.get(reverse("audit_log")).content.decode()
    box = page[page.index('id="grants-h"') : page.index("</section>")]
    for record in records:  # which client went where, in the box above the log
        assert f'<td data-label="Client">{record.code}</td>' in box
    alex.refresh_from_db()
    assert alex.role == Role.ADMINISTRATOR


def test_clients_are_moved_only_to_an_active_therapist_of_the_same_clinic(
    admin_client, personas, make_client
) -> None:
    """ "Move their clients to" offered the supervisors too (who add no clients of their own)."""
    from unstuck.web.accounts.models import Clinic

    client, _ = admin_client
    alex = personas.therapist
    record = make_client("C-980", [PHQ9_MILD])
    elsewhere = Clinic.objects.create(name="Other clinic")
    User.objects.create_user("kim", clinic=elsewhere, role=Role.THERAPIST)
    User.objects.create_user("lee", clinic=personas.clinic, role=Role.THERAPIST, is_active=False)
    page = client.get(change_url(alex))
    offered = page.context["adminform"].form.fields["move_clients_to"].queryset
    assert [u.username for u in offered] == [personas.colleague.username]
    forged = client.post(
        change_url(alex), change_form(alex, is_active=None, move_clients_to=personas.supervisor.pk)
    )
    assert forged.status_code == 200
    record.refresh_from_db()
    alex.refresh_from_db()
    assert (record.therapist_id, alex.is_active) == (alex.pk, True)


def test_an_account_without_clients_changes_role_freely(admin_client, personas) -> None:
    client, _ = admin_client
    colleague = personas.colleague
    done = client.post(change_url(colleague), change_form(colleague, role=Role.CLINIC_LEAD))
    assert done.status_code == 302
    colleague.refresh_from_db()
    assert colleague.role == Role.CLINIC_LEAD


def test_only_someone_with_a_caseload_has_a_supervisor(admin_client, personas) -> None:
    """A clinic lead could be saved with a supervisor."""
    client, _ = admin_client
    colleague = personas.colleague
    assert colleague.supervisor_id is not None
    client.post(
        change_url(colleague),
        change_form(colleague, role=Role.CLINIC_LEAD, supervisor=personas.supervisor.pk),
    )
    colleague.refresh_from_db()
    assert (colleague.role, colleague.supervisor_id) == (Role.CLINIC_LEAD, None)
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE_SUPERVISOR).exists()


def test_supervision_stays_inside_one_clinic(admin_client, personas, make_client) -> None:
    """A supervisor moved to another clinic kept reading the clients of the people they
    supervised in the first one; a supervisor could also be chosen from another clinic."""
    from unstuck.web.accounts.models import Clinic
    from unstuck.web.records.selectors import visible_clients

    client, _ = admin_client
    other = Clinic.objects.create(name="Other clinic")
    supervisor = personas.supervisor
    record = make_client("RT-050", [PHQ9_MILD])  # alex's client; alex is supervised
    assert personas.therapist.supervisor_id == supervisor.pk
    assert visible_clients(supervisor).filter(pk=record.pk).exists()

    moved = client.post(change_url(supervisor), change_form(supervisor, clinic=other.pk))
    assert moved.status_code == 200
    page = moved.content.decode()
    assert "give them another supervisor there before changing this clinic" in page
    supervisor.refresh_from_db()
    assert supervisor.clinic_id == personas.clinic.pk

    elsewhere = User.objects.create_user(
        "morgan", password="x-long-pass-2026", clinic=other, role=Role.SUPERVISOR
    )
    chosen = client.post(
        change_url(personas.therapist),
        change_form(personas.therapist, supervisor=elsewhere.pk),
    )
    assert chosen.status_code == 200
    assert "a supervisor must work in the same clinic" in chosen.content.decode()
    personas.therapist.refresh_from_db()
    assert personas.therapist.supervisor_id == supervisor.pk

    # Behind the forms: an account changed some other way still reads no other clinic's records.
    User.objects.filter(pk=supervisor.pk).update(clinic=other)
    supervisor.refresh_from_db()
    assert not visible_clients(supervisor).filter(pk=record.pk).exists()


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.SUPERVISOR, Role.CLINIC_LEAD])
def test_rights_follow_the_role_both_ways(admin_client, personas, role) -> None:
    """An administrator changed to another role loses the account pages, and another role
    changed to administrator gains them, each audited; a forged box changes nothing."""
    client, _ = admin_client
    other = make_admin("other", personas.clinic)
    forged = {"is_staff": "on", "is_superuser": "on"}
    changed = change_form(other, role=role, **forged)
    assert client.post(change_url(other), changed).status_code == 302
    other.refresh_from_db()
    assert (other.is_staff, other.is_superuser) == (False, False)
    assert AuditEntry.objects.filter(
        action=AuditAction.CHANGE_ADMIN_RIGHTS,
        detail="other: full administration rights -> no administration rights",
    ).exists()
    back = change_form(other, role=Role.ADMINISTRATOR, supervisor="")
    assert client.post(change_url(other), back).status_code == 302
    other.refresh_from_db()
    assert (other.is_staff, other.is_superuser) == (True, True)
    assert AuditEntry.objects.filter(
        action=AuditAction.CHANGE_ADMIN_RIGHTS,
        detail="other: no administration rights -> full administration rights",
    ).exists()
    therapist = personas.colleague  # a forged box on an account with a caseload
    assert client.post(change_url(therapist), change_form(therapist, **forged)).status_code == 302
    therapist.refresh_from_db()
    assert (therapist.is_staff, therapist.is_superuser) == (False, False)


def test_upgrading_sets_rights_by_role_and_logs_each_change(personas) -> None:
    """The migration that made rights follow the role (accounts 0006) mends an account saved
    before, whose rights did not match its role, and logs each change; the others are left."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "unstuck.web.accounts.migrations.0006_rights_follow_the_role"
    )
    User.objects.filter(username="sam").update(is_superuser=True)  # a therapist
    administrator = personas.administrator  # an administrator with no rights
    User.objects.filter(pk=administrator.pk).update(is_staff=False, is_superuser=False)
    from types import SimpleNamespace

    from django.db import connection

    # what it reads of the schema editor: the database migrated
    migration.rights_follow_the_role(apps, SimpleNamespace(connection=connection))
    rights = {u.username: (u.is_staff, u.is_superuser) for u in User.objects.all()}
    assert rights["sam"] == (False, False)
    assert rights[administrator.username] == (True, True)
    assert all(
        rights[u.username] == ((u.role == Role.ADMINISTRATOR),) * 2 for u in User.objects.all()
    )
    rows = AuditEntry.objects.filter(action=AuditAction.CHANGE_ADMIN_RIGHTS).order_by("id")
    details = sorted(e.detail.split(" (")[0] for e in rows)
    name = administrator.username
    assert details == sorted(
        [
            f"{name}: no administration rights -> full administration rights",
            "sam: full rights without the administration screens -> no administration rights",
        ]
    )
    assert all(e.user is None for e in rows)
