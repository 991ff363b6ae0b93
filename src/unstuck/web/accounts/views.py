from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from unstuck.web.accounts import services, throttle
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


class PasswordChangeView(auth_views.PasswordChangeView):
    """Anyone signed in changes their own password, giving the current one first (an
    administrator sets a new colleague's first password; this is how they make it their own).
    The audit log records the change; Django signs the account's other sessions out and keeps
    this one. Sent twice, the second fails the current-password check: nothing is doubled."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("caseload")

    @transaction.atomic
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        services.audit_password_set(actor=signed_in(self.request), account=form.user)
        messages.success(self.request, "Your password is changed.")
        return response


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
