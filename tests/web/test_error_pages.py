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
