"""Clinic, people and the audit log.

Roles decide what a person can reach: a therapist sees their own clients, a supervisor also
sees the clients of the therapists they supervise, an administrator manages accounts and
instruments and reads the audit log but sees no clinical records (least privilege).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.http import HttpRequest


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    synthetic = models.BooleanField(
        "demo data (made up)",
        default=False,
        help_text="A demo clinic of made-up clients (never real records).",
    )

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    THERAPIST = "therapist", "Therapist"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMINISTRATOR = "administrator", "Administrator"
    # Sees the whole clinic's figures in aggregate (the team page for every therapist), and
    # no client's record.
    CLINIC_LEAD = "clinic_lead", "Clinic lead"


class ClinicUserManager(UserManager["User"]):
    """Each user read with their clinic in the same query: every page asks whether the clinic
    is a synthetic demo, and the signed-in user is read on every request."""

    def get_queryset(self) -> models.QuerySet[User]:
        return super().get_queryset().select_related("clinic")

    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> User:
        """`unstuck manage createsuperuser` makes an administrator (who sees no clinical
        record), not a therapist; it belongs to no clinic until someone gives it one."""
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    objects: ClassVar[ClinicUserManager] = ClinicUserManager()

    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.THERAPIST)
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisees",
        limit_choices_to={"role": Role.SUPERVISOR},
    )
    # Someone else set this password (an administrator, or a command on the server): the
    # person chooses their own at their next sign-in, before any other page opens
    # (`accounts.own_password`), so nobody else can use the account unnoticed.
    must_change_password = models.BooleanField(default=False)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def take_rights_from_role(self) -> None:
        """Administration rights (Django's staff and superuser) come with the role
        Administrator and only with it: an administrator sees no clinical record, and anyone
        who does has no administration screens. Set on every save from the administration
        screens, `unstuck setup` and the demo, so a change of role changes the rights too
        (both audited) and no account holds a caseload and the account pages at once."""
        self.is_staff = self.is_superuser = self.role == Role.ADMINISTRATOR


class AuditAction(models.TextChoices):
    """The audit log's vocabulary: every entry is one of these, never free text.

    The stored value is a short code; the label is what people read on the audit log page.
    Adding an action is adding a member here (a value of at most 40 characters and a label in
    plain words): the column has no database choices, so no migration is needed.
    `ACCESS_GRANTS` lists the actions that change who can see clinical records.
    """

    # Clinical records: reading
    VIEW_CASELOAD = "view_caseload", "Viewed the caseload"
    VIEW_CLIENT = "view_client", "Viewed a client's record"
    OPEN_SESSION_FORM = "open_session_form", "Opened the session form"
    VIEW_GOALS = "view_goals", "Viewed a client's goals"
    OPEN_REVIEW_FORM = "open_review_form", "Opened the impasse review form"
    VIEW_REVIEW = "view_review", "Viewed an impasse review"
    PRINT_CONSULTATION = "print_consultation", "Opened a consultation summary"
    PRINT_LETTER = "print_letter", "Opened a letter"
    # Clinical records: writing
    CREATE_CLIENT = "create_client", "Added a client"
    RECORD_SESSION = "record_session", "Recorded a session"
    END_EPISODE = "end_episode", "Ended an episode of care"
    ADD_GOAL = "add_goal", "Added a goal"
    REVISE_GOAL = "revise_goal", "Revised a goal"
    RATE_GOAL = "rate_goal", "Rated progress on a goal"
    OPEN_REVIEW = "open_review", "Started an impasse review"
    MAKE_PLAN = "make_plan", "Made a plan from a review"
    RECORD_STRATEGY_RESULT = "record_strategy_result", "Recorded how a strategy went"
    ADD_REFLECTION = "add_reflection", "Wrote a reflection"
    WRITE_LETTER = "write_letter", "Wrote a letter"
    CORRECT_SESSION = "correct_session", "Corrected a session"
    VOID_SESSION = "void_session", "Voided a session"
    REOPEN_EPISODE = "reopen_episode", "Reopened an episode of care"
    CHOOSE_INSTRUMENTS = "choose_instruments", "Chose a client's questionnaires"
    # Safety
    SAFETY_ALERT_RAISED = "safety_alert_raised", "A safety alert was raised"
    SAFETY_CHECK_RECORDED = "safety_check_recorded", "Recorded a safety check"
    CLOSED_WITH_OPEN_SAFETY_ALERT = (
        "episode_closed_with_open_safety_alert",
        "Ended an episode with a safety alert still open",
    )
    # Client questionnaires (the portal)
    PORTAL_REQUEST_CREATED = "portal_request_created", "Asked a client to fill in questionnaires"
    PORTAL_LINK_CREATED = "portal_link_created", "Made a private questionnaire link"
    PORTAL_KIOSK_CODE_CREATED = "portal_kiosk_code_created", "Made a kiosk code"
    PORTAL_REQUEST_SENT = "portal_request_sent", "Sent a questionnaire link"
    PORTAL_REQUEST_WITHDRAWN = "portal_request_withdrawn", "Withdrew a questionnaire request"
    PORTAL_REMINDER_SENT = "portal_reminder_sent", "Sent a questionnaire reminder"
    PORTAL_REQUEST_OPENED = "portal_request_opened", "Opened their questionnaires"
    PORTAL_SAFETY_ANSWER = "portal_safety_answer", "Gave a safety answer on their own"
    # a page answered in full, stored as it was sent, before the rest of the request
    PORTAL_PAGE_SENT = "portal_page_sent", "Sent one of their questionnaires"
    PORTAL_BARRIERS_REPORTED = "portal_barriers_reported", "Said what gets in the way"
    PORTAL_REQUEST_SUBMITTED = "portal_request_submitted", "Sent their questionnaires"
    PORTAL_REQUEST_VIEWED = "portal_request_viewed", "Viewed a questionnaire request"
    PORTAL_SCHEDULE_SET = "portal_schedule_set", "Set a client's questionnaire schedule"
    CHANGE_CLIENT_DETAILS = "change_client_details", "Changed a client's name or contact details"
    # Clinic figures
    VIEW_TEAM_FIGURES = "view_team_figures", "Viewed the team's figures"
    EXPORT_TEAM_FIGURES = "export_team_figures", "Exported the team's figures"
    # The clinic's questionnaires
    ADD_INSTRUMENT = "add_instrument", "Added a questionnaire"
    # Signing in and access
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Failed to sign in"
    SIGN_IN_PAUSED = "sign_in_paused", "Was stopped from signing in (too many failures)"
    SIGN_IN_PAUSE_LIFTED = "sign_in_pause_lifted", "Lifted a pause on signing in"
    PORTAL_PAUSE_LIFTED = "portal_pause_lifted", "Lifted a pause on the client pages"
    ACCESS_DENIED = "access_denied", "Was refused a page"
    VIEW_AUDIT_LOG = "view_audit_log", "Read the audit log"
    EXPORT_AUDIT_LOG = "export_audit_log", "Downloaded the audit log"
    # Accounts (administration)
    CREATE_ACCOUNT = "create_account", "Created an account"
    CHANGE_ROLE = "change_role", "Changed someone's role"
    CHANGE_SUPERVISOR = "change_supervisor", "Changed who supervises someone"
    CHANGE_ADMIN_RIGHTS = "change_admin_rights", "Changed someone's administration rights"
    DEACTIVATE_ACCOUNT = "deactivate_account", "Deactivated an account"
    REACTIVATE_ACCOUNT = "reactivate_account", "Reactivated an account"
    CHANGE_ACCOUNT = "change_account", "Changed an account's details"
    CLIENTS_MOVED = "clients_moved", "Moved a client to another therapist"
    # Older entries of this action include passwords set by an administrator; new ones are
    # only a person changing their own (SET_OTHERS_PASSWORD is the other kind).
    CHANGE_PASSWORD = "change_password", "Changed a password"
    SET_OTHERS_PASSWORD = "set_others_password", "Set another person's password"
    CHANGE_ACCOUNT_CLINIC = "change_account_clinic", "Changed which clinic someone belongs to"
    CHANGE_CLINIC = "change_clinic", "Changed the clinic's details"
    SETUP_CLINIC = "setup_clinic", "Set up the clinic and its first administrator"
    CHANGE_PORTAL_SETTINGS = (
        "change_portal_settings",
        "Changed the client pages' settings (expiry, reminders, safety message, own scores)",
    )
    # A clinic's history brought in from a caseload file (`unstuck import`): one entry for the
    # import, and one for each client it added (their code, counts, never answers)
    IMPORT_RECORDS = "import_records", "Imported clients' records"
    IMPORT_CLIENT = "import_client", "Added a client with their history"
    # The whole database (`unstuck backup`, `unstuck restore`)
    BACKUP_MADE = "backup_made", "Made a backup of the whole database"
    BACKUP_FAILED = "backup_failed", "A backup of the whole database could not be written"
    RESTORED_BACKUP = "restored_backup", "Restored the whole database from a backup"
    COPIED_DATABASE = "copied_database", "Copied every record into another database"


ACCESS_GRANTS = frozenset(
    {
        AuditAction.CREATE_ACCOUNT,
        AuditAction.CHANGE_ROLE,
        AuditAction.CHANGE_SUPERVISOR,
        AuditAction.CHANGE_ADMIN_RIGHTS,
        AuditAction.REACTIVATE_ACCOUNT,
        AuditAction.CLIENTS_MOVED,
        AuditAction.SET_OTHERS_PASSWORD,
        AuditAction.CHANGE_ACCOUNT_CLINIC,
    }
)


class AuditEntry(models.Model):
    """Who did what to which record, and when. Written by services; never edited.

    The client is kept as its code (text), not a foreign key, so the log outlives the record
    and no deletion can cascade into it. Details never contain answers or notes.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    client_code = models.CharField(max_length=40, blank=True, db_index=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    @property
    def action_label(self) -> str:
        """The action in plain words (the stored code if it has left the vocabulary)."""
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action_label} {self.client_code}"


def signed_in(request: HttpRequest) -> User:
    """The person signed in on `request`, for a view or screen that requires signing in."""
    user = request.user
    assert isinstance(user, User)
    return user
