"""A password someone else set is replaced by its owner before anything else.

When an administrator sets a colleague's password (or a command on the server does), the
account is marked `must_change_password` (`services.audit_password_set`). Until its owner
chooses their own password on the password page, every other page sends them there, so a
password known to someone else cannot be used to read clinical records unnoticed: whoever
signs in with it must replace it first, and the owner then finds their own no longer works.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from unstuck.web.accounts.models import User

Handler = Callable[[HttpRequest], HttpResponse]


class NewPasswordFirstMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated and user.must_change_password:
            allowed = {reverse("password_change"), reverse("logout"), reverse("admin:logout")}
            if request.path not in allowed:
                return redirect("password_change")
        return self.get_response(request)
