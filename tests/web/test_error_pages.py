"""Styled error pages in plain words with a way back, and a favicon on every page."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def test_a_missing_page_is_a_styled_404_with_a_way_back(client: HttpClient, personas) -> None:
    client.force_login(personas.therapist)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "We could not find this page" in page
    assert f'href="{reverse("caseload")}"' in page
    assert "Sign out" in page


def test_a_page_outside_ones_role_is_a_styled_403(client: HttpClient, personas) -> None:
    client.force_login(personas.therapist)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 403
    assert "This page is not open to your account" in response.content.decode()


def test_a_fault_is_a_styled_500_without_a_traceback(db: None) -> None:
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page
    assert 'href="/"' in page


def test_every_page_links_a_favicon_that_is_served(client: HttpClient, personas) -> None:
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/unstuck/favicon.svg"' in page
    icon = client.get("/static/unstuck/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)
    legacy = client.get("/favicon.ico")  # what pages without base.html ask for
    assert legacy.status_code == 301
    assert legacy["Location"] == "/static/unstuck/favicon.svg"


def test_a_save_that_waited_out_a_long_import_is_a_503_that_asks_to_send_again(
    personas, make_client, monkeypatch
) -> None:
    """On SQLite a save waits for another writer at most the busy timeout; an import of
    thousands of clients can hold the database longer. The save then fails with SQLite's
    "database is locked": no fault in Unstuck. Here nothing was stored (the save's
    transaction rolled back); after the view the session's own write could be the one that
    waited, so the page says the save may not have been made, and a second send is safe."""
    from django.db import OperationalError

    from unstuck.web.records import services
    from unstuck.web.records.models import Session

    record = make_client("C-503", [[1] * 9])
    real = services.record_session

    def waited_too_long(**kwargs: object) -> object:
        real(**kwargs)  # type: ignore[arg-type]  # written, then the next write times out
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "record_session", waited_too_long)
    browser = HttpClient(raise_request_exception=False)
    browser.force_login(personas.therapist)
    response = browser.post(
        reverse("session_new", args=[record.pk]),
        {"date": "2026-02-20", "attendance": "attended", "completed_by": "client"},
    )
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "may not have been saved" in page
    assert "Send it again in a minute or two" in page
    assert "does not save it twice" in page
    assert f'href="{reverse("caseload")}"' in page
    assert Session.objects.filter(episode__client=record).count() == 1  # the first only


def test_a_client_page_on_a_busy_database_speaks_to_the_client(db: None) -> None:
    from django.db import OperationalError

    from unstuck.web.error_views import server_error as unstuck_server_error

    try:
        raise OperationalError("database is locked")
    except OperationalError:
        response = unstuck_server_error(RequestFactory().post("/answer/1/"))
    page = response.content.decode()
    assert response.status_code == 503
    assert "answers already received are never counted twice" in page
    assert "start page" not in page  # no staff page to go back to
    try:
        raise OperationalError("no such table: records_session")  # a fault: the plain 500
    except OperationalError:
        response = unstuck_server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
