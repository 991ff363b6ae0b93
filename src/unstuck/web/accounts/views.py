from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from unstuck.web.accounts import services, throttle
from unstuck.web.accounts.models import (
    AuditEntry,
    Role,
    User,
    signed_in,
)
from unstuck.web.portal.selectors import settings_in_force


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


class OwnPasswordForm(PasswordChangeForm):
    """Django's form, except that a wrong current password counts as a failed sign-in (the
    same audit row and the same throttle), so the form cannot be used to guess it, and that
    the new password must differ from the current one: "changed" to itself, a password an
    administrator set stayed known to them while the account was no longer asked to replace
    it (`accounts.own_password`)."""

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        try:
            return str(super().clean_old_password())
        except ValidationError:
            credentials = {"username": self.user.get_username()}
            user_login_failed.send(__name__, credentials=credentials, request=self.request)
            raise

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new == old:  # (`old` is there only once it was checked as the current one)
            self.add_error("new_password1", self.same_password_problem())
        return cleaned

    def same_password_problem(self) -> str:
        if self.user.must_change_password:
            return (
                "Choose a password different from the one you were given: whoever set it knows it."
            )
        return "Choose a password different from your current one."


class PasswordChangeView(auth_views.PasswordChangeView):
    """Anyone signed in changes their own password, giving the current one first (an
    administrator sets a new colleague's first password; this is how they make it their own).
    The audit log records the change; Django signs the account's other sessions out and keeps
    this one. Sent twice, the second fails the current-password check: nothing is doubled.
    While the account's sign-in is paused, the form is paused too. When someone else set the
    password, this page comes first after signing in (`accounts.own_password`)."""

    template_name = "registration/password_change.html"
    form_class = OwnPasswordForm
    success_url = reverse_lazy("caseload")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        credentials = {"username": signed_in(request).get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return throttle.lockout_response(request, None, credentials)
        return super().post(request, *args, **kwargs)

    @transaction.atomic
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        with services.audited_by_caller():
            response = super().form_valid(form)
        services.audit_password_set(actor=signed_in(self.request), account=form.user)
        messages.success(self.request, "Your password is changed.")
        return response


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
    # A client's safety answer is emailed to their therapist: without an address, to nobody.
    no_email = (
        people.filter(role__in=[Role.THERAPIST, Role.SUPERVISOR], email="").order_by("username")
        if people is not None
        else []
    )
    return render(
        request,
        "accounts/overview.html",
        {
            "clinic": user.clinic,
            "counts": counts,
            "no_email": no_email,
            "latest": AuditEntry.objects.first(),
            "can_admin": user.is_staff,
            "paused": throttle.paused_now(),
            "pause_minutes": throttle.pause_minutes(),
            "failure_limit": settings.LOGIN_FAILURE_LIMIT,
            "portal_in_force": settings_in_force(user.clinic) if user.clinic else "",
        },
    )
