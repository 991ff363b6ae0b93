"""HTTP hardening that Django has no setting for: no caching of pages, an idle session timeout.

- `NoStoreMiddleware`: every page and download the application itself answers (client records,
  PDFs, the audit log) carries ``Cache-Control: no-store``, so no browser, shared computer or
  proxy keeps a copy of client data. Static files (served before this middleware) stay
  cacheable.
- `SessionTimeoutMiddleware`: a session ends after `SESSION_IDLE_SECONDS` without a request,
  and in any case `SESSION_COOKIE_AGE` after signing in (Django's own expiry moves on each
  time the session is saved, so the absolute limit is kept here from the sign-in time).
- `check_https_switch`: `unstuck manage check --deploy` without UNSTUCK_HTTPS reported only
  Django's own warnings, which name Django settings (SECURE_HSTS_SECONDS, ...) that Unstuck
  does not read from anywhere; unstuck.W003 names the one switch that answers them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.checks import CheckMessage, Tags, Warning, register
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT = "unstuck_signed_in_at"
LAST_SEEN = "unstuck_last_seen"
SEEN_GRANULARITY = 60  # seconds: the session is saved at most once a minute for this
IDLE_MESSAGE = (
    "You were signed out after {minutes} minutes without activity, to protect your clients' "
    "privacy. Please sign in again."
)
EXPIRED_MESSAGE = "Your sign-in lasted its full {hours} hours. Please sign in again."

Handler = Callable[[HttpRequest], HttpResponse]


class NoStoreMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in = int(session.setdefault(SIGNED_IN_AT, now))
            last_seen = int(session.get(LAST_SEEN, now))
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                return self._sign_out(request, IDLE_MESSAGE, settings.SESSION_IDLE_SECONDS // 60)
            if now - signed_in > settings.SESSION_COOKIE_AGE:
                return self._sign_out(request, EXPIRED_MESSAGE, settings.SESSION_COOKIE_AGE // 3600)
            if now - last_seen >= SEEN_GRANULARITY or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _sign_out(request: HttpRequest, message: str, amount: int) -> HttpResponse:
        logout(request)
        messages.info(request, message.format(minutes=amount, hours=amount))
        return redirect_to_login(request.path)


def note_sign_in(request: HttpRequest) -> None:
    """Start both clocks at sign-in (called from the `user_logged_in` receiver)."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


HTTPS_OFF = (
    "UNSTUCK_HTTPS is off: that is what security.W004, W008, W012 and W016 report (no HSTS, no "
    "redirect to HTTPS, cookies sent over plain HTTP). Unstuck takes its settings from "
    "environment variables, not from the Django settings those warnings name: serve it over "
    "HTTPS behind a reverse proxy and set UNSTUCK_HTTPS=true, which turns all four on (README, "
    "'Serving, saving, backing up')"
)


@register(Tags.security, deploy=True)
def check_https_switch(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    return [] if settings.HTTPS else [Warning(HTTPS_OFF, id="unstuck.W003")]
