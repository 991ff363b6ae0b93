"""Writes about accounts: the first-run set-up, and the audit rows for every change an
administrator makes.

The administration screens (`accounts.admin`) call these inside the transaction of the save,
so a change of role, supervision or rights is never stored without its audit row. Granting
clinical access (a therapist or supervisor role, a supervisor) is one of `ACCESS_GRANTS`, which
the audit log page lists apart so that no grant goes unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Field, Model

from unstuck.errors import UnstuckError
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, Clinic, Role, User

SELF_GRANT_REFUSED = (
    "You cannot change your own role, supervisor or rights. Ask another administrator: "
    "the change is then recorded in the audit log under their name."
)


@dataclass(frozen=True)
class AccountState:
    """What of an account decides its access, as it was before a change."""

    role: str
    supervisor: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    details: tuple[str, str, str, str]

    @classmethod
    def of(cls, user: User) -> AccountState:
        return cls(
            role=user.role,
            supervisor=user.supervisor.username if user.supervisor_id and user.supervisor else "",
            is_active=user.is_active,
            is_staff=user.is_staff,
            is_superuser=user.is_superuser,
            details=(user.username, user.first_name, user.last_name, user.email),
        )


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def _rights(state: AccountState) -> str:
    if state.is_superuser:
        return "full administration rights"
    return "administration screens" if state.is_staff else "no administration rights"


def audit_account_saved(*, actor: User, account: User, before: AccountState | None) -> None:
    """One row per kind of change, naming the account and the old and new value."""
    after = AccountState.of(account)
    name = account.username
    if before is None:
        supervised = f", supervised by {after.supervisor}" if after.supervisor else ""
        record_audit(
            actor,
            AuditAction.CREATE_ACCOUNT,
            detail=f"{name}: {_role_label(after.role)}{supervised}, {_rights(after)}",
        )
        return
    if before.role != after.role:
        change = f"{_role_label(before.role)} -> {_role_label(after.role)}"
        record_audit(actor, AuditAction.CHANGE_ROLE, detail=f"{name}: {change}")
    if before.supervisor != after.supervisor:
        change = f"{before.supervisor or 'nobody'} -> {after.supervisor or 'nobody'}"
        record_audit(actor, AuditAction.CHANGE_SUPERVISOR, detail=f"{name}: supervisor {change}")
    if (before.is_staff, before.is_superuser) != (after.is_staff, after.is_superuser):
        change = f"{_rights(before)} -> {_rights(after)}"
        record_audit(actor, AuditAction.CHANGE_ADMIN_RIGHTS, detail=f"{name}: {change}")
    if before.is_active != after.is_active:
        action = (
            AuditAction.REACTIVATE_ACCOUNT if after.is_active else AuditAction.DEACTIVATE_ACCOUNT
        )
        record_audit(actor, action, detail=name)
    if before.details != after.details:
        fields = ("user name", "first name", "last name", "email")
        changed = [
            f
            for f, old, new in zip(fields, before.details, after.details, strict=True)
            if old != new
        ]
        record_audit(actor, AuditAction.CHANGE_ACCOUNT, detail=f"{name}: {', '.join(changed)}")


def audit_password_set(*, actor: User, account: User) -> None:
    record_audit(actor, AuditAction.CHANGE_PASSWORD, detail=account.username)


def audit_clinic_saved(*, actor: User, clinic: Clinic, created: bool) -> None:
    verb = "added" if created else "changed"
    record_audit(actor, AuditAction.CHANGE_CLINIC, detail=f"{clinic.name}: {verb}")


class SetupError(UnstuckError):
    """The first-run set-up cannot go ahead; the message says which answer to change."""


def check_database_is_new() -> None:
    """Set-up runs once, on an empty database: never beside a demo clinic of made-up clients
    (real records must not mix with synthetic ones) nor as a second clinic."""
    existing = Clinic.objects.first()
    if existing is None:
        return
    if existing.synthetic:
        raise SetupError(
            "this database holds the synthetic demo clinic; set up a real clinic in a fresh "
            "data folder (UNSTUCK_DATA_DIR) or database (DATABASE_URL). Nothing was changed."
        )
    raise SetupError(
        f"this database already holds the clinic {existing.name!r}; its administrator adds "
        "people under Accounts (/admin/). Nothing was changed."
    )


def check_setup_answers(clinic: str, username: str, email: str, password: str) -> None:
    """Check every answer before anything is written, naming the one that is wrong."""
    if not clinic.strip():
        raise SetupError("clinic name: give the clinic a name, e.g. 'Riverside Therapy'")
    if not username.strip():
        raise SetupError("user name: give the administrator a user name, e.g. 'admin'")
    _check_names(clinic, username, email)
    if User.objects.filter(username=username.strip()).exists():
        raise SetupError(f"user name {username.strip()!r}: an account with this name exists")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise SetupError(f"e-mail {email!r}: not an e-mail address") from None
    try:
        validate_password(password, User(username=username.strip(), email=email))
    except ValidationError as exc:
        raise SetupError("password: " + " ".join(exc.messages)) from None


def _check_names(clinic: str, username: str, email: str) -> None:
    """Refuse a name the database would refuse, or the account pages would: the models' own
    rules (Django's user-name characters, each field's length), on SQLite as on PostgreSQL."""
    checks: tuple[tuple[type[Model], str, str, str], ...] = (
        (Clinic, "name", "clinic name", clinic.strip()),
        (User, "username", "user name", username.strip()),
        (User, "email", "e-mail", email),
    )
    for model, name, label, value in checks:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        try:
            field.run_validators(value)
        except ValidationError as exc:
            shown = f" {value!r}" if len(value) <= 40 else ""
            raise SetupError(f"{label}{shown}: {' '.join(exc.messages)}") from None


def create_clinic(clinic: str, username: str, email: str, password: str) -> User:
    """Create the clinic and its first administrator, who then adds therapists and supervisors.

    The administrator is also a Django staff superuser so that the account pages at /admin/
    open for them; their role still keeps clinical records out of their reach.
    """
    check_database_is_new()
    check_setup_answers(clinic, username, email, password)
    with transaction.atomic():
        place = Clinic.objects.create(name=clinic.strip())
        admin = User.objects.create_user(
            username=username.strip(),
            email=email,
            password=password,
            clinic=place,
            role=Role.ADMINISTRATOR,
            is_staff=True,
            is_superuser=True,
        )
        record_audit(admin, AuditAction.SETUP_CLINIC, detail=f"clinic {place.name}")
    return admin
