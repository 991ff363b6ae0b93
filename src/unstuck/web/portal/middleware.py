"""Client pages on a host name of their own, with the staff app refused there; and nobody
stays signed in to the staff app on a device where a client answers.

Many clinics keep the staff app on their own network and expose only the client pages to the
internet. With ``UNSTUCK_PORTAL_HOSTS=answers.clinic.example`` (also in
``UNSTUCK_ALLOWED_HOSTS``), a request for that host reaches only the client's pages and their
static files; anything else there (sign-in, caseload, admin) is a plain 404.

A client page opened where staff are signed in (a private link on the therapist's own computer,
a shared tablet) signs them out first, before the staff app's own checks (an idle sign-in, a
password still to choose) could send the client to a staff page, and before any client content:
otherwise the client, after answering, would find the caseload one click away.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

CLIENT_PATHS = ("/q/", "/answer/", "/kiosk/", "/static/portal/")
CLIENT_PAGES = ("/q/", "/answer/", "/kiosk/")  # the pages; the static files carry no session


class PortalHostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hosts: list[str] = settings.PORTAL_HOSTS
        host = request.get_host().rsplit(":", 1)[0].lower()
        if hosts and host in hosts and not request.path_info.startswith(CLIENT_PATHS):
            return HttpResponseNotFound("Not found.", content_type="text/plain")
        return self.get_response(request)


class ClientPagesSignOutMiddleware:
    """Sign staff out on any client page (placed right after Django's authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and request.path_info.startswith(CLIENT_PAGES):
            logout(request)  # the whole session goes: nothing of the staff app is kept
        return self.get_response(request)
