from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from unstuck.web.accounts import throttle
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import (
    ACCESS_GRANTS,
    AuditAction,
    AuditEntry,
    Role,
    User,
    signed_in,
)
from unstuck.web.validation import search_text

GRANTS_SHOWN = 20  # the latest changes to who can see clinical records, above the log


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if user.role != Role.ADMINISTRATOR:
        raise PermissionDenied
    record_audit(user, AuditAction.VIEW_AUDIT_LOG)
    entries = AuditEntry.objects.all()
    grants = AuditEntry.objects.filter(action__in=[a.value for a in ACCESS_GRANTS])[:GRANTS_SHOWN]
    client = search_text(request.GET.get("client", ""))
    if client:
        entries = entries.filter(client_code=client)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(
        request, "accounts/audit_log.html", {"page": page, "client": client, "grants": grants}
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The administrator's landing page: the clinic's people by role and where to manage them.

    Administrators see no clinical records, so an empty caseload would tell them nothing.
    """
    user = signed_in(request)
    if user.role != Role.ADMINISTRATOR:
        raise PermissionDenied
    people = User.objects.filter(clinic=user.clinic, is_active=True) if user.clinic else None
    counts = [
        (label, people.filter(role=value).count() if people is not None else 0)
        for value, label in Role.choices
    ]
    return render(
        request,
        "accounts/overview.html",
        {
            "clinic": user.clinic,
            "counts": counts,
            "latest": AuditEntry.objects.first(),
            "can_admin": user.is_staff,
            "paused": throttle.paused_now(),
            "pause_minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60),
            "failure_limit": settings.LOGIN_FAILURE_LIMIT,
        },
    )
