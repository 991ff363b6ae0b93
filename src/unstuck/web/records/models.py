"""Client records: clients, episodes of care, sessions, questionnaire responses.

Each client carries a *status snapshot* (status, flags, explanations, latest scores, trend),
recomputed by the detection core in the same transaction as every change to the client's
sessions. The caseload page reads the snapshot with one query, however many clients there are.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from unstuck.progress.attendance import ATTENDED
from unstuck.web.accounts.models import Clinic

NOT_YET_RECORDED = "Answered by the client; session not yet recorded"


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    LATE = "late", "Late"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "Did not attend"


class Status(models.TextChoices):
    OFF_TRACK = "off_track", "Off track"
    AT_RISK = "at_risk", "At risk"
    ON_TRACK = "on_track", "On track"
    INSUFFICIENT_DATA = "insufficient_data", "Not enough data yet"


class EndReason(models.TextChoices):
    COMPLETED = "completed", "Completed (planned ending)"
    DROPPED_OUT = "dropped_out", "Ended early without agreement"
    REFERRED = "referred", "Referred elsewhere"
    TRANSFERRED = "transferred", "Transferred to a colleague"
    OTHER = "other", "Other"


class Client(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients"
    )
    code = models.CharField(max_length=40, help_text="A pseudonymous code, never a name.")
    name = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Status snapshot, written only by snapshots.refresh_status.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.INSUFFICIENT_DATA
    )
    # 0 safety, 1 off track, 2 at risk, 3 on track, 4 not enough data: the caseload order.
    status_rank = models.PositiveSmallIntegerField(default=4, db_index=True)
    flags = models.JSONField(default=list)
    # which measures raised each flag ({"plateau": ["gad7"]}), so pages can name them
    flag_measures = models.JSONField(default=dict)
    explanations = models.JSONField(default=list)
    measures = models.JSONField(default=dict)
    trend = models.JSONField(default=list)  # recent totals of the main instrument
    sessions_count = models.PositiveIntegerField(default=0)
    last_session_on = models.DateField(null=True, blank=True)
    next_action = models.CharField(max_length=200, blank=True)
    # When the newest open safety alert was raised (None: no open alert); the safety group of
    # the caseload is ordered by it, newest first. Written only by snapshots.refresh_status.
    safety_alert_at = models.DateTimeField(null=True, blank=True)
    # The instruments measured at this client's sessions, chosen by the therapist (ids of
    # built-in or clinic instruments); empty means the clinic's default set.
    instruments = models.JSONField(default=list, blank=True)
    # The rules the snapshot was made with (`instruments.rules_version`); "" before any.
    rules_version = models.CharField(max_length=16, blank=True, default="")
    # When the current episode ended (None: it is open); ended clients leave the active
    # caseload. Written only by services.end_episode and services.reopen_episode.
    episode_ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["clinic", "code"], name="client_code_unique_in_clinic")
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["therapist", "status_rank", "code"])]

    def __str__(self) -> str:
        return self.code


class Episode(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="episodes")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["started_on", "id"]


class Session(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveIntegerField()
    date = models.DateField()
    attendance = models.CharField(max_length=20, choices=Attendance.choices)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # Ids of the therapist's in-session resistance markers (see unstuck.web.records.markers).
    markers = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A voided session stays in the record (and its history) but counts for nothing.
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=500, blank=True)
    # True while the session exists only because the client answered before it on their own
    # (the portal); the therapist's record_session then completes it instead of adding one.
    started_by_client = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["episode", "number"], name="session_number_unique")
        ]

    @property
    def attendance_words(self) -> str:
        """'Attended', 'Did not attend' ...; for a session the client started by answering
        ahead, that the therapist has not recorded it yet (it may not have taken place)."""
        return NOT_YET_RECORDED if self.started_by_client else self.get_attendance_display()

    @property
    def held(self) -> bool:
        """A session the client came to, as the therapist recorded it: 'We met for N sessions'
        counts these (answers given ahead from home or the kiosk are not a meeting)."""
        return self.attendance in ATTENDED and not self.started_by_client


class CompletedBy(models.TextChoices):
    CLIENT = "client", "Client"
    THERAPIST = "therapist", "Therapist with the client"


class MeasureResponse(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="responses")
    instrument = models.CharField(max_length=40)
    answers = models.JSONField(default=list)  # one per item; null for a skipped item
    total = models.FloatField(null=True, blank=True)  # null when too many items are skipped
    severity = models.CharField(max_length=40, blank=True)
    safety_alert = models.BooleanField(default=False)
    safety_unanswered = models.BooleanField(default=False)
    incomplete = models.BooleanField(default=False)
    completed_by = models.CharField(
        max_length=20, choices=CompletedBy.choices, default=CompletedBy.CLIENT
    )
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["session", "instrument"], name="one_response_each")
        ]


class CheckOutcome(models.TextChoices):
    NO_CURRENT_RISK = "no_current_risk", "Checked in: no current risk"
    SAFETY_PLAN = "safety_plan", "Safety plan made or updated"
    CRISIS_SERVICE = "crisis_service", "Crisis or emergency service contacted"
    OTHER = "other", "Other (say what in the note)"


class SafetyCheck(models.Model):
    """The therapist's record that they checked in with the client about safety.

    Recording one closes the open safety alerts it covers. It is never edited or deleted, so
    the client page and the audit log keep the history of every alert and its follow-up.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="safety_checks")
    outcome = models.CharField(max_length=20, choices=CheckOutcome.choices)
    note = models.TextField(blank=True)  # clinical text: shown on the page, never logged
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-checked_at", "-id"]


class SafetyAlert(models.Model):
    """One safety item answered above 0 on one questionnaire: open until a check closes it.

    The session, date, instrument, item and answer are copied from the answer that raised it,
    so the alert reads the same however the record changes later. An answer raises one alert,
    and another only when a correction puts it above the value a recorded check covered
    (`alerts.raise_safety_alerts_for`): that one keeps the value it was corrected from and the
    check (`corrected_from`, `after_check`), and no answer has two open at once.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="safety_alerts")
    response = models.ForeignKey(
        MeasureResponse, on_delete=models.RESTRICT, related_name="safety_alerts"
    )
    session_number = models.PositiveIntegerField()
    session_date = models.DateField()
    instrument = models.CharField(max_length=40)
    item = models.PositiveSmallIntegerField()
    answer = models.PositiveSmallIntegerField()
    raised_at = models.DateTimeField(auto_now_add=True, db_index=True)
    safety_check = models.ForeignKey(
        SafetyCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    # Raised by a correction above a checked answer: the value the check covered, and the check.
    corrected_from = models.PositiveSmallIntegerField(null=True, blank=True)
    after_check = models.ForeignKey(
        SafetyCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-raised_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["response", "item", "answer"], name="one_alert_per_answer_value"
            ),
            models.UniqueConstraint(
                fields=["response", "item"],
                condition=models.Q(safety_check__isnull=True),
                name="one_open_alert_per_answer",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.safety_check_id is None


class RevisionKind(models.TextChoices):
    CORRECTED = "corrected", "Corrected"
    VOIDED = "voided", "Voided"


class SessionRevision(models.Model):
    """The values a session had before a correction or a voiding, kept for the history.

    `previous` holds the date, attendance, duration, markers, note and answers (by
    instrument) as they were; it is clinical text, shown on the client page, never logged.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=20, choices=RevisionKind.choices)
    previous = models.JSONField(default=dict)
    reason = models.CharField(max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-changed_at", "-id"]
