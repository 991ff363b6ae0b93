"""A rating given under the second goal is stored on the second goal: each goal's rating
labels point at its own radios (they once all pointed at the first goal's)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from test_caseload_path import open_page, sign_in

from personas import PHQ9_MILD

pytestmark = pytest.mark.browser


def test_a_rating_label_under_goal_two_rates_goal_two(
    browser: Browser, live_server, transactional_db, personas, make_client
) -> None:
    from unstuck.web.reviews import services
    from unstuck.web.reviews.models import GoalRating

    record = make_client("C-GOALS", [PHQ9_MILD])
    first = services.add_goal(user=personas.therapist, client=record, text="Walk daily")
    second = services.add_goal(user=personas.therapist, client=record, text="Sleep more")
    page = open_page(browser, live_server)
    sign_in(page)
    page.goto(f"/clients/{record.pk}/goals/")

    goal_two = page.locator(f"#goal-{second.pk}")
    goal_two.locator("label", has_text="+1 somewhat more").click()  # the label, not the radio
    expect(goal_two.get_by_label("+1 somewhat more")).to_be_checked()
    expect(page.locator(f"#goal-{first.pk}").get_by_label("+1 somewhat more")).not_to_be_checked()
    goal_two.get_by_role("button", name="Save rating").click()

    expect(page.locator(".messages")).to_contain_text("Goal rating recorded.")
    assert list(GoalRating.objects.filter(goal=second).values_list("attainment", flat=True)) == [1]
    assert not GoalRating.objects.filter(goal=first).exists()
