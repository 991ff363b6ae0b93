"""Helpers for the browser tests: a signed-in page, and screenshots saved under
test-artifacts/screenshots/ (ignored by git)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from personas import PASSWORD

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def signed_in(browser: Browser, live_server: Any, username: str | None, width: int) -> Page:
    """A page of `width` px signed in as `username` (None: on the sign-in page), with the
    Content-Security-Policy bypassed so that axe-core's script can run (the app's own pages
    are unchanged)."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}, bypass_csp=True
    )
    page = context.new_page()
    page.goto("/login/")
    if username:
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    return page
