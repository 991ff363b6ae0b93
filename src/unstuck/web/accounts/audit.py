"""Writing the audit log. Call it inside the transaction of the change it records.

Every entry names one `AuditAction` (the vocabulary lives in `accounts.models`). Details never
contain questionnaire answers, notes or passwords, and are written in the words the pages use:
a stored choice by its label (`choice_label`), a questionnaire by its name, never a code.
"""

from __future__ import annotations

from django.db.models import Choices

from unstuck.web.accounts.models import AuditAction, AuditEntry, User

DETAIL_LENGTH = 300
# Who acted when a client answered on their own (no account): the name the entry keeps.
CLIENT_ACTOR = "client (questionnaire)"


def choice_label(choices: type[Choices], value: object) -> str:
    """The label a page shows for a stored choice ("Referred elsewhere" for `referred`); the
    value itself if it is not (or no longer) one of the choices."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def record_audit(
    user: User | None,
    action: AuditAction,
    *,
    client_code: str = "",
    detail: str = "",
    username: str = "",
) -> AuditEntry:
    """Append one entry. `username` names who acted when there is no account (a failed sign-in
    with a made-up name); otherwise the account's name is kept as text, so the entry outlives it.

    Raises `ValueError` for an action outside the vocabulary, so a typo fails in the tests
    rather than writing free text.
    """
    checked = AuditAction(action)
    return AuditEntry.objects.create(
        user=user,
        username=(user.username if user is not None else username)[:150],
        action=checked.value,
        client_code=client_code[:40],
        detail=detail[:DETAIL_LENGTH],
    )
