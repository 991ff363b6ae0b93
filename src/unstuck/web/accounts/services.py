"""Writes about accounts: the first-run set-up, and the audit rows for every change an
administrator makes.

The administration screens (`accounts.admin`) call these inside the transaction of the save,
so a change of role, supervision or rights is never stored without its audit row. Granting
clinical access (a therapist or supervisor role, a supervisor) is one of `ACCESS_GRANTS`, which
the audit log page lists apart so that no grant goes unseen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Field, Model

from unstuck.errors import UnstuckError
from unstuck.web.accounts.audit import choice_label, record_audit
from unstuck.web.accounts.models import AuditAction, Clinic, Role, User

# Who acted, in the audit log, for a change made outside the web app (a command on the server,
# a Django shell): the app cannot know the person, only that it was not one of its pages.
SERVER_ACTOR = "(on the server, outside the web app)"

_WRITING_ITS_OWN_ROWS: ContextVar[bool] = ContextVar("unstuck_account_rows", default=False)


@contextmanager
def audited_by_caller() -> Iterator[None]:
    """Inside this block the caller writes the audit rows of the accounts it saves itself (the
    administration screens, the password page, set-up), so `accounts.outside` writes none."""
    token = _WRITING_ITS_OWN_ROWS.set(True)
    try:
        yield
    finally:
        _WRITING_ITS_OWN_ROWS.reset(token)


def caller_audits() -> bool:
    return _WRITING_ITS_OWN_ROWS.get()


SELF_GRANT_REFUSED = (
    "You cannot change your own role, supervisor or rights. Ask another administrator: "
    "the change is then recorded in the audit log under their name."
)


@dataclass(frozen=True)
class AccountState:
    """What of an account decides its access, as it was before a change."""

    role: str
    clinic: str
    supervisor: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    details: tuple[str, str, str, str]

    @classmethod
    def of(cls, user: User) -> AccountState:
        return cls(
            role=user.role,
            clinic=user.clinic.name if user.clinic_id and user.clinic else "",
            supervisor=user.supervisor.username if user.supervisor_id and user.supervisor else "",
            is_active=user.is_active,
            is_staff=user.is_staff,
            is_superuser=user.is_superuser,
            details=(user.username, user.first_name, user.last_name, user.email),
        )


# Each pair of Django's (staff, superuser) in words; the migration that made rights follow
# the role (accounts 0006) writes the same.
RIGHTS = {
    (True, True): "full administration rights",
    (True, False): "the administration screens without full rights",
    (False, True): "full rights without the administration screens",
    (False, False): "no administration rights",
}


def _rights(state: AccountState) -> str:
    return RIGHTS[(state.is_staff, state.is_superuser)]


def audit_account_saved(*, actor: User | None, account: User, before: AccountState | None) -> None:
    """One row per kind of change, naming the account and the old and new value. With no
    `actor`, the change was made outside the web app (`SERVER_ACTOR`)."""
    after = AccountState.of(account)
    name = account.username

    def note(action: AuditAction, detail: str) -> None:
        record_audit(actor, action, detail=detail, username=SERVER_ACTOR)

    if before is None:
        supervised = f", supervised by {after.supervisor}" if after.supervisor else ""
        clinic = f", clinic {after.clinic}" if after.clinic else ", no clinic"
        role = choice_label(Role, after.role)
        own = "; must choose their own password at first sign-in" * account.must_change_password
        note(
            AuditAction.CREATE_ACCOUNT,
            f"{name}: {role}{supervised}, {_rights(after)}{clinic}{own}",
        )
        return
    if before.clinic != after.clinic:
        change = f"{before.clinic or 'no clinic'} -> {after.clinic or 'no clinic'}"
        note(AuditAction.CHANGE_ACCOUNT_CLINIC, f"{name}: {change}")
    if before.role != after.role:
        note(
            AuditAction.CHANGE_ROLE,
            f"{name}: {choice_label(Role, before.role)} -> {choice_label(Role, after.role)}",
        )
    if before.supervisor != after.supervisor:
        change = f"{before.supervisor or 'nobody'} -> {after.supervisor or 'nobody'}"
        note(AuditAction.CHANGE_SUPERVISOR, f"{name}: supervisor {change}")
    if (before.is_staff, before.is_superuser) != (after.is_staff, after.is_superuser):
        note(AuditAction.CHANGE_ADMIN_RIGHTS, f"{name}: {_rights(before)} -> {_rights(after)}")
    if before.is_active != after.is_active:
        active = after.is_active
        note(AuditAction.REACTIVATE_ACCOUNT if active else AuditAction.DEACTIVATE_ACCOUNT, name)
    if before.details != after.details:
        fields = ("user name", "first name", "last name", "email")
        changed = [
            f
            for f, old, new in zip(fields, before.details, after.details, strict=True)
            if old != new
        ]
        note(AuditAction.CHANGE_ACCOUNT, f"{name}: {', '.join(changed)}")


def first_password_note(account: User) -> str:
    """What the administrator is told on adding an account with a password."""
    return (
        f"When {account.username} first signs in, they must choose a password of their own "
        "before any other page opens. Give them the one you set where only they will see it."
    )


def audit_password_set(*, actor: User | None, account: User) -> None:
    """A person's own new password clears the demand for one; a password set by anyone else
    (with no `actor`: outside the web app) is a change of who can use the account, so the
    person must choose their own at their next sign-in."""
    if actor is not None and actor.pk == account.pk:
        User.objects.filter(pk=account.pk).update(must_change_password=False)
        account.must_change_password = False
        record_audit(actor, AuditAction.CHANGE_PASSWORD, detail=account.username)
        return
    User.objects.filter(pk=account.pk).update(must_change_password=True)
    account.must_change_password = True
    record_audit(
        actor,
        AuditAction.SET_OTHERS_PASSWORD,
        detail=f"{account.username}: must choose a new password at their next sign-in",
        username=SERVER_ACTOR,
    )


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
    from unstuck.web.setup_clinic import ADMINISTRATION_PAGE

    raise SetupError(
        f"this database already holds the clinic {existing.name!r}; its administrator adds "
        f"people on {ADMINISTRATION_PAGE}. Nothing was changed."
    )


def check_setup_answers(clinic: str, username: str, email: str, password: str) -> None:
    """Check every answer before anything is written, naming the one that is wrong."""
    answers = {"clinic": clinic, "username": username, "email": email, "password": password}
    for name in SETUP_ANSWERS:
        check_setup_answer(name, answers)


SETUP_ANSWERS = ("clinic", "username", "email", "password")  # in the order they are asked


def check_setup_answer(name: str, answers: Mapping[str, str]) -> None:
    """Check one answer of `unstuck setup` (one of `SETUP_ANSWERS`), as soon as it is given:
    a wrong user name was reported only after both passwords had been typed. The password is
    checked against the user name and e-mail given before it."""
    value = answers[name]
    if name == "clinic":
        if not value.strip():
            raise SetupError("clinic name: give the clinic a name, e.g. 'Riverside Therapy'")
        _check_name(Clinic, "name", "clinic name", value.strip())
    elif name == "username":
        if not value.strip():
            raise SetupError("user name: give the administrator a user name, e.g. 'admin'")
        _check_name(User, "username", "user name", value.strip())
        if User.objects.filter(username=value.strip()).exists():
            raise SetupError(f"user name {value.strip()!r}: an account with this name exists")
    elif name == "email":
        if value:
            _check_name(User, "email", "e-mail", value)
            try:
                validate_email(value)
            except ValidationError:
                raise SetupError(f"e-mail {value!r}: not an e-mail address") from None
    else:
        person = User(username=answers["username"].strip(), email=answers["email"])
        try:
            validate_password(value, person)
        except ValidationError as exc:
            raise SetupError("password: " + " ".join(exc.messages)) from None


def _check_name(model: type[Model], name: str, label: str, value: str) -> None:
    """Refuse a name the database would refuse, or the account pages would: the model's own
    rules (Django's user-name characters, each field's length), on SQLite as on PostgreSQL."""
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
    open for them (`User.take_rights_from_role`); their role still keeps clinical records out
    of their reach.
    """
    check_database_is_new()
    check_setup_answers(clinic, username, email, password)
    with transaction.atomic(), audited_by_caller():
        place = Clinic.objects.create(name=clinic.strip())
        admin = User.objects.create_user(
            username=username.strip(),
            email=email,
            password=password,
            clinic=place,
            role=Role.ADMINISTRATOR,
        )
        admin.take_rights_from_role()
        admin.save(update_fields=["is_staff", "is_superuser"])
        record_audit(admin, AuditAction.SETUP_CLINIC, detail=f"clinic {place.name}")
    return admin
