"""Writing the audit log. Call it inside the transaction of the change it records."""

from __future__ import annotations

from unstuck.web.accounts.models import AuditEntry, User


def record_audit(user: User, action: str, *, client_code: str = "", detail: str = "") -> None:
    AuditEntry.objects.create(
        user=user,
        username=user.username,
        action=action,
        client_code=client_code,
        detail=detail[:300],
    )
