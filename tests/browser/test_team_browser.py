"""The supervisor's team page in a real browser, and its absence for a therapist."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from personas import PASSWORD, PHQ9_MILD, PHQ9_SEVERE

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def _login(page: Page, name: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def test_a_supervisor_reads_the_team_figures(page: Page, make_client) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        make_client(f"SYN-T{i}", [PHQ9_SEVERE, PHQ9_MILD])
    _login(page, "jordan")
    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How your team's clients are doing")
    table = page.get_by_role("table", name="Clients, change and open items, by therapist")
    expect(table.get_by_role("row", name="All")).to_contain_text("5 of 5 (100%; 95% interval")
    expect(page.locator("#case-mix")).to_contain_text("no verdict")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these counts (CSV)").click()
    assert download.value.suggested_filename == "team-figures.csv"


def test_a_therapist_has_no_team_page(page: Page, personas) -> None:  # type: ignore[no-untyped-def]
    _login(page, "alex")
    expect(page.get_by_role("link", name="Team")).to_have_count(0)
    response = page.goto("/team/")
    assert response is not None
    assert response.status == 404
