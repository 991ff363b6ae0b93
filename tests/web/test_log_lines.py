"""A refused request is one line in the server's log; a fault keeps its traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from portal_helpers import make_request

from unstuck.web.portal.models import WrongAttempt


def console() -> logging.Handler:
    (handler,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    return handler


def test_a_refused_page_is_logged_in_one_line(
    client: HttpClient, personas, make_client, caplog: pytest.LogCaptureFixture
) -> None:
    """A supervisor's expected 403 printed a whole traceback to the server's error stream."""
    record = make_client("C-860", [])
    client.force_login(personas.supervisor)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.post(reverse("session_new", args=[record.pk]), {}).status_code == 403
    (refused,) = [r for r in caplog.records if r.name == "django.request"]
    # Django sends the exception along; the console's filter (which saw the record first)
    # dropped it, so the console wrote one line.
    assert refused.status_code == 403
    assert refused.exc_info is None
    line = console().format(refused)
    assert "Traceback" not in line
    assert line.startswith("Forbidden")


def test_a_fault_keeps_its_traceback() -> None:
    try:
        raise RuntimeError("a fault")
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    fault = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), exc_info)
    fault.status_code = 500
    handler = console()
    assert handler.filter(fault)
    assert "Traceback" in handler.format(fault)


@override_settings(PORTAL_FAILURE_LIMIT=1)
def test_a_private_link_never_reaches_the_log(
    client: HttpClient, personas, make_client, caplog: pytest.LogCaptureFixture
) -> None:
    """A link opened from an address paused for wrong tries was refused (429), and the log
    line named its path: the whole token, which works again once the pause is over."""
    _, token = make_request(personas.therapist, make_client("C-861", []))
    path = reverse("portal_link", args=[token])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/q/not-a-link/").status_code == 404  # pauses this address
        assert client.get(path).status_code == 429
    lines = [console().format(r) for r in caplog.records if r.name == "django.request"]
    assert lines == ["Not Found: /q/(private link)/", "Too Many Requests: /q/(private link)/"]
    assert not any(token in line for line in lines)
    WrongAttempt.objects.all().delete()  # the pause is over: the link still works
    assert client.get(path).status_code == 302
