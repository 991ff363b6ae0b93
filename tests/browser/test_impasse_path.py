"""The impasse path in a real browser: flagged client -> review -> plan -> result -> goals ->
consultation summary -> closing letter. Headless Debian Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from screens import shot

from personas import PASSWORD, hold_session

pytestmark = pytest.mark.browser
FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # PHQ-9 14


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def test_review_plan_results_goals_summary_and_closing_letter(page: Page, make_client) -> None:  # type: ignore[no-untyped-def]
    stuck = make_client("C-900", [FLAT] * 6, feedback=[[9, 9, 9, 9]] * 6)
    page.goto("/login/")
    page.fill("#id_username", "alex")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="C-900").click()
    expect(page.locator(".explanations")).to_contain_text("Progress has levelled off:")

    page.get_by_role("link", name="Open an impasse review").click()
    expect(page.locator("#reason-goals_misfit .flag")).to_have_text("suggested by the record")
    page.locator("#reason-goals_misfit").get_by_label("3 clearly").check()
    # Reasons the record gives no evidence for are one click away.
    expect(page.locator("#reason-ambivalence")).to_be_hidden()
    page.get_by_text("Other possible reasons").click()
    page.locator("#reason-ambivalence").get_by_label("2 probably").check()
    shot(page, "impasse-review-form")
    page.get_by_role("button", name="See fitting strategies").click()

    first = page.locator("ol.strategies > li").first
    expect(first).to_contain_text("Revisit the goals together")
    expect(first).to_contain_text("It answers goals that no longer fit (rated 3)")
    expect(page.locator("ol.strategies li.closure")).to_have_count(0)
    page.locator("#strategy-revisit_goals input").check()
    page.locator("#strategy-motivational_interviewing input").check()
    shot(page, "impasse-ranked-strategies")
    page.get_by_role("button", name="Make this the plan").click()

    expect(page.locator("#plans")).to_contain_text("from session 7 on")
    hold_session(stuck)  # session 7 is held with the plan; then its results can be recorded
    page.reload()
    row = page.locator("#plans tr", has_text="Revisit the goals together")
    row.get_by_label("Helped", exact=True).check()
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#plans tr", has_text="Revisit the goals together")).to_contain_text(
        "Helped"
    )

    page.get_by_role("link", name="Goals").first.click()
    page.get_by_label("Goal, in the client's own words").fill("Go back to work full time")
    page.get_by_role("button", name="Add goal").click()
    page.get_by_label("New wording").fill("Call my manager about a phased return")
    page.get_by_label("What changed").select_option("more_solvable")
    page.get_by_role("button", name="Save revision").click()
    expect(page.locator("h2", has_text="Call my manager")).to_be_visible()
    page.get_by_text("History (2 versions)").click()
    expect(page.get_by_text("“Go back to work full time”")).to_be_visible()
    shot(page, "goals")

    page.goto(f"/clients/{stuck.pk}/consultation/")
    expect(page.locator("h1")).to_have_text("Consultation summary: C-900")
    expect(page.locator("tr", has_text="Revisit the goals together")).to_contain_text("Helped")
    shot(page, "consultation-summary")

    page.goto(f"/clients/{stuck.pk}/close/")
    page.get_by_label("Ending summary").check()
    page.get_by_label("Recommendations").fill(
        "Keep the phased return going; reconnect with friends."
    )
    page.get_by_role("button", name="Write the letter and close the episode").click()
    expect(page.locator("body")).to_contain_text("The door stays open")
    shot(page, "termination-summary")
    page.goto(f"/clients/{stuck.pk}/")
    expect(page.get_by_role("link", name="Record a session")).to_have_count(0)
