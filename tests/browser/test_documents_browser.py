"""Printable documents on a phone: a long unbroken word (a pasted web address) in a letter or
in the consultation summary's strategy notes breaks at the edge; the page is not wider than
the screen (the consultation summary was 35,594 px wide at 375 px)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser
from screens import shot, signed_in

from personas import PHQ9_MILD, PHQ9_SEVERE, hold_session

pytestmark = pytest.mark.browser
ADDRESS = "https://example.org/" + "averylongpathwithoutanybreak" * 12


def test_documents_with_a_long_address_fit_a_phone(
    browser: Browser, live_server, transactional_db, make_client, personas
) -> None:
    from unstuck.web.reviews import services

    record = make_client("C-950", [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_MILD])
    therapist = personas.therapist
    review = services.open_review(user=therapist, client=record, ratings={"goals_misfit": (3, "")})
    plan = services.make_plan(
        user=therapist,
        review=review,
        chosen=[services.ChosenStrategy("revisit_goals")],
        review_on=dt.date(2026, 4, 1),
    )
    hold_session(record)
    services.record_strategy_result(
        user=therapist, strategy=plan.strategies.get(), result="partly", note=ADDRESS
    )
    consultation = f"/clients/{record.pk}/consultation/"
    letter = services.close_with_letter(
        user=therapist,
        client=record,
        kind="referral",
        ended_on=dt.date(2026, 2, 1),
        recipient="Dr Morgan",
        recommendations=ADDRESS,
    )
    page = signed_in(browser, live_server, "alex", 375)
    for name, path in (
        ("consultation", consultation),
        ("referral", f"/clients/{record.pk}/letters/{letter.pk}/"),
    ):
        page.goto(path)
        shot(page, f"document-{name}-375")
        assert page.get_by_text(ADDRESS[:40]).first.is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{name}: {width} px wide at 375 px"
    page.context.close()
