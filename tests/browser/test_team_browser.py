"""The supervisor's team page in a real browser, and its absence for a therapist."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from test_small_screens import page_width, serious_violations, signed_in

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
    refused: list[str] = []  # the CSP would report an inline style or script here
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    _login(page, "jordan")
    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How your team's clients are doing")
    table = page.get_by_role("table", name="Clients, change and open items, by therapist")
    expect(table.get_by_role("row", name="All")).to_contain_text("5 of 5 (100%; 95% interval")
    expect(page.locator("#case-mix")).to_contain_text("no verdict")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these counts (CSV)").click()
    assert download.value.suggested_filename == "team-figures.csv"
    curve = page.get_by_role("img", name=re.compile("Clients still attending"))
    expect(curve).to_have_attribute(
        "aria-label", re.compile("Of 5 episodes, none has ended early without agreement so far")
    )
    expect(
        page.get_by_role("table", name="Clients still attending, by sessions attended")
    ).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("Clients seen, reliably improved"))
    ).to_be_visible()
    quarters = page.get_by_role("table", name="Clients seen and how they were doing, by quarter")
    expect(quarters.get_by_role("row", name=re.compile("2026 Q1"))).to_contain_text("5")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the curve (CSV)").click()
    assert download.value.suggested_filename == "team-retention.csv"
    assert not refused, refused


CAPTION_ENDS = """() => [...document.querySelectorAll('caption')].map(c => {
  const text = document.createRange(); text.selectNodeContents(c);
  return [c.textContent, Math.round(text.getBoundingClientRect().right)]; })"""


CHART_TEXT_HEIGHTS = """() => [...document.querySelectorAll('figure svg.chart text')]
    .map(t => [t.textContent, t.getBoundingClientRect().height])"""


def test_the_team_page_fits_a_phone_and_passes_axe(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    for i in range(6):
        make_client(f"SYN-T{i}", [PHQ9_SEVERE, PHQ9_MILD, PHQ9_MILD][: 1 + i % 3])
    problems: list[str] = []
    for width in (375, 1280):
        phone = signed_in(browser, live_server, "jordan", width)
        phone.goto("/team/")
        problems += [f"team@{width}: {v}" for v in serious_violations(phone)]
        if page_width(phone) > width:
            problems.append(f"team@{width}: {page_width(phone)} px wide")
        # A table's caption scrolls with it: centred over a wide table, it began off screen.
        for caption, right in phone.evaluate(CAPTION_ENDS):
            if right > width:
                problems.append(f"team@{width}: caption {caption!r} ends at {right} px")
        # A chart's words stay readable: drawn at 11 px, squeezed to a phone they were 5-6 px.
        for label, height in phone.evaluate(CHART_TEXT_HEIGHTS):
            if height < 9:
                problems.append(f"team@{width}: chart label {label!r} is {height:.1f} px tall")
        phone.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("who", ["alex", "admin"])
def test_a_therapist_or_administrator_has_no_team_page(page: Page, personas, who: str) -> None:  # type: ignore[no-untyped-def]
    _login(page, who)
    expect(page.get_by_role("link", name="Team")).to_have_count(0)
    for path in ("/team/", "/team.csv?table=retention"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 404


# Each wide table's right edge, the right edge of its box, and whether the box clips it.
TABLE_ENDS = """() => [...document.querySelectorAll('.table-scroll > table')].map(t => [
  t.querySelector('caption').textContent, Math.round(t.getBoundingClientRect().right),
  Math.round(t.parentElement.getBoundingClientRect().right),
  getComputedStyle(t.parentElement).overflowX !== 'visible'])"""


def test_the_team_tables_print_whole(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    """Paper cannot be scrolled: printed on A4, the team table's last columns (plans past their
    review date, safety answers awaiting a check) were cut off by the box it scrolls in on a
    screen. A table wider than the paper now shows whole (the browser shrinks the page to fit),
    in a smaller type so that it shrinks little."""
    for i in range(5):
        make_client(f"SYN-T{i}", [PHQ9_SEVERE, PHQ9_MILD])
    page = signed_in(browser, live_server, "jordan", 1100)
    page.goto("/team/")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less the printer's margins
    ends = page.evaluate(TABLE_ENDS)
    assert ends
    cut = [(caption, right, box) for caption, right, box, clips in ends if clips and right > box]
    assert not cut, cut
    widest = max(right for _, right, _, _ in ends)
    assert widest < 718 * 1.2, f"the widest table is {widest} px: the page would shrink a lot"
