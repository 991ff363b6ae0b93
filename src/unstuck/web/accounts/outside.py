"""Audit rows for accounts created or changed outside the web app's pages.

`unstuck manage createsuperuser`, `unstuck manage changepassword` or a Django shell save a
`User` without passing through the administration screens, which write their own rows
(`accounts.services`, inside `services.audited_by_caller`). These receivers write the same
rows for every other save, under `services.SERVER_ACTOR`: the account created, and each change
of clinic, role, supervisor, rights, active state, details and password. A password set there
is someone else's choice, so the person must choose their own at their next sign-in.

Saves that change none of these are not read twice: a sign-in stores only `last_login`, and a
password stored again in a stronger form at sign-in stores only `password`
(`update_fields`), neither is a change of access.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from unstuck.web.accounts import services
from unstuck.web.accounts.models import User

WATCHED = frozenset(
    {
        "clinic",
        "role",
        "supervisor",
        "is_active",
        "is_staff",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "password",
    }
)
# Django stores a password again in a stronger form when someone signs in with it
# (`AbstractBaseUser.check_password`): the same password, saved with these fields only.
REHASH = frozenset({"password"})


def _watched(update_fields: frozenset[str] | None) -> bool:
    if update_fields is None:
        return True
    fields = frozenset(update_fields)
    return bool(fields & WATCHED) and fields != REHASH


@receiver(pre_save, sender=User, dispatch_uid="unstuck-audit-account-outside-before")
def _before(
    sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **_: Any
) -> None:
    instance._unstuck_audit = None  # type: ignore[attr-defined]
    if raw or services.caller_audits() or not _watched(update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).first() if instance.pk else None
    password_set = getattr(instance, "_password", None) is not None
    instance._unstuck_audit = (  # type: ignore[attr-defined]
        services.AccountState.of(stored) if stored is not None else None,
        stored is not None and password_set,
    )


@receiver(post_save, sender=User, dispatch_uid="unstuck-audit-account-outside-after")
def _after(sender: Any, instance: User, created: bool, raw: bool = False, **_: Any) -> None:
    noted = getattr(instance, "_unstuck_audit", None)
    instance._unstuck_audit = None  # type: ignore[attr-defined]
    if raw or noted is None:  # the caller audits, or nothing watched changed
        return
    before, password_set = noted
    services.audit_account_saved(actor=None, account=instance, before=before)
    if password_set:
        services.audit_password_set(actor=None, account=instance)
