"""The Content-Security-Policy blocks nothing the app itself needs: a real browser reports no
violation on the main pages, and the style sheet (a static file now) still applies."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from personas import PASSWORD, PHQ9_MILD, PHQ9_SEVERE

pytestmark = pytest.mark.browser


def test_the_main_pages_break_no_rule_of_the_policy(
    browser: Browser, live_server, transactional_db, make_client, personas
) -> None:
    record = make_client("C-CSP", [PHQ9_MILD, PHQ9_SEVERE])
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/login/")
    page.get_by_label("User name").fill("alex")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    header_colour = page.locator("header.top").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header_colour == "rgb(47, 75, 143)"  # --accent from app.css
    for url in (
        f"/clients/{record.pk}/",
        f"/clients/{record.pk}/sessions/new/",
        f"/clients/{record.pk}/consultation/",
        "/reflections/",
    ):
        page.goto(url)
    assert violations == []
    context.close()
