"""Each role lands on a page useful to it; the first-run service checks every answer."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import make_admin
from unstuck.web.accounts.models import AuditEntry, Clinic, Role, User
from unstuck.web.accounts.services import SetupError, create_clinic


def test_the_administrator_lands_on_the_administration_page(client: HttpClient, personas) -> None:
    client.force_login(personas.administrator)
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response["Location"] == reverse("overview")
    page = client.get(reverse("overview")).content.decode()
    assert "Caseload" not in page
    for name in ("audit_log", "instruments"):
        assert f'href="{reverse(name)}"' in page

    # It read "Add a therapist or supervisor", and the same form adds clinic leads and
    # administrators too (README: the Administration page adds all four).
    client.force_login(make_admin("root", personas.clinic))  # with the account pages' rights
    page = client.get(reverse("overview")).content.decode()
    assert ">Add a person</a>" in page
    assert "A therapist, supervisor, clinic lead or another administrator: each signs in" in page


def test_therapists_keep_their_caseload_and_cannot_open_administration(
    client: HttpClient, personas
) -> None:
    client.force_login(personas.therapist)
    assert client.get(reverse("caseload")).status_code == 200
    assert client.get(reverse("overview")).status_code == 403


def test_a_new_account_in_the_admin_starts_in_the_administrators_clinic(
    client: HttpClient, db: None
) -> None:
    admin = create_clinic("SYN Clinic", "boss", "", "long-enough-Passw0rd")
    client.force_login(admin)
    form = client.get("/admin/accounts/user/add/").content.decode()
    assert f'<option value="{admin.clinic_id}" selected>SYN Clinic</option>' in form


def test_setup_writes_the_clinic_its_administrator_and_an_audit_row(db: None) -> None:
    admin = create_clinic("SYN Clinic", "boss", "boss@example.org", "long-enough-Passw0rd")
    assert (admin.role, admin.clinic.name, admin.is_staff) == (
        Role.ADMINISTRATOR,
        "SYN Clinic",
        True,
    )
    assert admin.check_password("long-enough-Passw0rd")
    assert AuditEntry.objects.filter(action="setup_clinic", username="boss").exists()
    with pytest.raises(SetupError, match="already holds the clinic"):
        create_clinic("Another", "other", "", "long-enough-Passw0rd")


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        (("", "boss", "", "long-enough-Passw0rd"), "clinic name"),
        (("SYN", "", "", "long-enough-Passw0rd"), "user name"),
        (("SYN", "boss", "not-an-address", "long-enough-Passw0rd"), "e-mail"),
        (("SYN", "boss", "", "short"), "password"),
    ],
)
def test_setup_names_the_wrong_answer_and_writes_nothing(
    db: None, answers: tuple[str, str, str, str], named: str
) -> None:
    with pytest.raises(SetupError, match=f"^{named}"):
        create_clinic(*answers)
    assert not Clinic.objects.exists()
    assert not User.objects.exists()


def test_setup_never_adds_a_real_clinic_to_a_demo_database(db: None) -> None:
    Clinic.objects.create(name="SYN demo", synthetic=True)
    with pytest.raises(SetupError, match="synthetic demo clinic"):
        create_clinic("Real clinic", "boss", "", "long-enough-Passw0rd")
    assert not User.objects.exists()
