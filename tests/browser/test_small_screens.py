"""Phone width and accessibility: no sideways scrolling at 375 px and no critical or serious
axe-core violations, on the pages a therapist and an administrator use most."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from screens import shot, signed_in

from personas import PHQ9_MILD, PHQ9_SEVERE

pytestmark = pytest.mark.browser
WIDTHS = (375, 1280)
SAFETY = [1, 1, 1, 1, 1, 1, 0, 0, 2]


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_therapist_pages_fit_a_phone_and_pass_axe(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    record = make_client(
        "SYN-A-LONG-CODE", [PHQ9_MILD, PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_SEVERE, SAFETY]
    )
    make_client("SYN-B", [PHQ9_SEVERE, PHQ9_MILD])
    problems: list[str] = []
    for width in WIDTHS:
        login = signed_in(browser, live_server, None, width)
        problems += [f"login@{width}: {v}" for v in serious_violations(login)]
        page = signed_in(browser, live_server, "alex", width)
        pages = (
            ("caseload", "/"),
            ("client", f"/clients/{record.pk}/"),
            ("session-form", f"/clients/{record.pk}/sessions/new/"),
            ("new-client", "/clients/new/"),
            ("review-form", f"/clients/{record.pk}/review/"),
            ("goals", f"/clients/{record.pk}/goals/"),
            ("close-form", f"/clients/{record.pk}/close/"),
            ("reflections", "/reflections/"),
        )
        for name, path in pages:
            page.goto(path)
            shot(page, f"a11y-{name}-{width}")
            problems += [f"{name}@{width}: {v}" for v in serious_violations(page)]
            if page_width(page) > width:
                problems.append(f"{name}@{width}: {page_width(page)} px wide")
        page.context.close()
        login.context.close()
    assert not problems, "\n".join(problems)


def test_administrator_pages_fit_a_phone(
    browser: Browser, live_server, transactional_db, personas, make_client
) -> None:
    make_client("SYN-C", [PHQ9_MILD, PHQ9_SEVERE])  # some audit entries to list
    page = signed_in(browser, live_server, "admin", 375)
    problems = []
    for name, path in (
        ("overview", "/overview/"),
        ("instruments", "/instruments/"),
        ("audit", "/audit/"),
    ):
        page.goto(path)
        shot(page, f"a11y-{name}-375")
        if page_width(page) > 375:
            problems.append(f"{name}: {page_width(page)} px wide")
        problems += [f"{name}: {v}" for v in serious_violations(page)]
    assert not problems, "\n".join(problems)


def test_the_axe_check_does_see_a_violation(
    browser: Browser, live_server, transactional_db
) -> None:
    """The checks above can fail: an image without a text alternative is reported."""
    page = signed_in(browser, live_server, None, 375)
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert any(v.startswith("image-alt (critical)") for v in serious_violations(page))


def test_the_first_load_has_no_console_error(
    browser: Browser, live_server, transactional_db
) -> None:
    """The favicon is found (before it, every first load logged a 404 for /favicon.ico)."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto("/login/")
    icon = page.evaluate("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
    page.wait_for_timeout(500)
    context.close()
    assert icon == 200
    assert not errors, errors


def test_the_caseload_is_compact_on_a_phone(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    """Each client is a short card on a phone (a line per column made 30 clients 7,648 px)."""
    for i in range(12):
        make_client(f"SYN-{i:03}", [PHQ9_SEVERE, PHQ9_MILD, PHQ9_SEVERE][: 2 + i % 2])
    page = signed_in(browser, live_server, "alex", 375)
    heights = page.evaluate(
        "[...document.querySelectorAll('table.caseload tbody tr')]"
        ".map(r => r.getBoundingClientRect().height)"
    )
    shot(page, "caseload-phone-375")
    page.context.close()
    assert len(heights) == 12
    assert max(heights) < 190, heights  # a line per column was about 255 px a client


FORM_BOXES = """() => [...document.querySelectorAll('.form-row :is(input, select, textarea)')]
  .filter(e => !['checkbox', 'radio', 'hidden', 'file'].includes(e.type))
  .map(e => [e.name, Math.round(e.getBoundingClientRect().width)])"""


def test_every_box_of_a_form_is_as_wide_as_the_others(
    browser: Browser, live_server, transactional_db
) -> None:
    """The password box was left at the browser's narrow default under a full-width user name."""
    for width in WIDTHS:
        login = signed_in(browser, live_server, None, width)
        page = signed_in(browser, live_server, "alex", width)
        page.goto("/password/")
        for name, form in (("sign-in", login), ("password", page)):
            boxes = form.evaluate(FORM_BOXES)
            assert len(boxes) >= 2, (name, boxes)
            assert len({w for _, w in boxes}) == 1, (name, width, boxes)
        page.context.close()
        login.context.close()


def _edges(page: Page, selector: str) -> tuple[float, float]:
    """How shaded the left and right edges of a box are (0 white, 1 black): the lightest
    pixel of the outer 3 px in the middle half of its height, so text cut at an edge, darker
    than any shadow, is not counted."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(page.locator(selector).screenshot())).convert("L")
    rows = range(image.height // 4, 3 * image.height // 4)

    def shade(columns: range) -> float:
        return 1 - max(int(image.getpixel((x, y))) for x in columns for y in rows) / 255  # type: ignore[arg-type]

    return shade(range(0, 3)), shade(range(image.width - 3, image.width))


def test_a_wide_table_on_a_phone_shows_it_has_more_sideways(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    """The client's history scrolls in its box at 375 px; a shadow marks each edge with more
    beyond it: on the right at first, on both sides midway, on the left at the end."""
    record = make_client("SYN-WIDE", [PHQ9_MILD, PHQ9_SEVERE, PHQ9_SEVERE])
    page = signed_in(browser, live_server, "alex", 375)
    page.goto(f"/clients/{record.pk}/")
    box = "#history-table >> xpath=.."
    page.locator(box).scroll_into_view_if_needed()
    assert page.locator(box).evaluate("e => e.scrollWidth > e.clientWidth + 60")
    shaded = 0.05  # a white edge is 0; the shadow's darkest is about 0.3
    left, right = _edges(page, box)
    assert left < shaded < right, (left, right)
    page.locator(box).evaluate("e => { e.scrollLeft = (e.scrollWidth - e.clientWidth) / 2 }")
    left, right = _edges(page, box)
    assert min(left, right) > shaded, (left, right)
    page.locator(box).evaluate("e => { e.scrollLeft = e.scrollWidth }")
    left, right = _edges(page, box)
    assert right < shaded < left, (left, right)
    page.context.close()


# Words split across two lines in a cell ('Cha / nged', '07:0 / 3:42'): each word of the text
# in `selector` should sit on one line, or break at its hyphens ('PHQ- / 9'); a word longer
# than its whole box may still break.
SPLIT_WORDS = """(selector) => {
  const split = [];
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        if (rects.length > 1 && range.getBoundingClientRect().width < cell.clientWidth) {
          split.push(m[0]);
        }
      }
    }
  }
  return split;
}"""


def test_the_audit_log_and_the_questionnaires_table_keep_whole_words_on_a_phone(
    browser: Browser, live_server, transactional_db, personas, make_client
) -> None:
    """At 375 px the audit log's five columns were a few letters wide, every word broken
    ('Cha / nged', 'supe / rvise / s'); so were the client page's questionnaires ('Befor / e
    sessi / on 4')."""
    from django.utils import timezone

    from unstuck.web.portal import services as portal

    record = make_client("SYN-D", [PHQ9_MILD, PHQ9_SEVERE])
    portal.create_request(
        user=personas.therapist,
        client=record,
        instrument_ids=["phq9", "gad7"],
        session_number=3,
        timing="before",
        now=timezone.now(),
    )
    page = signed_in(browser, live_server, "admin", 375)
    page.goto("/audit/")
    shot(page, "audit-phone-375")
    assert page.locator("main table td").count() > 20
    split = page.evaluate(SPLIT_WORDS, "main table td")
    width = page_width(page)
    page.context.close()
    page = signed_in(browser, live_server, "alex", 375)
    page.goto(f"/clients/{record.pk}/")
    panel = "section[aria-labelledby=client-questionnaires] td"
    page.locator(panel).first.scroll_into_view_if_needed()
    shot(page, "client-questionnaires-375")
    assert page.locator(panel).count() == 4
    questionnaires = page.evaluate(SPLIT_WORDS, panel)
    page.context.close()
    assert width == 375
    assert split == [], split
    assert questionnaires == [], questionnaires


# How many rows each session feedback question's answers take (their tops, to 4 px).
SCALE_ROWS = """() => [...document.querySelectorAll('#block-session_feedback .item')].map(item =>
  new Set([...item.querySelectorAll('label')]
    .map(l => Math.round(l.getBoundingClientRect().top / 4))).size)"""


def test_the_session_feedback_scale_takes_two_rows_on_a_phone_and_one_on_a_desktop(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    """At 375 px its eleven answers wrapped into three ragged rows ('0 Not at all 1 2 3',
    '4 ... 9', '10 Completely'); now 0-5 and 6-10."""
    record = make_client("SYN-E", [PHQ9_MILD])
    rows = {}
    for width in WIDTHS:
        page = signed_in(browser, live_server, "alex", width)
        page.goto(f"/clients/{record.pk}/sessions/new/")
        page.locator("#block-session_feedback").scroll_into_view_if_needed()
        shot(page, f"feedback-scale-{width}")
        rows[width] = page.evaluate(SCALE_ROWS)
        assert page_width(page) == width
        page.context.close()
    assert rows[375] == [2, 2, 2, 2], rows
    assert rows[1280] == [1, 1, 1, 1], rows


LONG_WORDS = """
id = "longwords"
name = "Arbeitsfähigkeitseinschätzungsfragebogen"
description = "A made-up clinic questionnaire with long words, as translations have."
higher_is_better = false
license = "Made up for a test."
options = [{value = 0, label = "Überhauptnichtzutreffend"}, {value = 1, label = "Zutreffend"}]
items = [
  {number = 1, text = "Verschlechterungsbefürchtungsintensitätseinschätzung"},
  {number = 2, text = "Schlafunterbrechungshäufigkeit in den letzten Wochen"},
]
"""

CROSSING = """() => {
  const out = [];
  for (const box of document.querySelectorAll('#session-form fieldset')) {
    const edge = box.getBoundingClientRect();
    if (edge.right > document.documentElement.clientWidth) out.push(`${box.id}: ${edge.right}`);
    for (const e of box.querySelectorAll('legend, p, label')) {
      const r = e.getBoundingClientRect();
      if (r.left < edge.left || r.right > edge.right) {
        out.push(`${box.id} ${e.tagName}: ${e.textContent.slice(0, 30)}`);
      }
    }
  }
  return out;
}"""


def test_a_question_with_a_long_word_stays_in_its_box_on_a_phone(
    browser: Browser, live_server, transactional_db, personas, make_client
) -> None:
    """A fieldset is as wide as its longest word by default: a clinic's own questionnaire with
    one long word made its box, and the whole page, wider than the phone, its headings past
    the screen's edge."""
    from unstuck.web.instruments.services import add_clinic_instrument
    from unstuck.web.records.corrections import choose_instruments
    from unstuck.web.records.instruments import reload_instruments

    record = make_client("SYN-F", [PHQ9_MILD])
    try:
        add_clinic_instrument(
            user=personas.administrator, filename="longwords.toml", text=LONG_WORDS
        )
        choose_instruments(
            user=personas.therapist, client=record, instrument_ids=["phq9", "longwords"]
        )
        page = signed_in(browser, live_server, "alex", 375)
        page.goto(f"/clients/{record.pk}/sessions/new/")
        page.locator("#block-longwords").scroll_into_view_if_needed()
        shot(page, "long-words-375")
        crossing = page.evaluate(CROSSING)
        width = page_width(page)
        page.context.close()
    finally:
        reload_instruments()
    assert width == 375
    assert crossing == [], crossing


def test_the_link_shown_to_the_therapist_fits_a_phone(
    browser: Browser, live_server, transactional_db, make_client
) -> None:
    """The private link's box was 60 characters wide: on a phone the request's page scrolled
    sideways (492 px at 375) and the box ran out of its card."""
    record = make_client("SYN-LINK", [PHQ9_MILD])
    page = signed_in(browser, live_server, "alex", 375)
    page.goto(f"/clients/{record.pk}/")
    page.get_by_text("Ask the client to answer questionnaires").click()
    page.get_by_role("button", name="Make the questionnaire link").click()
    box = page.get_by_role("textbox", name="Private link")
    assert "/q/" in box.input_value()
    shot(page, "portal-link-375")
    card = page.locator("section.plan").bounding_box()
    edge = box.bounding_box()
    assert card is not None
    assert edge is not None
    assert edge["x"] + edge["width"] <= card["x"] + card["width"]
    assert page_width(page) <= 375, f"{page_width(page)} px wide"
    page.context.close()
