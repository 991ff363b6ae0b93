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
    assert post_settings(admin, personas).status_code == 200  # one row per clinic
    saved = PortalSettings.objects.get()
    assert (saved.expiry_days, saved.reminder_days) == (2, 1)
    saved.expiry_days, saved.reminder_days = 30, 29
    saved.full_clean()
    saved.reminder_days = 30
    with pytest.raises(ValidationError, match="before the link closes"):
        saved.full_clean()


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
