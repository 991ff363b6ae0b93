"""One throttle on every sign-in form, per account and (higher) per address (issue 15).

Findings it answers: /admin/login/ was not throttled at all; on /login/, five wrong passwords
for made-up names locked every user of that address (behind a clinic's proxy: everyone).
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse

from personas import PASSWORD, make_admin, visible_text
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.accounts.throttle import client_address

WRONG = "not-the-password-1234"
PROXY = "10.0.0.1"


def sign_in(page: str, username: str, password: str, **meta: str):
    url = reverse("admin:login") if page == "admin" else reverse("login")
    return HttpClient(**meta).post(url, {"username": username, "password": password})


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    return settings


@pytest.mark.parametrize("page", ["clinic", "admin"])
def test_every_sign_in_form_is_throttled(personas, limits, page: str) -> None:
    personas.administrator.is_staff = True
    personas.administrator.save()
    for _ in range(2):
        assert sign_in(page, "admin", WRONG).status_code == 200
    assert sign_in(page, "admin", WRONG).status_code == 429  # the failure that reaches the limit
    refused = sign_in(page, "admin", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts" in refused.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_IN_PAUSED, username="admin").exists()


def test_failures_on_one_form_count_on_the_other(personas, limits) -> None:
    personas.administrator.is_staff = True
    personas.administrator.save()
    for _ in range(3):
        sign_in("clinic", "admin", WRONG)
    assert sign_in("admin", "admin", PASSWORD).status_code == 429


def test_guesses_at_made_up_names_do_not_lock_out_a_colleague(personas, limits) -> None:
    for name in ("nobody1", "nobody2", "nobody3", "nobody4", "nobody5"):
        sign_in("clinic", name, WRONG)
    assert sign_in("clinic", "sam", PASSWORD).status_code == 302


def test_one_persons_mistakes_lock_only_their_account(personas, limits) -> None:
    for _ in range(3):
        sign_in("clinic", "alex", WRONG)
    assert sign_in("clinic", "alex", PASSWORD).status_code == 429
    assert sign_in("clinic", "sam", PASSWORD).status_code == 302


def test_the_name_is_counted_whatever_its_case(personas, limits) -> None:
    for name in ("alex", "Alex", "ALEX"):
        sign_in("clinic", name, WRONG)
    assert sign_in("clinic", "alex", PASSWORD).status_code == 429


def test_an_address_scanning_many_names_is_paused(personas, limits) -> None:
    for i in range(6):
        sign_in("clinic", f"made-up-{i}", WRONG)
    assert sign_in("clinic", "sam", PASSWORD).status_code == 429  # same address: paused
    assert sign_in("clinic", "sam", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 302


def test_a_forged_forwarded_for_header_is_ignored_without_a_trusted_proxy(personas, limits) -> None:
    for i in range(6):
        sign_in("clinic", f"made-up-{i}", WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert sign_in("clinic", "sam", PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_apart(personas, limits) -> None:
    limits.TRUSTED_PROXIES = [PROXY]
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    colleague = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.168.1.20"}
    for i in range(6):
        sign_in("clinic", f"made-up-{i}", WRONG, **attacker)
    assert sign_in("clinic", "sam", PASSWORD, **attacker).status_code == 429
    assert sign_in("clinic", "sam", PASSWORD, **colleague).status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("192.0.2.1", "203.0.113.9", [], "192.0.2.1"),
        (PROXY, "203.0.113.9", [], PROXY),
        (PROXY, "203.0.113.9", [PROXY], "203.0.113.9"),
        (PROXY, "6.6.6.6, 203.0.113.9", [PROXY], "203.0.113.9"),  # the left part is forgeable
        (PROXY, "203.0.113.9, 10.0.0.2", ["10.0.0.0/8"], "203.0.113.9"),
        (PROXY, "not an address", [PROXY], PROXY),
        (PROXY, "", [PROXY], PROXY),
    ],
)
def test_the_client_address(settings, remote, forwarded, trusted, expected) -> None:
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_long_or_strange_name_is_counted_not_crashed_on(personas, limits) -> None:
    assert sign_in("clinic", "x" * 5000, WRONG).status_code == 200
    assert sign_in("clinic", "bad\0name", WRONG).status_code == 200


def test_the_test_clients_login_still_works(client: HttpClient, personas) -> None:
    """A sign-in without a request (no address to count) is not throttled, nor refused."""
    assert client.login(username="alex", password=PASSWORD)
    assert client.get(reverse("caseload")).status_code == 200


def test_an_administrator_lifts_a_pause_and_the_audit_log_shows_it(personas, limits) -> None:
    """Lifting a pause is done in the administration screens by deleting the paused record;
    it is an administration change, so it writes an audit row naming the account and
    address. The records cannot be edited there, and axes' sign-in logs are not offered."""
    from axes.models import AccessAttempt

    for _ in range(3):
        sign_in("clinic", "alex", WRONG)
    assert sign_in("clinic", "alex", PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username="alex")
    admin = HttpClient()
    admin.force_login(make_admin("root", personas.clinic))
    change = reverse("admin:axes_accessattempt_change", args=[attempt.pk])
    assert admin.post(change, {"username": "someone-else"}).status_code == 403
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 302
    row = AuditEntry.objects.get(action=AuditAction.SIGN_IN_PAUSE_LIFTED)
    detail = f"alex from 127.0.0.1: {attempt.failures_since_start} failed sign-ins"
    assert (row.username, row.detail) == ("root", detail)
    assert sign_in("clinic", "alex", PASSWORD).status_code == 302
    # The list's bulk delete writes one row per record as well.
    for name in ("alex", "sam"):
        for _ in range(3):
            sign_in("clinic", name, WRONG)
    listing = reverse("admin:axes_accessattempt_changelist")
    chosen = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    data = {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    assert admin.post(listing, data).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_IN_PAUSE_LIFTED).count() == 3
    assert admin.get("/admin/axes/accesslog/").status_code == 404


def test_the_administrators_overview_says_what_is_paused_now(personas, limits) -> None:
    admin = HttpClient()
    admin.force_login(make_admin("root", personas.clinic))

    def overview() -> str:  # the page's text
        return " ".join(visible_text(admin.get(reverse("overview")).content.decode()).split())

    assert "No sign-in is paused now. After 3 failed attempts" in overview()
    for _ in range(2):
        sign_in("clinic", "alex", WRONG)
    assert "No sign-in is paused now" in overview()  # two failures: not yet
    sign_in("clinic", "alex", WRONG)
    assert "paused now for 1 account name and 0 addresses" in overview()
    for i in range(3):
        sign_in("clinic", f"made-up-{i}", WRONG)
    assert "paused now for 1 account name and 1 address " in overview()
    page = admin.get(reverse("overview")).content.decode()
    assert f'href="{reverse("admin:axes_accessattempt_changelist")}"' in page


def test_signing_in_as_oneself_does_not_reset_the_guesses_at_a_colleague(personas, limits) -> None:
    """Axes' own reset on success deleted every failure of the address: two guesses at alex's
    password, sam signs in from the same computer, and the guessing could start again."""
    for _ in range(2):
        sign_in("clinic", "alex", WRONG)
    assert sign_in("clinic", "sam", PASSWORD).status_code == 302
    sign_in("clinic", "alex", WRONG)
    assert sign_in("clinic", "alex", PASSWORD).status_code == 429


def test_signing_in_forgets_ones_own_typing_mistakes(personas, limits) -> None:
    for _ in range(2):
        sign_in("clinic", "alex", WRONG)
    assert sign_in("clinic", "alex", PASSWORD).status_code == 302
    for _ in range(2):
        sign_in("clinic", "alex", WRONG)
    assert sign_in("clinic", "alex", PASSWORD).status_code == 302


def test_a_wrong_current_password_counts_as_a_failed_sign_in(personas, limits) -> None:
    """The password page checks the current password, so it would be a way to guess it:
    each wrong one is a failed sign-in (audited, counted), and a paused account's password
    page is paused too."""
    browser = HttpClient()
    browser.force_login(personas.therapist)
    new = "a-new-and-long-pass-phrase-2026"

    def change(old: str) -> int:
        data = {"old_password": old, "new_password1": new, "new_password2": new}
        return int(browser.post(reverse("password_change"), data).status_code)

    assert [change(WRONG) for _ in range(3)] == [200, 200, 429]
    assert change(PASSWORD) == 429  # paused: even the right one
    failed = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED, username="alex")
    assert failed.count() == 3
    assert all("/password/" in row.detail for row in failed)
    assert sign_in("clinic", "alex", PASSWORD).status_code == 429  # and signing in elsewhere
    personas.therapist.refresh_from_db()
    assert personas.therapist.check_password(PASSWORD)
