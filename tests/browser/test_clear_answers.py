"""A questionnaire answer clicked by mistake is taken back in a real browser with script turned
off: the GAD-7 'Clear' button, reached by the link under the GAD-7 questions and pressed from
the keyboard, brings the form back without the GAD-7 answers and with everything else typed,
open at the GAD-7 questions; Enter in a field then saves (Save, not a Clear button, is the
form's default). At phone width the buttons fit and the page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from screens import shot, signed_in
from test_small_screens import page_width, serious_violations

from personas import PASSWORD, PHQ9_MILD
from unstuck.web.records.models import Session

pytestmark = pytest.mark.browser
PHQ9 = [2, 2, 1, 1, 1, 1, 0, 0, 0]


def fill_with_a_stray_gad7_answer(page: Page) -> None:
    page.get_by_label("Duration (minutes)").fill("50")
    for number, answer in enumerate(PHQ9, start=1):
        page.locator(f"#block-phq9 input[name=phq9__item_{number}][value='{answer}']").check()
    page.locator("#block-gad7 input[name=gad7__item_2][value='1']").check()  # the mistake
    page.get_by_label("Note").fill("Talked about sleep")
    page.get_by_role("button", name="Save session").click()
    expect(page.locator(".alert-box")).to_contain_text(
        "GAD-7: 6 of 7 items are unanswered (items 1, 3, 4, 5, 6 and 7)"
    )


def test_a_stray_answer_is_cleared_from_the_keyboard_then_saved(
    browser: Browser, live_server, transactional_db, make_client
) -> None:  # type: ignore[no-untyped-def]
    record = make_client("C-STRAY", [PHQ9_MILD])
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("User name").fill("alex")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/clients/{record.pk}/sessions/new/")
    fill_with_a_stray_gad7_answer(page)
    expect(page.locator("#block-gad7 .errorlist", has_text="Not answered.")).to_have_count(6)
    shot(page, "session-form-blank-items-1280")

    # From the GAD-7 questions, the link to the button; then the button, by keyboard.
    page.get_by_role("link", name="Go to 'Clear the GAD-7 answers'").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Clear the GAD-7 answers")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/sessions/new/#block-gad7$"))
    expect(page.get_by_role("status")).to_contain_text("The GAD-7 answers are cleared")
    expect(page.locator("#block-gad7")).to_be_in_viewport()
    expect(page.locator("#block-gad7 input:checked")).to_have_count(0)
    expect(page.locator("#block-phq9 input:checked")).to_have_count(9)
    expect(page.get_by_label("Note")).to_have_value("Talked about sleep")
    expect(page.locator(".alert-box")).to_have_count(0)
    shot(page, "session-form-cleared-1280")
    page.keyboard.press("Tab")  # on from the GAD-7 questions, where the page opened
    expect(page.locator("#id_gad7__item_1_0")).to_be_focused()

    page.get_by_label("Duration (minutes)").press("Enter")  # the form's default button: Save
    expect(page.locator(".messages")).to_contain_text("Session 2 saved")
    session = Session.objects.get(episode__client=record, number=2)
    assert [r.instrument for r in session.responses.all()] == ["phq9"]
    assert (session.note, session.duration_minutes) == ("Talked about sleep", 50)
    context.close()


def test_the_clear_buttons_fit_a_phone_and_pass_axe(
    browser: Browser, live_server, transactional_db, make_client
) -> None:  # type: ignore[no-untyped-def]
    record = make_client("C-PHONE", [PHQ9_MILD])
    page = signed_in(browser, live_server, "alex", 375)
    page.goto(f"/clients/{record.pk}/sessions/new/")
    fill_with_a_stray_gad7_answer(page)
    shot(page, "session-form-blank-items-375")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Clear the GAD-7 answers").click()
    expect(page.get_by_role("status")).to_contain_text("The GAD-7 answers are cleared")
    shot(page, "session-form-cleared-375")
    assert serious_violations(page) == []
    assert page_width(page) <= 375
    page.context.close()
