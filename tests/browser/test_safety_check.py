"""Recording a safety check from the client page in a real browser, by keyboard: the alert
closes, the client leaves the safety group, and the check stays in the "Safety checks" history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from screens import shot

from personas import PASSWORD, PHQ9_MILD, PHQ9_SEVERE

pytestmark = pytest.mark.browser
RISK = [1, 1, 1, 1, 1, 1, 0, 0, 2]  # PHQ-9 8, item 9 answered 2


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def test_a_safety_check_recorded_on_the_client_page_closes_the_alert(
    page: Page,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    make_client("B-WORSE", [PHQ9_MILD, PHQ9_SEVERE])
    make_client("Z-RISK", [PHQ9_MILD, RISK])
    page.goto("/login/")
    page.fill("#id_username", "alex")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    rows = page.locator("table.caseload tbody tr")
    expect(rows.first).to_have_attribute("data-client", "Z-RISK")
    expect(rows.first).to_contain_text(
        "Check in about safety: PHQ-9 item 9 answered 2 (More than half the days) at session 2"
    )
    expect(rows.first.get_by_text("Record safety check").first).to_be_visible()

    page.get_by_role("link", name="Z-RISK").click()
    alert = page.locator("#safety-alert")
    expect(alert).to_contain_text("answered 2 (More than half the days) at session 2")
    # Keyboard only: the outcome radio group, then the note, then the button.
    page.get_by_label("Checked in: no current risk").focus()
    page.keyboard.press("ArrowDown")  # -> "Safety plan made or updated"
    expect(page.get_by_label("Safety plan made or updated")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Plan reviewed together.")
    shot(page, "safety-check-form")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Safety check recorded for Z-RISK")
    expect(page.locator("#safety-alert")).to_have_count(0)
    history = page.locator("#safety-history")
    expect(history).to_contain_text(
        "PHQ-9 item 9 answered 2 (More than half the days) at session 2"
    )
    expect(history).to_contain_text("Safety plan made or updated")
    expect(history).to_contain_text("Plan reviewed together.")
    shot(page, "safety-check-history")

    page.get_by_role("link", name="Caseload").click()
    expect(page.locator("#safety-summary")).to_have_count(0)
    expect(rows.first).to_have_attribute("data-client", "B-WORSE")


def test_a_safety_check_recorded_from_the_caseload_row(page: Page, make_client) -> None:  # type: ignore[no-untyped-def]
    make_client("B-WORSE", [PHQ9_MILD, PHQ9_SEVERE])
    make_client("Z-RISK", [PHQ9_MILD, RISK])
    page.goto("/login/")
    page.fill("#id_username", "alex")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    row = page.locator("table.caseload tbody tr").first
    expect(row).to_have_attribute("data-client", "Z-RISK")
    row.locator("summary").focus()
    page.keyboard.press("Enter")  # opens the form in the row
    row.get_by_label("Crisis or emergency service contacted").check()
    shot(page, "safety-check-caseload-row")
    row.get_by_role("button", name="Record safety check").click()
    expect(page.locator(".messages")).to_contain_text("Safety check recorded for Z-RISK")
    expect(page.locator("table.caseload tbody tr").first).to_have_attribute(
        "data-client", "B-WORSE"
    )
