"""Client pages on a host name of their own, with the staff app refused there.

Many clinics keep the staff app on their own network and expose only the client pages to the
internet. With ``UNSTUCK_PORTAL_HOSTS=answers.clinic.example`` (also in
``UNSTUCK_ALLOWED_HOSTS``), a request for that host reaches only the client's pages and their
static files; anything else there (sign-in, caseload, admin) is a plain 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

CLIENT_PATHS = ("/q/", "/answer/", "/kiosk/", "/static/portal/")


class PortalHostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hosts: list[str] = settings.PORTAL_HOSTS
        host = request.get_host().rsplit(":", 1)[0].lower()
        if hosts and host in hosts and not request.path_info.startswith(CLIENT_PATHS):
            return HttpResponseNotFound("Not found.", content_type="text/plain")
        return self.get_response(request)
