"""The client page at a glance, looked at in a real browser at 1280 and 375 px.

Three clients (off the expected course, recovering, with a safety answer) are drawn and saved
as screenshots (test-artifacts/screenshots/glance-*.png) for a person to look at; the test
checks what can be checked by machine: safety first, at most two findings, a next step, the
phone-sized chart in use at 375 px with its text at 11 px or more, no sideways scrolling and
no critical or serious axe-core violations.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from screens import shot

from personas import PASSWORD

pytestmark = pytest.mark.browser


def phq9(total: int, risk: int = 0) -> list[int]:
    """Answers adding up to `total` on items 1-8 (each 0-3), with item 9 answered `risk`."""
    items = [min(3, max(0, total - 3 * i)) for i in range(8)]
    return [*items, risk]


OFF_TRACK = [phq9(t) for t in (15, 17, 18, 19, 20, 21)]
RECOVERING = [phq9(t) for t in (20, 17, 13, 10, 8, 6, 5)]
SAFETY = [phq9(t) for t in (18, 16, 15)] + [phq9(16, risk=2)]


def _page(browser: Browser, live_server, width: int) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("User name").fill("alex")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def test_the_client_page_reads_at_a_glance_on_a_desktop_and_a_phone(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    from unstuck.web.records import alerts

    clients = {
        "off-track": make_client("SYN-OFF", OFF_TRACK),
        "recovering": make_client("SYN-REC", RECOVERING),
        "safety": make_client("SYN-SAFE", SAFETY),
    }
    # A pasted address in a note is one unbroken word: it wraps, not widening the page (a
    # safety check's note made the page 19,000 px wide).
    clients["checked"] = make_client("SYN-CHECK", SAFETY)
    alerts.record_safety_check(
        user=clients["checked"].therapist,  # type: ignore[attr-defined]
        client=clients["checked"],  # type: ignore[arg-type]
        outcome="no_current_risk",
        note="https://example.org/" + "x" * 600,
    )
    problems: list[str] = []
    for width in (1280, 375):
        page = _page(browser, live_server, width)
        for name, client in clients.items():
            page.goto(f"/clients/{client.pk}/")  # type: ignore[attr-defined]
            shot(page, f"glance-{name}-{width}")
            if name == "off-track":
                page.get_by_text("The full explanation, numbers and sources").click()
                shot(page, f"glance-{name}-{width}-explained")
            if name == "safety" and width == 1280:  # the printed summary draws the wide chart
                page.goto(f"/clients/{client.pk}/consultation/")  # type: ignore[attr-defined]
                shot(page, "glance-safety-consultation")
                page.goto(f"/clients/{client.pk}/")  # type: ignore[attr-defined]
            findings = page.locator(".glance .findings li").all_inner_texts()
            assert 1 <= len(findings) <= 2, findings
            assert (
                page.locator(".glance .next-step").inner_text().startswith("Suggested next step:")
            )
            if name == "safety":
                assert findings[0].startswith("A risk question was answered above 0")
            chart = page.locator(".chart-narrow" if width == 375 else ".chart-wide").first
            assert chart.is_visible()
            other = page.locator(".chart-wide" if width == 375 else ".chart-narrow").first
            assert not other.is_visible()
            smallest = chart.evaluate(  # font size in px as drawn: viewBox units x scale
                "svg => { const k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;"
                " return Math.min(...[...svg.querySelectorAll('text')]"
                ".map(t => parseFloat(t.getAttribute('font-size')) * k)); }"
            )
            if smallest < 11:
                problems.append(f"{name}@{width}: chart text {smallest:.1f} px")
            scroll_width = int(page.evaluate("document.documentElement.scrollWidth"))
            if scroll_width > width:
                problems.append(f"{name}@{width}: {scroll_width} px wide")
            for v in Axe().run(page).response["violations"]:
                if v["impact"] in ("critical", "serious"):
                    problems.append(f"{name}@{width}: {v['id']} ({v['impact']})")
        page.context.close()
    assert not problems, "\n".join(problems)
