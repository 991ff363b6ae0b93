"""One headless Debian Chromium per test module, driven by Playwright's sync API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _pages_close_with_their_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every browser context a test opened is closed when it ends, before the live server and
    its database are: a page still loading (a stylesheet, the kiosk's timed return) sent a
    request after the test, and under load one hit the database while it was being emptied
    for the next test ("database table is locked", then that test's setup failed)."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("live_server")  # set up first, so torn down after this
    browser = request.getfixturevalue("browser") if "browser" in request.fixturenames else None
    yield
    for context in browser.contexts if browser is not None else []:
        context.close()
