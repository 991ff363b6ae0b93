"""Sign-in (Argon2, throttling) and the administrator's read-only audit log."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PASSWORD, PHQ9_MILD, make_admin
from unstuck.web.accounts.models import AuditEntry


def login(client: HttpClient, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_passwords_are_hashed_with_argon2(personas) -> None:
    assert personas.therapist.password.startswith("argon2$argon2id$")


def test_it_signs_in_and_out(client: HttpClient, personas) -> None:
    response = login(client, "alex", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("caseload")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("caseload")).status_code == 302


def test_repeated_failures_lock_the_account_for_a_while(
    client: HttpClient, personas, settings
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert login(client, "alex", "wrong password").status_code == 200
    assert login(client, "alex", "wrong password").status_code == 429
    locked = login(client, "alex", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    call_command("axes_reset", verbosity=0)  # what an administrator runs to unlock at once
    assert login(client, "alex", PASSWORD).status_code == 302


def test_one_failure_less_than_the_limit_still_lets_in(
    client: HttpClient, personas, settings
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        login(client, "alex", "wrong password")
    assert login(client, "alex", PASSWORD).status_code == 302


def test_viewing_a_client_is_audited(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-400", [PHQ9_MILD])
    client.force_login(personas.supervisor)
    client.get(reverse("client", args=[record.pk]))
    entry = AuditEntry.objects.filter(action="view_client").get()
    assert (entry.username, entry.client_code) == ("jordan", "C-400")


def test_only_the_administrator_reads_the_audit_log(
    client: HttpClient, personas, make_client
) -> None:
    make_client("C-401", [PHQ9_MILD])
    client.force_login(personas.therapist)
    assert client.get(reverse("audit_log")).status_code == 403
    client.force_login(personas.administrator)
    page = client.get(reverse("audit_log"), {"client": "C-401"})
    assert page.status_code == 200
    assert "Recorded a session" in page.content.decode()


def test_the_audit_log_is_read_on_its_own_page_only(
    client: HttpClient, personas, make_client
) -> None:
    """The administration screens have no audit log screen: it was a second way in that read
    the log unseen (the log's own page writes each reading to the log); nobody can add,
    change or delete an entry there either."""
    make_client("C-402", [PHQ9_MILD])
    client.force_login(make_admin("root", personas.clinic))
    entry = AuditEntry.objects.first()
    assert entry is not None
    assert client.get("/admin/accounts/auditentry/").status_code == 404
    assert client.get("/admin/accounts/auditentry/add/").status_code == 404
    delete = client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 404
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert client.get(reverse("audit_log")).status_code == 200
    assert AuditEntry.objects.filter(action="view_audit_log", username="root").count() == 1


def test_anyone_signed_in_changes_their_own_password(personas) -> None:
    """The current password first; the new one checked by the password rules; an audit row;
    this browser stays signed in and the account's other sessions are signed out."""
    from unstuck.web.accounts.models import AuditAction

    here, elsewhere = HttpClient(), HttpClient()
    for browser in (here, elsewhere):
        assert (
            browser.post("/login/", {"username": "alex", "password": PASSWORD}).status_code == 302
        )
    url = reverse("password_change")
    new = "a-new-and-long-pass-phrase-2026"
    wrong = here.post(url, {"old_password": "nope", "new_password1": new, "new_password2": new})
    assert wrong.status_code == 200
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    weak = here.post(
        url, {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    done = here.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert here.get(reverse("caseload")).status_code == 200  # still signed in here
    assert elsewhere.get(reverse("caseload")).status_code == 302  # signed out there
    row = AuditEntry.objects.get(action=AuditAction.CHANGE_PASSWORD)
    assert (row.username, row.detail) == ("alex", "alex")
    personas.therapist.refresh_from_db()
    assert personas.therapist.check_password(new)
    again = here.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert again.status_code == 200  # a second send fails the current-password check
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE_PASSWORD).count() == 1
    assert HttpClient().get(url).status_code == 302  # signed out: to the sign-in page


def test_the_administrations_password_page_is_the_audited_one(client: HttpClient, personas) -> None:
    from personas import make_admin

    client.force_login(make_admin("root", personas.clinic))
    response = client.get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")


def test_viewing_the_caseload_is_audited_with_the_count_in_words(
    client: HttpClient, personas, make_client
) -> None:
    make_client("SYN-401", [PHQ9_MILD])
    client.force_login(personas.supervisor)
    client.get(reverse("caseload"))
    entry = AuditEntry.objects.filter(action="view_caseload").get()
    assert entry.detail == "1 client"  # not "1 clients"


def test_a_new_password_must_differ_from_the_current_one(personas) -> None:
    """The same password as old and new was accepted as "changed": nothing changed, and a
    password someone else set would stay known to them."""
    from unstuck.web.accounts.models import AuditAction

    http = HttpClient()
    http.force_login(personas.therapist)
    same = {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    refused = http.post(reverse("password_change"), same)
    assert refused.status_code == 200
    assert refused.context["form"].errors["new_password1"] == [
        "Choose a password different from your current one."
    ]
    assert "Your password is changed." not in refused.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE_PASSWORD).exists()


def test_the_accounts_list_names_each_supervisor_in_the_same_few_queries(
    client: HttpClient, personas, django_assert_max_num_queries
) -> None:
    """The administration's list of accounts read each account's supervisor in a query of its
    own (the accounts' manager joins the clinic, and Django then skips the list's own join)."""
    import re

    from unstuck.web.accounts.models import Role, User

    client.force_login(make_admin("root", personas.clinic))
    for i in range(6):
        User.objects.create_user(
            f"therapist{i}",
            clinic=personas.clinic,
            role=Role.THERAPIST,
            supervisor=personas.outsider if i % 2 else personas.supervisor,
        )
    with django_assert_max_num_queries(8):
        page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    rows = re.findall(
        r'field-username"><a [^>]*>(\w+)</a>.*?field-supervisor[^"]*">([\w-]+)<', page
    )
    assert len(rows) == 12  # the six personas and root, and the six made here
    assert ("therapist1", "riley") in rows
    assert ("therapist2", "jordan") in rows
    assert ("alex", "jordan") in rows
    assert ("jordan", "-") in rows
