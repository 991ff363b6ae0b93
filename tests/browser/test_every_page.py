"""Every page template, for every role that can open it, at 1280 and 375 px in a real
Chromium: no server error, no sideways scrolling, and 0 critical or serious axe-core
violations. The Django admin pages an administrator uses are walked too.

A template added without a page here fails `test_every_template_is_walked`, so the walk
cannot fall behind the app. Screenshots land in test-artifacts/screenshots/every-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError
from screens import shot, signed_in

from personas import PASSWORD, PHQ9_MILD, PHQ9_SEVERE

pytestmark = pytest.mark.browser
WIDTHS = (1280, 375)
SAFETY = [1, 1, 1, 1, 1, 1, 0, 0, 2]
FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, moderate
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "unstuck" / "web" / "templates"
AXE = Axe()
# The innermost elements that reach past the right edge of the screen, to name in a failure.
WIDE_ELEMENTS = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1
          && ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
       + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '')
       + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')"""

# Templates that are no page of their own: included in pages, or made into PDFs (which are
# looked at as PNG images, not in a browser).
NOT_PAGES = {
    "base.html",
    "portal/base.html",
    "reviews/doc_base.html",
    "reviews/consultation.html",
    "reviews/referral_letter.html",
    "reviews/termination_summary.html",
    "reviews/_referral_body.html",  # the letters' text (also in the close form's preview)
    "reviews/_termination_body.html",
    "reviews/_goal_text.html",  # a goal as the letters and the consultation summary list it
}


# References to ids that are on no element: aria-describedby naming a help text or an error
# that is not there (Django names `<id>_helptext` and `<id>_error` whether the template shows
# them or not), a label for no field. axe lets a reference list pass when one id exists.
BROKEN_REFERENCES = """() => [...document.querySelectorAll(
    '[aria-describedby],[aria-labelledby],[aria-controls],[aria-errormessage],label[for]')]
  .flatMap(e => ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-errormessage',
                 'for']
    .flatMap(a => (e.getAttribute(a) || '').split(/\\s+/).filter(Boolean)
      .filter(id => !document.getElementById(id))
      .map(id => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + a + '=' + id)))
  .slice(0, 5)"""


def problems_on(page: Page, name: str, width: int) -> list[str]:
    found = []
    if broken := page.evaluate(BROKEN_REFERENCES):
        found.append(f"{name}@{width}: references to no element: {broken}")
    if page.evaluate("document.documentElement.scrollWidth") > width:
        culprits = page.evaluate(WIDE_ELEMENTS, width)
        found.append(f"{name}@{width}: wider than the screen: {culprits}")
    for v in AXE.run(page).response["violations"]:
        if v["impact"] in ("critical", "serious"):
            targets = [n["target"] for n in v["nodes"]][:3]
            found.append(f"{name}@{width}: {v['id']} ({v['impact']}) {targets}")
    shot(page, f"every-{name}-{width}")
    return found


def walk(page: Page, pages: list[tuple[str, str, int]], width: int) -> list[str]:
    """Open each (name, path, expected status); its template is what the test covers."""
    found = []
    for name, path, status in pages:
        try:
            response = page.goto(path)
        except PlaywrightError as failed:  # e.g. a status the browser will not show
            found.append(f"{name}@{width}: {path}: {failed.message.splitlines()[0]}")
            continue
        assert response is not None
        if response.status != status:
            found.append(f"{name}@{width}: {path} answered {response.status}, not {status}")
            continue
        if "/admin/login/" in page.url and not path.startswith("/admin/login/"):
            found.append(f"{name}@{width}: {path} sent to the administration sign-in instead")
            continue
        found += problems_on(page, name, width)
    return found


@pytest.fixture
def clinic(transactional_db, personas, make_client):  # type: ignore[no-untyped-def]
    """A caseload with every kind of page to show: an open safety alert, a plateau with a
    review and a plan, an ended episode with a letter, a questionnaire request."""
    from unstuck.web.accounts.models import Role, User
    from unstuck.web.portal import services as portal
    from unstuck.web.reviews import services as reviews

    User.objects.create_user(
        "casey", password=PASSWORD, clinic=personas.clinic, role=Role.CLINIC_LEAD
    )
    # The clinic's administrator has the administration screens' rights, as `unstuck setup`
    # gives them; without them each admin page is the sign-in page, not the page itself.
    personas.administrator.is_staff = personas.administrator.is_superuser = True
    personas.administrator.save()

    risky = make_client("SYN-RISK", [PHQ9_MILD, PHQ9_SEVERE, SAFETY])
    stuck = make_client("SYN-STUCK", [FLAT] * 6)
    ended = make_client("SYN-ENDED", [PHQ9_SEVERE, PHQ9_MILD])
    review = reviews.open_review(
        user=personas.therapist,
        client=stuck,
        ratings={"goals_misfit": (3, "the goals were set before the move")},
    )
    reviews.make_plan(
        user=personas.therapist,
        review=review,
        chosen=[reviews.ChosenStrategy("revisit_goals", "agreed together")],
        review_on=dt.date(2026, 4, 1),
    )
    letter = reviews.close_with_letter(
        user=personas.therapist,
        client=ended,
        kind="termination",
        ended_on=dt.date(2026, 3, 1),
        reason="Goals met.",
    )
    request, secret = portal.create_request(
        user=personas.therapist,
        client=risky,
        instrument_ids=["phq9"],
        session_number=4,
        timing="before",
        now=timezone.now(),
    )
    return {
        "risky": risky.pk,
        "stuck": stuck.pk,
        "ended": ended.pk,
        "review": review.pk,
        "letter": letter.pk,
        "request": request.pk,
        "secret": secret,
    }


def therapist_pages(c: dict) -> list[tuple[str, str, int]]:  # type: ignore[type-arg]
    risky, stuck, ended = c["risky"], c["stuck"], c["ended"]
    return [
        ("caseload", "/", 200),
        ("caseload-ended", "/?status=ended", 200),
        ("client-safety", f"/clients/{risky}/", 200),
        ("client-plan", f"/clients/{stuck}/", 200),
        ("client-ended", f"/clients/{ended}/", 200),
        ("safety-check", f"/clients/{risky}/safety-check/", 200),
        ("session-form", f"/clients/{stuck}/sessions/new/", 200),
        ("session-correct", f"/clients/{stuck}/sessions/2/correct/", 200),
        ("session-void", f"/clients/{stuck}/sessions/2/void/", 200),
        ("instruments-form", f"/clients/{stuck}/instruments/", 200),
        ("end-preview", f"/clients/{stuck}/end/preview/", 200),
        ("new-client", "/clients/new/", 200),
        ("review-form", f"/clients/{risky}/review/", 200),
        ("review", f"/reviews/{c['review']}/", 200),
        ("goals", f"/clients/{stuck}/goals/", 200),
        ("goals-safety", f"/clients/{risky}/goals/", 200),  # the open safety answer heads it
        ("close-form", f"/clients/{stuck}/close/", 200),
        ("reflections", "/reflections/", 200),
        ("password", "/password/", 200),
        ("questionnaires", f"/questionnaires/{c['request']}/", 200),
        ("withdraw-confirm", f"/questionnaires/{c['request']}/withdraw/", 200),
        ("not-found", "/clients/999999/", 404),
        ("forbidden", "/overview/", 403),
    ]


def supervisor_pages(c: dict) -> list[tuple[str, str, int]]:  # type: ignore[type-arg]
    return [
        ("supervisor-caseload", "/", 200),
        ("supervisor-client", f"/clients/{c['stuck']}/", 200),
        ("supervisor-review", f"/reviews/{c['review']}/", 200),
        ("team", "/team/", 200),
    ]


def administrator_pages(admin_user_pk: int, clinic_pk: int) -> list[tuple[str, str, int]]:
    return [
        ("overview", "/overview/", 200),
        ("audit", "/audit/", 200),
        ("instruments", "/instruments/", 200),
        ("admin-index", "/admin/", 200),
        ("admin-users", "/admin/accounts/user/", 200),
        ("admin-user", f"/admin/accounts/user/{admin_user_pk}/change/", 200),
        ("admin-add-user", "/admin/accounts/user/add/", 200),
        ("admin-clinic", f"/admin/accounts/clinic/{clinic_pk}/change/", 200),
        ("admin-portal-settings", "/admin/portal/portalsettings/", 200),
        ("admin-portal-settings-add", "/admin/portal/portalsettings/add/", 200),
        ("admin-sign-in-pauses", "/admin/axes/accessattempt/", 200),
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_for_every_role(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, clinic, personas, width: int
) -> None:
    found: list[str] = []
    login = signed_in(browser, live_server, None, width)
    found += walk(login, [("login", "/login/", 200)], width)
    login.context.close()
    for username, pages in (
        ("alex", therapist_pages(clinic)),
        ("jordan", supervisor_pages(clinic)),
        ("admin", administrator_pages(personas.administrator.pk, personas.clinic.pk)),
        (
            "casey",
            [("clinic-figures", "/", 200), ("lead-no-record", f"/clients/{clinic['stuck']}/", 404)],
        ),
    ):
        page = signed_in(browser, live_server, username, width)
        found += walk(page, pages, width)
        page.context.close()
    client_side = signed_in(browser, live_server, None, width)
    found += walk(
        client_side,
        [
            ("portal-closed", "/q/no-such-link-0000000000000000/", 404),
            ("portal-start", f"/q/{clinic['secret']}/", 200),
            ("portal-step", "/answer/1/", 200),
            ("kiosk", "/kiosk/", 200),
        ],
        width,
    )
    client_side.context.close()
    assert not found, "\n".join(found)


def test_every_template_is_walked() -> None:
    """Each page template is named by a page above (or listed as no page of its own)."""
    walked = {
        "registration/login.html": "login",
        "records/caseload.html": "caseload",
        "records/client_detail.html": "client-plan",
        "records/safety_check.html": "safety-check",
        "records/_safety_check_form.html": "client-safety",
        "records/session_form.html": "session-form",
        "records/client_form.html": "new-client",
        "records/instruments_form.html": "instruments-form",
        "records/end_preview.html": "end-preview",
        "reviews/review_form.html": "review-form",
        "_form_errors.html": "review-form",
        "_field.html": "new-client",
        "records/_open_alerts.html": "goals-safety",
        "reviews/_reason.html": "review-form",
        "reviews/review_detail.html": "review",
        "reviews/_strategy.html": "review",
        "reviews/_panel.html": "client-plan",
        "reviews/_progress.html": "client-plan",
        "reviews/goals.html": "goals",
        "reviews/close_form.html": "close-form",
        "reviews/reflections.html": "reflections",
        "reviews/team.html": "team",
        "accounts/overview.html": "overview",
        "registration/password_change.html": "password",
        "accounts/audit_log.html": "audit",
        "instruments/list.html": "instruments",
        "portal/start.html": "portal-start",
        "portal/step.html": "portal-step",
        "portal/kiosk.html": "kiosk",
        "portal/request_detail.html": "questionnaires",
        "portal/request_withdraw.html": "withdraw-confirm",
        "portal/_client_panel.html": "client-safety",
        "portal/done.html": "portal-done (tests/browser/test_portal_path.py)",
        "portal/safety.html": "portal-safety (tests/browser/test_portal_path.py)",
        "portal/closed.html": "portal-closed",
        "403.html": "forbidden",
        "404.html": "not-found",
        "500.html": "tests/web/test_error_pages.py (a fault cannot be caused on purpose here)",
        "503.html": "tests/web/test_error_pages.py (a busy database, likewise)",
    }
    templates = {
        str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if "admin" not in p.parts
    }
    missing = sorted(templates - set(walked) - NOT_PAGES)
    assert not missing, f"page templates no test walks: {missing}"
    assert re.fullmatch(r"[a-z_/0-9]+\.html", min(templates))
