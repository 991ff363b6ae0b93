"""The clinic's settings for client questionnaires: limits a link's life and its reminder
must keep, and what is in force shown before anything is saved."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from personas import make_admin, visible_text
from unstuck.web.portal.models import (
    EXPIRY_TOO_LONG,
    EXPIRY_TOO_SHORT,
    REMINDER_TOO_LATE,
    REMINDER_TOO_SOON,
    PortalSettings,
)


@pytest.fixture
def admin(personas) -> HttpClient:
    browser = HttpClient()
    browser.force_login(make_admin("root", personas.clinic))
    return browser


def text(page: str) -> str:
    return " ".join(html.unescape(visible_text(page)).split())


def post_settings(admin: HttpClient, personas, **values: object):
    data = {"clinic": personas.clinic.pk, "expiry_days": 4, "reminder_days": 2, **values}
    return admin.post(reverse("admin:portal_portalsettings_add"), data)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"expiry_days": 0}, EXPIRY_TOO_SHORT % {"limit_value": 2}),
        ({"expiry_days": 1, "reminder_days": 1}, EXPIRY_TOO_SHORT % {"limit_value": 2}),
        ({"expiry_days": 31}, EXPIRY_TOO_LONG % {"limit_value": 30}),
        ({"reminder_days": 0}, REMINDER_TOO_SOON % {"limit_value": 1}),
        ({"expiry_days": 4, "reminder_days": 4}, REMINDER_TOO_LATE.format(expiry=4)),
        ({"expiry_days": 4, "reminder_days": 9}, REMINDER_TOO_LATE.format(expiry=4)),
    ],
    ids=["expiry-0", "expiry-1", "expiry-31", "reminder-0", "reminder-on-expiry", "reminder-after"],
)
def test_the_form_refuses_a_link_dead_at_birth_or_a_reminder_after_it_closes(
    admin: HttpClient, personas, values: dict[str, int], message: str
) -> None:
    """A link of 0 days closed as it was made; a reminder on or after the expiry never went."""
    response = post_settings(admin, personas, **values)
    assert response.status_code == 200  # the form again, with the reason
    assert message in text(response.content.decode())
    assert not PortalSettings.objects.exists()


def test_settings_within_the_limits_are_saved(admin: HttpClient, personas) -> None:
    assert post_settings(admin, personas, expiry_days=2, reminder_days=1).status_code == 302
    assert post_settings(admin, personas).status_code == 403  # one row per clinic
    saved = PortalSettings.objects.get()
    assert (saved.expiry_days, saved.reminder_days) == (2, 1)
    saved.expiry_days, saved.reminder_days = 30, 29
    saved.full_clean()
    saved.reminder_days = 30
    with pytest.raises(ValidationError, match="before the link closes"):
        saved.full_clean()


def test_add_is_offered_only_while_the_clinic_has_no_settings(admin: HttpClient, personas) -> None:
    """A clinic has one row of settings: "+ Add" was offered beside it, and a second row was
    refused only once filled in ("Portal settings with this Clinic already exists")."""
    add = reverse("admin:portal_portalsettings_add")
    listing = reverse("admin:portal_portalsettings_changelist")
    assert f'href="{add}"' in admin.get(listing).content.decode()
    assert post_settings(admin, personas, expiry_days=7).status_code == 302
    assert f'href="{add}"' not in admin.get(listing).content.decode()
    assert admin.get(add).status_code == 403
    assert post_settings(admin, personas).status_code == 403
    assert PortalSettings.objects.get().expiry_days == 7


def test_the_overview_and_the_settings_list_say_what_is_in_force(
    admin: HttpClient, personas
) -> None:
    """Before the settings are first saved the list was empty ("0 portal settings") and the
    defaults in force were shown nowhere."""

    def overview() -> str:
        return text(admin.get(reverse("overview")).content.decode())

    defaults = (
        "In force now (the defaults, nothing saved yet): a private link works for 4 days; one "
        "reminder goes 2 days after sending if it is not answered; the safety message is the "
        "default (UK numbers); clients do not see their own scores."
    )
    assert defaults in overview()
    listing = admin.get(reverse("admin:portal_portalsettings_changelist")).content.decode()
    assert defaults in text(listing)
    PortalSettings.objects.create(
        clinic=personas.clinic, expiry_days=7, reminder_days=1, safety_message="Call 999."
    )
    assert (
        "In force now (as saved): a private link works for 7 days; one reminder goes 1 day "
        "after sending if it is not answered; the safety message is the clinic's own"
    ) in overview()


BEFORE_THE_LIMITS = ("portal", "0008_link_expiry_limits")
WITHIN_THE_LIMITS = ("portal", "0009_settings_within_the_limits")


@pytest.mark.django_db(transaction=True)  # the migration executor runs outside a test's atomic
def test_upgrading_brings_settings_saved_before_the_limits_within_them() -> None:
    """Portal 0008 limited a link to 2-30 days with its reminder before it closes, but only the
    form checks that: a row saved before kept a link dead at once, one that outlived its session,
    or a reminder that never went. Upgrading moves each to the nearest limit, one audit row per
    clinic changed, and leaves the rest alone."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from unstuck.web.accounts.models import AuditAction, AuditEntry

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_LIMITS])
    old = executor.loader.project_state([BEFORE_THE_LIMITS]).apps
    Clinic = old.get_model("accounts", "Clinic")
    Settings = old.get_model("portal", "PortalSettings")
    saved = {  # name: (expiry, reminder) as saved, then as they should be after upgrading
        "Long": ((45, 40), (30, 29)),
        "Dead at once": ((0, 0), (2, 1)),
        "One day": ((1, 1), (2, 1)),
        "Reminder on closing": ((4, 4), (4, 3)),
        "No reminder day": ((10, 0), (10, 1)),
        "Fine": ((7, 3), (7, 3)),
    }
    for name, ((expiry, reminder), _) in saved.items():
        clinic = Clinic.objects.create(name=name)
        Settings.objects.create(clinic=clinic, expiry_days=expiry, reminder_days=reminder)

    executor = MigrationExecutor(connection)  # the graph again, as `migrate` reads it
    executor.migrate([WITHIN_THE_LIMITS])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # the rest, for the tests after

    for row in PortalSettings.objects.select_related("clinic"):
        assert (row.expiry_days, row.reminder_days) == saved[row.clinic.name][1], row.clinic.name
        row.full_clean()  # what the form would now accept
    rows = AuditEntry.objects.filter(action=AuditAction.CHANGE_PORTAL_SETTINGS)
    why = (
        " (on upgrading: a link now stays open 2 to 30 days, and its reminder goes at least a "
        "day after sending and before the link closes)"
    )
    assert sorted(e.detail.removesuffix(why) for e in rows) == [
        "Dead at once: Expiry days 0 -> 2, Reminder days 0 -> 1",
        "Long: Expiry days 45 -> 30, Reminder days 40 -> 29",
        "No reminder day: Reminder days 0 -> 1",
        "One day: Expiry days 1 -> 2",
        "Reminder on closing: Reminder days 4 -> 3",
    ]
    assert all(e.detail.endswith(why) and e.user is None for e in rows)
