"""A refused request is one line in the server's log; a fault keeps its traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client as HttpClient
from django.urls import reverse


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
