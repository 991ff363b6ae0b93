"""Audit rows for signing in and out, failed sign-ins and refused pages.

Django sends the sign-in signals from `authenticate`, `login` and `logout`, so every sign-in
form (the clinic's and the administration's) is covered by the same receivers. A failed
sign-in keeps only the name that was typed: Django has already masked the password, and it
is never read here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, User


@receiver(user_logged_in, dispatch_uid="unstuck-audit-sign-in")
def _signed_in(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    record_audit(user, AuditAction.SIGN_IN, detail=_where(request))
    if request is not None and hasattr(request, "session"):
        from unstuck.web.security import note_sign_in

        note_sign_in(request)


@receiver(user_logged_out, dispatch_uid="unstuck-audit-sign-out")
def _signed_out(sender: Any, request: HttpRequest | None, user: User | None, **_: Any) -> None:
    if isinstance(user, User):
        record_audit(user, AuditAction.SIGN_OUT, detail=_where(request))


@receiver(user_login_failed, dispatch_uid="unstuck-audit-sign-in-failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    typed = str(credentials.get("username", ""))
    known = User.objects.filter(username__iexact=typed).first() if typed else None
    record_audit(
        known, AuditAction.SIGN_IN_FAILED, username=typed or "(no name)", detail=_where(request)
    )


@receiver(user_locked_out, dispatch_uid="unstuck-audit-sign-in-paused")
def _sign_in_paused(
    sender: Any, request: HttpRequest | None, username: str | None = None, **_: Any
) -> None:
    known = User.objects.filter(username__iexact=username).first() if username else None
    record_audit(
        known, AuditAction.SIGN_IN_PAUSED, username=username or "(no name)", detail=_where(request)
    )


def _where(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    from unstuck.web.accounts.throttle import client_address

    return f"from {client_address(request)} at {request.path}"


# What each refusal means, for the audit row (a bare HTTP status is a code, not words).
REFUSALS = {
    403: "refused (not open to them)",
    404: "not found or not theirs",
    302: "sent to sign in (no administration rights)",
}


class AuditRefusedAccessMiddleware:
    """One audit row for every page refused to a signed-in person.

    403 always; 404 only where the address names a real page (a record that does not exist or
    is not theirs answers 404 on purpose, see `records.selectors.access_client`), so a mistyped
    address or a browser's request for /favicon.ico is not counted as a refusal; and an
    administration screen that sends someone without administration rights to its sign-in
    form (Django's admin answers them so, not with a 403).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        user = getattr(request, "user", None)
        if not (isinstance(user, User) and user.is_authenticated):
            return response
        refused = status == 403 or (status == 404 and request.resolver_match is not None)
        if status == 302 and not user.is_staff:  # the admin's answer to no rights
            refused = str(response.get("Location", "")).startswith(reverse("admin:login"))
        if refused:
            record_audit(
                user,
                AuditAction.ACCESS_DENIED,
                detail=f"{REFUSALS[status]}: {request.method} {request.path}",
            )
        return response
