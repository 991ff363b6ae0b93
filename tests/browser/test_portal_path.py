"""The client's side in a phone-sized browser (375 px): a private link from the therapist's
page, PHQ-9 and GAD-7 answered with and without a safety answer, the caseload changing, the
kiosk, and axe-core on every portal page (0 critical or serious violations)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from screens import shot

from personas import PASSWORD, PHQ9_MILD, PHQ9_SEVERE

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}
TABLET = {"width": 1024, "height": 768}
AXE = Axe()


def check_axe(page: Page, name: str) -> None:
    results = AXE.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
    assert bad == [], f"{name}: " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)


def staff_page(browser: Browser, live_server: Any) -> Page:
    page = browser.new_context(
        base_url=live_server.url, viewport={"width": 1100, "height": 900}
    ).new_page()
    page.goto("/login/")
    page.get_by_label("User name").fill("alex")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    return page


def phone_page(browser: Browser, live_server: Any) -> Page:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True
    )
    return context.new_page()


def make_link(staff: Page, code: str) -> str:
    staff.goto("/")
    staff.get_by_role("link", name=code).click()
    staff.get_by_text("Ask the client to answer questionnaires").click()
    staff.get_by_role("button", name="Make the questionnaire link").click()
    link = staff.get_by_role("textbox", name="Private link").input_value()
    expect(staff.locator(".qr svg")).to_be_visible()
    return link


def answer(page: Page, choices: list[str]) -> int:
    """Tap one answer per question, in order; returns the taps."""
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(len(choices))
    for i, choice in enumerate(choices):
        questions.nth(i).get_by_text(choice, exact=True).click()
    return len(choices)


def test_a_client_answers_on_a_phone_and_the_caseload_changes(
    browser: Browser, live_server: Any, transactional_db: None, make_client: Any
) -> None:
    make_client("P-CALM", [PHQ9_SEVERE, PHQ9_MILD])
    staff = staff_page(browser, live_server)
    link = make_link(staff, "P-CALM")

    phone = phone_page(browser, live_server)
    loads = []
    phone.on("load", lambda _: loads.append(phone.url))
    phone.goto(link)
    expect(phone.get_by_role("heading", name="A short questionnaire")).to_be_visible()
    expect(phone.get_by_text("Test clinic").first).to_be_visible()
    check_axe(phone, "start")
    shot(phone, "portal-start-375")
    clicks = 1
    phone.get_by_role("link", name="Start").click()
    expect(phone.get_by_text("Part 1 of 2")).to_be_visible()
    clicks += answer(phone, ["Several days"] * 8 + ["Not at all"])
    phone.reload()  # answers survive a reload (kept in this tab until sent)
    expect(phone.locator("input:checked")).to_have_count(9)
    check_axe(phone, "PHQ-9 page")
    shot(phone, "portal-phq9-375")
    clicks += 1
    phone.get_by_role("button", name="Next").click()
    expect(phone.get_by_text("Part 2 of 2")).to_be_visible()
    clicks += answer(phone, ["Not at all"] * 7)
    clicks += 1
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    check_axe(phone, "done")
    # PHQ-9 + GAD-7: Start, 16 answers, Next, Send = 19 taps.
    assert clicks == 19
    print(f"\nclient taps for PHQ-9 + GAD-7: {clicks}; page loads: {len(loads)} (with one reload)")

    staff.goto("/")
    row = staff.locator("tr", has_text="P-CALM")
    expect(row).to_contain_text("3")  # sessions so far: the client's answers are session 3
    staff.get_by_role("link", name="P-CALM").click()
    expect(staff.locator("#client-questionnaires + table")).to_contain_text("Completed")


def test_a_safety_answer_shows_help_at_once_and_tops_the_caseload(
    browser: Browser, live_server: Any, transactional_db: None, make_client: Any
) -> None:
    make_client("P-ALPHA", [PHQ9_MILD, PHQ9_MILD])
    make_client("P-RISK", [PHQ9_MILD, PHQ9_MILD])
    staff = staff_page(browser, live_server)
    expect(staff.locator("table.caseload tbody tr").first).not_to_contain_text("P-RISK")
    link = make_link(staff, "P-RISK")

    phone = phone_page(browser, live_server)
    phone.goto(link)
    phone.get_by_role("link", name="Start").click()
    answer(phone, ["Not at all"] * 8 + ["Several days"])
    phone.get_by_role("button", name="Next").click()
    expect(phone.get_by_role("alert")).to_contain_text("Samaritans")
    expect(phone.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    check_axe(phone, "safety message")
    shot(phone, "portal-safety-375")

    # At this moment, before the client goes on, the therapist's caseload has it on top.
    staff.goto("/")
    first = staff.locator("table.caseload tbody tr").first
    expect(first).to_have_attribute("data-client", "P-RISK")
    expect(first).to_contain_text("Safety")

    phone.get_by_role("link", name="Go on").click()
    answer(phone, ["Not at all"] * 7)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()


def test_the_kiosk_on_a_tablet(
    browser: Browser, live_server: Any, transactional_db: None, make_client: Any
) -> None:
    make_client("P-KIOSK", [PHQ9_MILD])
    staff = staff_page(browser, live_server)
    make_link(staff, "P-KIOSK")
    staff.get_by_role("button", name="Kiosk code").click()
    code = staff.locator("#kiosk-code").inner_text()
    # Read out or shown across the desk: it was body-sized monospace, smaller than the text.
    size = staff.locator("#kiosk-code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 28
    # A button and a link drawn as one side by side had two typefaces (a browser's buttons
    # do not take the page's own).
    font = "e => getComputedStyle(e).fontFamily"
    withdraw = staff.get_by_role("link", name="Withdraw this questionnaire…")
    kiosk = staff.get_by_role("button", name="Kiosk code")
    assert kiosk.evaluate(font) == withdraw.evaluate(font)
    height = "e => e.getBoundingClientRect().height"
    assert kiosk.evaluate(height) == withdraw.evaluate(height)  # not a line taller

    tablet = phone_page(browser, live_server)
    tablet.goto("/kiosk/")
    check_axe(tablet, "kiosk")
    assert tablet.get_by_role("button", name="Start").evaluate(font) == tablet.locator(
        "body"
    ).evaluate(font)
    tablet.get_by_label("Please type the code your therapist gave you").fill("WRONG-CODE")
    tablet.get_by_role("button", name="Start").click()
    expect(tablet.get_by_role("alert")).to_contain_text("does not work")
    check_axe(tablet, "kiosk with an error")
    tablet.get_by_label("Please type the code your therapist gave you").fill(code)
    tablet.get_by_role("button", name="Start").click()
    tablet.get_by_role("link", name="Start", exact=True).click()
    answer(tablet, ["Not at all"] * 9)
    tablet.get_by_role("button", name="Next").click()
    answer(tablet, ["Not at all"] * 7)
    tablet.get_by_role("button", name="Send my answers").click()
    tablet.get_by_role("link", name="Finish").click()
    expect(tablet.get_by_label("Please type the code your therapist gave you")).to_be_visible()
    tablet.go_back()
    tablet.goto("/answer/1/")
    expect(tablet.get_by_text("does not open a questionnaire")).to_be_visible()


def test_the_clients_check_reaches_the_impasse_review(
    browser: Browser, live_server: Any, transactional_db: None, make_client: Any
) -> None:
    make_client("P-STUCK", [PHQ9_MILD, PHQ9_SEVERE])
    staff = staff_page(browser, live_server)
    staff.get_by_role("link", name="P-STUCK").click()
    staff.get_by_text("Ask the client to answer questionnaires").click()
    staff.get_by_role("checkbox", name="PHQ-9").uncheck()
    staff.get_by_role("checkbox", name="GAD-7").uncheck()
    staff.get_by_role("checkbox", name="What gets in the way (check)").check()
    staff.get_by_role("button", name="Make the questionnaire link").click()
    link = staff.get_by_role("textbox", name="Private link").input_value()

    phone = phone_page(browser, live_server)
    phone.goto(link)
    phone.get_by_role("link", name="Start").click()
    expect(phone.get_by_role("heading", name="What gets in the way")).to_be_visible()
    check_axe(phone, "what gets in the way")
    answer(phone, ["Not true", "Very true", "Not true", "Quite true", "Not true", "Not true"])
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()

    staff.goto("/")
    staff.get_by_role("link", name="P-STUCK").click()
    staff.get_by_role("link", name="Open an impasse review").click()
    evidence = staff.locator("textarea[name=evidence__overwhelm]")
    expect(evidence).to_have_value(re.compile("Too much is coming up for me"))
    expect(evidence).to_have_value(re.compile("client-reported"))
    expect(staff.locator("input[name=rating__overwhelm][value='3']")).to_be_checked()


def _a_request(therapist: Any, client: Any, instruments: list[str]) -> tuple[Any, str]:
    from django.utils import timezone

    from unstuck.web.portal import services

    return services.create_request(
        user=therapist,
        client=client,
        instrument_ids=instruments,
        session_number=client.sessions_count + 1,
        timing="before",
        now=timezone.now(),
    )


def _on_the_tablet(browser: Browser, live_server: Any, code: str, viewport: dict[str, int]) -> Page:
    tablet = browser.new_context(base_url=live_server.url, viewport=viewport).new_page()
    tablet.goto("/kiosk/")
    tablet.get_by_label("Please type the code your therapist gave you").fill(code)
    tablet.get_by_role("button", name="Start").click()
    tablet.get_by_role("link", name="Start", exact=True).click()
    return tablet


@pytest.mark.parametrize(
    ("device", "viewport"),
    [("phone", {"width": 375, "height": 800}), ("kiosk", TABLET)],
)
def test_the_session_feedback_scale_keeps_its_words_inside_their_boxes(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    make_client: Any,
    personas: Any,
    device: str,
    viewport: dict[str, int],
) -> None:
    """'Completely' ran out of its box and 'Not at all' broke over three lines (146 > 72 and
    75 > 72 px wide) in the 4.5rem grid cells, on a phone and on the clinic's tablet."""
    from django.utils import timezone

    from unstuck.web.portal import services

    record = make_client("P-SCALE", [PHQ9_MILD])
    request, secret = _a_request(personas.therapist, record, ["session_feedback"])
    if device == "kiosk":
        code = services.new_kiosk_code(user=personas.therapist, request=request, now=timezone.now())
        page = _on_the_tablet(browser, live_server, code, viewport)
    else:
        page = browser.new_context(base_url=live_server.url, viewport=viewport).new_page()
        page.goto(f"/q/{secret}/")
        page.get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", name="Session feedback")).to_be_visible()
    shot(page, f"portal-scale-{device}")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.options label')].map(l => {
            const box = l.getBoundingClientRect(), words = l.querySelector('span');
            const lines = Math.round(words.getBoundingClientRect().height
                / parseFloat(getComputedStyle(words).lineHeight));
            return {text: l.innerText.trim(), scroll: l.scrollWidth, client: l.clientWidth,
                    right: words.getBoundingClientRect().right, edge: box.right, lines};
        })"""
    )
    assert len(boxes) == 4 * 11
    spilling = [b for b in boxes if b["scroll"] > b["client"] or b["right"] > b["edge"]]
    assert spilling == [], spilling
    assert {b["text"]: b["lines"] for b in boxes if b["text"] in ("Not at all", "Completely")} == {
        "Not at all": 1,
        "Completely": 1,
    }
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_back_after_a_page_with_questions_left_goes_back_to_a_page_not_a_form(
    browser: Browser, live_server: Any, transactional_db: None, make_client: Any, personas: Any
) -> None:
    """Back after a refused page gave the browser's "Confirm form resubmission"
    (net::ERR_CACHE_MISS): the history held the form sent, answered 400. Now each refusal
    is a page of its own (post/redirect/get), and nothing chosen is lost on the way."""
    record = make_client("P-BACK", [PHQ9_MILD])
    _, secret = _a_request(personas.therapist, record, ["phq9", "gad7"])
    phone = phone_page(browser, live_server)
    phone.goto(f"/q/{secret}/")
    phone.get_by_role("link", name="Start").click()
    questions = phone.locator("fieldset.question")
    for i in range(5):
        questions.nth(i).get_by_text("Several days", exact=True).click()
    phone.get_by_role("button", name="Next").click()
    expect(phone.get_by_role("alert")).to_contain_text("Please answer 4 more questions")
    expect(phone.locator("input:checked")).to_have_count(5)  # what was chosen is still chosen
    check_axe(phone, "PHQ-9 page with questions left")
    for i in range(5, 9):
        questions.nth(i).get_by_text("Not at all", exact=True).click()
    phone.get_by_role("button", name="Next").click()
    expect(phone.get_by_text("Part 2 of 2")).to_be_visible()
    phone.go_back()  # raised net::ERR_CACHE_MISS
    # PHQ-9, answered in full, went into the record as it was sent: Back thanks the client
    # and goes on with what is left (a page sent is not shown again to be changed).
    expect(phone.get_by_text("Thank you for the answers you have already sent")).to_be_visible()
    phone.get_by_role("link", name="Start").click()
    expect(phone.get_by_text("Part 2 of 2")).to_be_visible()


def test_back_on_the_tablet_never_sends_a_form_again(
    browser: Browser, live_server: Any, transactional_db: None, make_client: Any, personas: Any
) -> None:
    """The same on the clinic's tablet, from "Thank you" back to a code that did not work."""
    from django.utils import timezone

    from unstuck.web.portal import services

    at_the_clinic, _ = _a_request(
        personas.therapist, make_client("P-TABLET", [PHQ9_MILD]), ["phq9", "gad7"]
    )
    code = services.new_kiosk_code(
        user=personas.therapist, request=at_the_clinic, now=timezone.now()
    )
    tablet = browser.new_context(base_url=live_server.url, viewport=TABLET).new_page()
    tablet.goto("/kiosk/")
    tablet.get_by_label("Please type the code your therapist gave you").fill("WRONG-CODE")
    tablet.get_by_role("button", name="Start").click()
    expect(tablet.get_by_role("alert")).to_contain_text("does not work")
    tablet.get_by_label("Please type the code your therapist gave you").fill(code)
    tablet.get_by_role("button", name="Start").click()
    tablet.get_by_role("link", name="Start", exact=True).click()
    tablet.get_by_role("button", name="Next").click()  # nothing chosen
    expect(tablet.get_by_role("alert")).to_contain_text("Please answer 9 more questions")
    answer(tablet, ["Not at all"] * 9)
    tablet.get_by_role("button", name="Next").click()
    answer(tablet, ["Not at all"] * 7)
    tablet.get_by_role("button", name="Send my answers").click()
    expect(tablet.get_by_role("heading", name="Thank you")).to_be_visible()
    for _ in range(8):  # back through every page to the code that did not work: none a form
        tablet.go_back()
        expect(tablet.locator("main")).to_be_visible()
        if tablet.url.endswith("/kiosk/"):
            break
    expect(tablet.get_by_label("Please type the code your therapist gave you")).to_be_visible()
