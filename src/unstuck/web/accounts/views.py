from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from unstuck.web.accounts import throttle
from unstuck.web.accounts.models import AuditEntry, Role, User


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        address = client_address(self.request) if self.request else ""
        if throttle.is_locked(username, address):
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            raise forms.ValidationError(throttle.LOCKED_MESSAGE.format(minutes=minutes))
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.note_failure(username, address)
            raise
        throttle.clear(username, address)
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.role != Role.ADMINISTRATOR:
        raise PermissionDenied
    entries = AuditEntry.objects.all()
    client = request.GET.get("client", "").strip()
    if client:
        entries = entries.filter(client_code=client)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page, "client": client})


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The administrator's landing page: the clinic's people by role and where to manage them.

    Administrators see no clinical records, so an empty caseload would tell them nothing.
    """
    user = request.user
    assert isinstance(user, User)
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
        },
    )
