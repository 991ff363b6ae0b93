"""The therapist's daily path in a real browser: sign in, caseload, an off-track client, a
session with a safety answer, the safety alert at the top; and no way into a colleague's
client. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from screens import shot

from personas import PASSWORD, PHQ9_MILD, PHQ9_SEVERE

pytestmark = pytest.mark.browser


def open_page(browser: Browser, live_server, width: int = 1100) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    return context.new_page()


def sign_in(page: Page, username: str = "alex") -> None:
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()


def test_a_safety_answer_entered_in_session_tops_the_caseload(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    make_client("A-WORSE", [PHQ9_MILD, PHQ9_SEVERE])
    make_client("B-FINE", [PHQ9_SEVERE, PHQ9_MILD])
    make_client("Z-QUIET", [PHQ9_MILD, PHQ9_MILD])
    page = open_page(browser, live_server)
    page.goto("/login/")
    shot(page, "login")
    sign_in(page)
    rows = page.locator("table.caseload tbody tr")
    expect(rows.first).to_have_attribute("data-client", "A-WORSE")  # off track first
    expect(rows.first).to_contain_text("Off track")
    shot(page, "caseload")

    page.get_by_role("link", name="A-WORSE").click()
    expect(page.locator(".explanations")).to_contain_text("Getting worse:")
    expect(page.locator("svg.chart").first).to_have_attribute("role", "img")
    shot(page, "client-off-track")
    page.goto("/")
    page.get_by_role("link", name="Z-QUIET").click()
    page.get_by_role("link", name="Record a session").click()

    # Keyboard entry: focus the first PHQ-9 item and answer with the arrow keys.
    page.locator("#block-phq9 input[type=radio]").first.focus()
    for _ in range(9):
        page.keyboard.press("ArrowRight")  # "0 Not at all" -> "1 Several days" within the group
        page.keyboard.press("Tab")
    page.locator("#block-phq9 .safety-item").get_by_label("2 More than half the days").check()
    shot(page, "session-form")
    page.get_by_role("button", name="Save session").click()
    expect(page.locator(".messages")).to_contain_text("Status now: Off track (safety")
    expect(page.locator("#safety-alert")).to_be_visible()

    page.get_by_role("link", name="Caseload").click()
    expect(page.locator("#safety-summary")).to_contain_text("1 client answered a safety question")
    expect(rows.first).to_have_attribute("data-client", "Z-QUIET")
    expect(rows.first.locator(".badge.safety")).to_have_text("Safety")
    shot(page, "caseload-safety-first")


def test_a_bad_session_form_says_what_to_fix_and_saves_nothing(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    client = make_client("C-1", [PHQ9_MILD])
    page = open_page(browser, live_server)
    sign_in(page)
    page.goto(f"/clients/{client.pk}/sessions/new/")
    for n in range(1, 9):
        page.locator(f"#block-phq9 input[name=phq9__item_{n}][value='1']").check()
    page.get_by_role("button", name="Save session").click()  # item 9 (safety) left blank
    expect(page.locator(".alert-box")).to_contain_text("Nothing was saved")
    expect(page.locator(".alert-box")).to_contain_text("Item 9 is the safety question")
    shot(page, "session-form-errors")
    page.goto(f"/clients/{client.pk}/")
    expect(page.locator("ol.attendance li")).to_have_count(1)


def test_a_colleagues_client_is_not_found(
    browser: Browser, live_server, transactional_db, make_client, personas
) -> None:
    theirs = make_client("THEIRS", [PHQ9_MILD], therapist=personas.colleague)
    page = open_page(browser, live_server)
    sign_in(page)
    expect(page.locator("table.caseload")).not_to_contain_text("THEIRS")
    response = page.goto(f"/clients/{theirs.pk}/")
    assert response is not None
    assert response.status == 404
    response = page.goto(f"/clients/{theirs.pk}/sessions/new/")
    assert response is not None
    assert response.status == 404


def test_the_caseload_fits_a_phone(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    make_client("SYN-PHONE-1", [PHQ9_MILD, PHQ9_SEVERE])
    make_client("SYN-PHONE-2", [PHQ9_SEVERE, PHQ9_MILD])
    page = open_page(browser, live_server, width=375)
    sign_in(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.locator("td[data-label=Status]").first).to_be_visible()
    shot(page, "caseload-375px")


def test_the_first_tab_offers_a_skip_past_the_navigation(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    """WCAG 2.4.1: a keyboard user reaches the page's content without tabbing the menu."""
    make_client("A-1", [PHQ9_MILD])
    page = open_page(browser, live_server)
    sign_in(page)
    skip = page.get_by_role("link", name="Skip to the page's content")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the content, not the menu
    assert page.evaluate("document.activeElement.closest('main') !== null")
