"""Writes about accounts: the audit rows for every change an administrator makes.

The administration screens (`accounts.admin`) call these inside the transaction of the save,
so a change of role, supervision or rights is never stored without its audit row. Granting
clinical access (a therapist or supervisor role, a supervisor) is one of `ACCESS_GRANTS`, which
the audit log page lists apart so that no grant goes unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

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
