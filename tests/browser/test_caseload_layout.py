"""The caseload with realistic long names and codes on a laptop or tablet screen: the table fits the
window, the code stays on one line, the name wraps at spaces and hyphens, and no word in any
column is broken in the middle ('moderatel / y severe', one letter a line in Flags)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from screens import shot
from test_caseload_path import open_page, sign_in

from personas import PHQ9_MILD

pytestmark = pytest.mark.browser
MODERATELY_SEVERE = [2, 2, 2, 2, 2, 2, 2, 1, 0]  # 15
WITH_SAFETY = [2, 2, 2, 2, 2, 2, 2, 1, 2]  # 17, and item 9 answered

# The words (split at spaces and hyphens, where a line may break) that the browser drew on more
# than one line: a word broken in its middle has a rectangle on each line.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  const walker = document.createTreeWalker(
    document.querySelector(selector), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.matchAll(/[^\\s-]+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      if (range.getClientRects().length > 1) broken.push(word[0]);
    }
  }
  return broken;
}"""


def lines_of(page: Page, selector: str) -> int:
    """How many lines the inline element `selector` is drawn on."""
    return int(page.locator(selector).first.evaluate("e => e.getClientRects().length"))


@pytest.mark.parametrize("width", [1280, 1100, 1000])
def test_long_names_and_codes_fit_the_window_without_breaking_words(
    browser: Browser, live_server, transactional_db, make_client, width: int
) -> None:
    from unstuck.web.records.models import Client

    long_code = "NORD-2026-FAMILIENTHERAPIE-OSTERGAARD-01"  # 40, the longest a code can be
    make_client(long_code, [PHQ9_MILD, MODERATELY_SEVERE])
    make_client("B-17", [PHQ9_MILD, WITH_SAFETY])
    make_client("C-3", [MODERATELY_SEVERE, MODERATELY_SEVERE])
    Client.objects.filter(code=long_code).update(name="Anna-Katharina Lefèvre-Østergaard")
    Client.objects.filter(code="B-17").update(name="Jean-Baptiste Müller-Lüdenscheidt")
    Client.objects.filter(code="C-3").update(name="Anna-Katharina Lefèvre-Østergaard")
    page = open_page(browser, live_server, width)
    sign_in(page)
    shot(page, f"caseload-long-names-{width}")

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    broken = page.evaluate(BROKEN_WORDS, "table.caseload")
    assert broken == [], f"words broken across lines: {broken}"
    row = f"tr[data-client='{long_code}']"
    if width >= 1100:  # the code on one line; on a tablet it may wrap at its hyphens
        assert lines_of(page, f"{row} td.code a") == 1
    band = f"{row} td[data-label='Latest PHQ-9'] .muted"
    assert page.locator(band).first.inner_text() == "moderately severe"
    assert lines_of(page, band) == 1


def test_the_change_table_is_a_card_per_measure_on_a_phone(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    """At 375 px its seven columns broke 'sev / ere' and '(worse / )' in the middle."""
    record = make_client("SYN-P1", [PHQ9_MILD, MODERATELY_SEVERE], feedback=[[9] * 4, [5] * 4])
    page = open_page(browser, live_server, 375)
    sign_in(page)
    page.goto(f"/clients/{record.pk}/")
    shot(page, "client-change-table-375")
    assert page.evaluate(BROKEN_WORDS, "#change-so-far") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


ONE_LINE = """(cells) => cells.map(cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return [cell.textContent.trim(), range.getClientRects().length];
}).filter(([text, lines]) => lines > 1)"""


def test_the_history_on_a_phone_scrolls_sideways_rather_than_breaking_dates(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    """At 375 px every cell wrapped anywhere: '202 / 6- / 10- / 23', 'PHQ- / 9'."""
    record = make_client("SYN-P2", [PHQ9_MILD, MODERATELY_SEVERE, PHQ9_MILD], feedback=[[9] * 4])
    page = open_page(browser, live_server, 375)
    sign_in(page)
    page.goto(f"/clients/{record.pk}/")
    shot(page, "client-history-375")
    assert page.evaluate(BROKEN_WORDS, "#history-table") == []
    dates = page.locator("#history-table tbody td:nth-child(2)").evaluate_all(ONE_LINE)
    headers = page.locator("#history-table thead th").evaluate_all(ONE_LINE)
    assert dates == []
    assert [text for text, _ in headers if "-" in text] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
