"""Questionnaires clients answer themselves: requests, their access tokens, clinic settings.

A request names the questionnaires, the session they belong to, and its life (sent, opened,
completed, expiry). A client reaches it only through an `AccessToken`: a private link token or a
short kiosk code, of which only the SHA-256 digest is stored, so a copy of the database opens
nothing. No name or clinical data ever goes into a URL.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from unstuck.web.accounts.models import Clinic
from unstuck.web.records.models import Client

_SAFETY_TEXT = tomllib.loads(
    (Path(__file__).parent / "safety_message.toml").read_text(encoding="utf-8")
)
# Who to contact now, shown at once to a client who answers a safety question above 0; clinics
# replace it with their own (admin: Client questionnaires > Portal settings). Sourced in the file.
DEFAULT_SAFETY_MESSAGE: str = _SAFETY_TEXT["message"].strip()
# Before it on the clinic tablet: tell someone at the clinic now.
KIOSK_SAFETY_LEAD: str = _SAFETY_TEXT["kiosk"].strip()

# A link open 0 days is dead the moment it is made; one open for months outlives the session
# it asks about. Its one reminder goes at least a day after sending and before it closes (the
# reminder cannot be switched off: `send_due` sends it once its day has come), so a link stays
# open at least 2 days.
EXPIRY_DAYS_MIN, EXPIRY_DAYS_MAX = 2, 30
EXPIRY_TOO_SHORT = (
    "A link must stay open for at least %(limit_value)s days: its reminder goes at least a day "
    "after sending, and before the link closes."
)
EXPIRY_TOO_LONG = "A link can stay open for at most %(limit_value)s days."
REMINDER_TOO_SOON = "The reminder goes at least %(limit_value)s day after the link is sent."
REMINDER_TOO_LATE = (
    "The reminder must go before the link closes: choose fewer days than the link stays open "
    "({expiry})."
)


class PortalSettings(models.Model):
    """A clinic's choices for client questionnaires (edited in the admin; defaults apply)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="portal")
    expiry_days = models.PositiveSmallIntegerField(
        "links expire after (days)",
        default=4,
        validators=[
            MinValueValidator(EXPIRY_DAYS_MIN, EXPIRY_TOO_SHORT),
            MaxValueValidator(EXPIRY_DAYS_MAX, EXPIRY_TOO_LONG),
        ],
        help_text=f"Days a questionnaire link stays open ({EXPIRY_DAYS_MIN} to {EXPIRY_DAYS_MAX}).",
    )
    reminder_days = models.PositiveSmallIntegerField(
        "reminder after (days)",
        default=2,
        validators=[MinValueValidator(1, REMINDER_TOO_SOON)],
        help_text="Days after sending that one reminder goes, if still not answered: at least "
        "1, and fewer than the days the link stays open.",
    )
    safety_message = models.TextField(
        blank=True,
        help_text="Shown at once when a client answers a safety question above 0: who to "
        "contact now and crisis lines. Empty: the shipped default (UK numbers).",
    )

    show_own_scores = models.BooleanField(
        default=False,
        help_text="After sending answers from their own link, the client sees their own "
        "questionnaire totals over time, in plain words (never single answers or safety "
        "questions; not after a safety answer; not on the clinic tablet).",
    )

    class Meta:
        verbose_name_plural = "portal settings"

    def __str__(self) -> str:
        return f"Portal settings of {self.clinic}"

    def clean(self) -> None:
        """The reminder before the link closes: on its day or later, it would never go (checked
        once the expiry itself is in range, whose own message says what to change first)."""
        expiry, reminder = self.expiry_days, self.reminder_days
        if expiry is None or reminder is None or not EXPIRY_DAYS_MIN <= expiry <= EXPIRY_DAYS_MAX:
            return
        if reminder >= expiry:
            raise ValidationError({"reminder_days": REMINDER_TOO_LATE.format(expiry=expiry)})

    @property
    def safety_text(self) -> str:
        return self.safety_message.strip() or DEFAULT_SAFETY_MESSAGE


class Timing(models.TextChoices):
    BEFORE = "before", "Before session"
    AFTER = "after", "After session"


class QuestionnaireRequest(models.Model):
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="questionnaire_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    instruments = models.JSONField(default=list)
    session_number = models.PositiveIntegerField()
    timing = models.CharField(max_length=10, choices=Timing.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Email: `send_at` set means `unstuck send-due` (or the "send now" button) emails it then.
    send_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The therapist took it back (asked by mistake, or no longer wanted): its links stop working.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Answers given so far, per instrument (kept on reload), and instruments already stored in
    # the record (a safety answer is stored at once, before the rest).
    draft = models.JSONField(default=dict, blank=True)
    recorded = models.JSONField(default=list, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_timing_display()} {self.session_number}: {', '.join(self.instruments)}"

    def status(self, now: dt.datetime | None = None) -> str:
        """Plain words for where the request stands (shown to the therapist)."""
        now = now or timezone.now()
        if self.completed_at:
            return "Completed"
        if self.withdrawn_at:
            return "Withdrawn"
        if self.expires_at <= now:
            return "Expired"
        if self.opened_at:
            return "Opened"
        if self.sent_at:
            return "Sent"
        if self.send_at and self.send_at > now:
            return "Scheduled"
        if self.send_at is None:  # its link, QR code or kiosk code was given, not emailed
            return "Not opened yet"
        return "Not sent yet"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return self.completed_at is None and self.expires_at > (now or timezone.now())


class TokenKind(models.TextChoices):
    LINK = "link", "Private link"
    KIOSK = "kiosk", "Kiosk code"


class AccessToken(models.Model):
    """One way into one request. Only the SHA-256 hex digest of the secret is stored."""

    request = models.ForeignKey(
        QuestionnaireRequest, on_delete=models.CASCADE, related_name="tokens"
    )
    kind = models.CharField(max_length=10, choices=TokenKind.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


class ClientReport(models.Model):
    """The client's answers to the "what gets in the way" check (unstuck.impasse.client_check).

    Kept apart from the outcome measures: it is what the client says gets in the way, read by
    the impasse review as client-reported evidence, never charted as a score.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="client_reports")
    request = models.OneToOneField(
        QuestionnaireRequest, on_delete=models.CASCADE, related_name="client_report"
    )
    check_id = models.CharField(max_length=40)
    answers = models.JSONField(default=list)
    reported_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar[list[str]] = ["-reported_at", "-id"]


class Cadence(models.TextChoices):
    BEFORE_EACH = "before_each", "Before every session"
    WEEKLY = "weekly", "Every week"
    DATES = "dates", "On chosen dates"
    OFF = "off", "No schedule"


class QuestionnaireSchedule(models.Model):
    """When `unstuck send-due` makes and emails a client's questionnaires without a click.

    Each request it makes follows the clinic's `expiry_days` and `reminder_days` like any other.
    """

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="questionnaire_schedule"
    )
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.OFF)
    instruments = models.JSONField(default=list)
    dates = models.JSONField(default=list, blank=True)  # ISO dates, for Cadence.DATES
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()
    last_made_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_cadence_display()} for {self.client}"


class WrongAttempt(models.Model):
    """A wrong or used link or kiosk code, by the address it came from (`portal.throttle`).

    One row each, so that attempts arriving at once on the server's several processes are all
    counted (a shared counter loses some when two add to it at the same time).
    """

    address = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "wrong link or kiosk code"
        verbose_name_plural = "wrong links and kiosk codes (pausing the client pages)"
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["address", "at"], name="wrong_attempt_by_address"),
            models.Index(fields=["at"], name="wrong_attempt_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.address} at {self.at:%Y-%m-%d %H:%M}"
