"""Correcting a session in a real browser: the form opens filled with the session's values,
the correction saves with a reason, the status follows and the earlier values stay in the
history; then voiding a session takes it out of the count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from screens import shot

from personas import PASSWORD, PHQ9_MILD, PHQ9_SEVERE

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def test_correcting_then_voiding_a_session(page: Page, make_client) -> None:  # type: ignore[no-untyped-def]
    make_client("C-TYPO", [PHQ9_MILD, PHQ9_MILD, PHQ9_SEVERE])
    page.goto("/login/")
    page.fill("#id_username", "alex")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="C-TYPO").click()
    page.get_by_role("link", name="Correct session 3").click()
    expect(page.locator("h1")).to_contain_text("Correct session 3")
    # The form opens with the recorded answers: PHQ-9 item 1 was 3.
    expect(page.locator("#block-phq9 input[name=phq9__item_1][value='3']")).to_be_checked()
    for number, answer in enumerate(PHQ9_MILD, start=1):
        page.locator(f"#block-phq9 input[name=phq9__item_{number}][value='{answer}']").check()
    page.get_by_label("Reason for the change").fill("Entered the previous client's answers")
    shot(page, "correct-session-form")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".messages")).to_contain_text("Session 3 corrected")
    page.locator("#revisions summary").click()
    expect(page.locator("#revisions")).to_contain_text("Entered the previous client's answers")
    expect(page.locator("#revisions")).to_contain_text(
        "2026-01-19; Attended; PHQ-9 answers 3 3 3 3 2 2 2 2 0"
    )

    page.get_by_role("link", name="Correct session 2").click()
    page.locator("#void-reason").fill("Recorded twice")
    shot(page, "void-session-form")
    page.get_by_role("button", name="Void session 2").click()
    expect(page.locator(".messages")).to_contain_text("Session 2 voided")
    expect(page.locator("#voided-sessions")).to_contain_text("Recorded twice")
    expect(page.locator(".muted").first).to_contain_text("2 sessions in this episode")
    shot(page, "client-after-corrections")
