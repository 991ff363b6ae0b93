"""Writes to the clinic and its people, each with its audit row in the same transaction."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from unstuck.errors import UnstuckError
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import Clinic, Role, User


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
        record_audit(admin, "setup_clinic", detail=f"clinic {place.name}")
    return admin
