"""The server-error page, and the one for a database too busy to take a write.

On SQLite one writer at a time holds the database; the others wait their turn, at most
`storage.BUSY_TIMEOUT_SECONDS`. A long write (an import of thousands of clients, a restore)
can hold it longer, and a page that writes (a save, or any page: each view writes its audit
entry) then fails with "database is locked". That is no fault in Unstuck: the write that
waited was rolled back (usually the page's own; after a save, possibly only the session's),
so it gets a 503 that asks to send again shortly (a form sent twice is saved once), not
"something went wrong on our side".
"""

from __future__ import annotations

import logging
import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

from unstuck.web.portal.middleware import CLIENT_PAGES
from unstuck.web.storage import BUSY_TIMEOUT_SECONDS

BUSY_MESSAGE = "database is locked"  # SQLite's, once the busy timeout has passed
log = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: the busy page for a write that waited its turn too long, else the
    plain 500 page. Rendered without the request's context, as Django's own (the database may
    not answer)."""
    fault = sys.exc_info()[1]
    if isinstance(fault, OperationalError) and BUSY_MESSAGE in str(fault):
        log.warning(
            "%s: the database was busy for over %s s; asked to send again",
            request.method,
            BUSY_TIMEOUT_SECONDS,
        )
        client_page = request.path_info.startswith(CLIENT_PAGES)
        page = loader.render_to_string(
            "503.html",
            {
                "base": "portal/base.html" if client_page else "base.html",
                "client_page": client_page,
            },
        )
        response = HttpResponse(page, status=503)
        response["Retry-After"] = "60"
        return response
    return django_server_error(request)
