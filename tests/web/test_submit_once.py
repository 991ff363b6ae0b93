"""Every form that creates something stores it once, however often it is submitted.

Each case posts the same form twice with the same one-time token (a double-click, the
browser's "resend"): one record is stored and the second answer sends the person to what the
first one created. Without the token check in `submit_once` each of these tests fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.test import Client as HttpClient
from django.urls import reverse
from portal_helpers import make_request

from personas import PLAN_REVIEW, hold_session
from unstuck.impasse import default_knowledge
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.idempotency.once import ALREADY_SAVED, BAD_TOKEN, new_token
from unstuck.web.portal.models import AccessToken, QuestionnaireRequest, TokenKind
from unstuck.web.records import alerts
from unstuck.web.records import services as records
from unstuck.web.records.models import Client, SafetyCheck, Session, SessionRevision
from unstuck.web.reviews import services as reviews
from unstuck.web.reviews.models import (
    ClosureLetter,
    Goal,
    GoalRating,
    GoalRevision,
    Plan,
    Reflection,
    Review,
    StrategyResult,
)
from unstuck.web.reviews.services import PLAN_EXISTS

FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]
REASONS = list(default_knowledge().reasons)


@dataclass(frozen=True)
class Form:
    url: str
    data: dict[str, object]
    count: Callable[[], int]


def _goal(personas, record) -> Goal:
    return reviews.add_goal(user=personas.therapist, client=record, text="Sleep through the night")


def _review(personas, record) -> Review:
    return reviews.open_review(user=personas.therapist, client=record, ratings={})


def _plan(personas, record) -> Plan:
    review = _review(personas, record)
    plan = reviews.make_plan(
        user=personas.therapist,
        review=review,
        chosen=[reviews.ChosenStrategy("revisit_goals")],
        review_on=dt.date(2026, 4, 1),
    )
    hold_session(record)  # results follow a session held with the plan
    return plan


def _risk(personas, record) -> Client:
    """`record` with a positive answer to PHQ-9 question 9: an open safety alert."""
    answers = {"phq9": [*FLAT[:8], 1]}
    data = records.SessionInput(date=dt.date(2026, 2, 20), attendance="attended", answers=answers)
    records.record_session(user=personas.therapist, client=record, data=data)
    return record


def _ended(personas, record) -> Client:
    records.end_episode(
        user=personas.therapist, client=record, ended_on=dt.date(2026, 3, 1), reason="completed"
    )
    return record


def _audited(action: str) -> Callable[[], int]:
    return lambda: AuditEntry.objects.filter(action=action).count()


FORMS: dict[str, Callable[..., Form]] = {
    "client": lambda personas, record: Form(
        reverse("client_new"),
        {"code": "C-NEW", "started_on": "2026-02-01"},
        lambda: Client.objects.filter(code="C-NEW").count(),
    ),
    "session": lambda personas, record: Form(
        reverse("session_new", args=[record.pk]),
        {"date": "2026-02-20", "attendance": "attended", "completed_by": "client"},
        lambda: Session.objects.filter(episode__client=record).count(),
    ),
    "goal": lambda personas, record: Form(
        reverse("goals", args=[record.pk]),
        {"new-text": "Go back to work"},
        lambda: Goal.objects.filter(client=record).count(),
    ),
    "goal rating": lambda personas, record: Form(
        reverse("goal_change", args=[_goal(personas, record).pk, "rate"]),
        {"attainment": "1", "rated_on": "2026-02-20"},
        lambda: GoalRating.objects.count(),
    ),
    "goal revision": lambda personas, record: Form(
        reverse("goal_change", args=[_goal(personas, record).pk, "revise"]),
        {"text": "Sleep six hours", "change": "more_solvable"},
        lambda: GoalRevision.objects.count(),
    ),
    "review": lambda personas, record: Form(
        reverse("review_new", args=[record.pk]),
        {f"rating__{r}": "0" for r in REASONS} | {"rating__goals_misfit": "3"},
        lambda: Review.objects.count(),
    ),
    "plan": lambda personas, record: Form(
        reverse("review", args=[_review(personas, record).pk]),
        {"strategies": ["revisit_goals"], "review_on": PLAN_REVIEW},
        lambda: Plan.objects.count(),
    ),
    "strategy result": lambda personas, record: Form(
        reverse("strategy_result", args=[_plan(personas, record).strategies.get().pk]),
        {"result": "helped", "note": "ok"},
        lambda: StrategyResult.objects.count(),
    ),
    "reflection": lambda personas, record: Form(
        reverse("reflections"),
        {"frustration": "2", "client": str(record.pk)},
        lambda: Reflection.objects.count(),
    ),
    "closing letter": lambda personas, record: Form(
        reverse("close", args=[record.pk]),
        {"kind": "termination", "ended_on": "2026-03-01"},
        lambda: ClosureLetter.objects.count(),
    ),
    # A second one of these would email the client twice, or make a second link or code.
    "questionnaire request": lambda personas, record: Form(
        reverse("portal_request_new", args=[record.pk]),
        {"instruments": ["phq9"], "timing": "before", "session_number": 7, "delivery": "show"},
        lambda: QuestionnaireRequest.objects.count(),
    ),
    "new link": lambda personas, record: Form(
        reverse(
            "portal_request_action", args=[make_request(personas.therapist, record)[0].pk, "link"]
        ),
        {},
        lambda: AccessToken.objects.filter(kind=TokenKind.LINK).count(),
    ),
    "kiosk code": lambda personas, record: Form(
        reverse(
            "portal_request_action", args=[make_request(personas.therapist, record)[0].pk, "kiosk"]
        ),
        {},
        lambda: AccessToken.objects.filter(kind=TokenKind.KIOSK).count(),
    ),
    # A second correction would keep a second, identical revision in the session's history.
    "session correction": lambda personas, record: Form(
        reverse("session_correct", args=[record.pk, 1]),
        {
            "date": "2026-02-02",
            "attendance": "attended",
            "completed_by": "client",
            "reason": "Typed the wrong date",
        },
        lambda: SessionRevision.objects.count(),
    ),
    "session void": lambda personas, record: Form(
        reverse("session_void", args=[record.pk, 2]),
        {"reason": "Entered for the wrong client"},
        lambda: SessionRevision.objects.count(),
    ),
    # A second one of these would be refused with an error after the first had worked.
    "safety check": lambda personas, record: Form(
        reverse("safety_check", args=[_risk(personas, record).pk]),
        {"outcome": "no_current_risk"},
        lambda: SafetyCheck.objects.count(),
    ),
    "safety check on the caseload": lambda personas, record: Form(
        reverse("safety_check", args=[_risk(personas, record).pk]) + "?back=caseload",
        {"outcome": "no_current_risk"},
        lambda: SafetyCheck.objects.count(),
    ),
    "episode end": lambda personas, record: Form(
        reverse("episode_end", args=[record.pk]),
        {"ended_on": "2026-03-01", "reason": "completed"},
        _audited(AuditAction.END_EPISODE),
    ),
    "episode reopen": lambda personas, record: Form(
        reverse("episode_reopen", args=[_ended(personas, record).pk]),
        {},
        _audited(AuditAction.REOPEN_EPISODE),
    ),
}


@pytest.fixture
def record(make_client):
    return make_client("C-900", [FLAT] * 6)


@pytest.mark.parametrize("name", list(FORMS))
def test_it_stores_a_double_submitted_form_once(
    client: HttpClient, personas, record, name: str
) -> None:
    form = FORMS[name](personas, record)
    before = form.count()
    client.force_login(personas.therapist)
    data = form.data | {"submit_token": new_token()}
    first = client.post(form.url, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    assert form.count() == before + 1
    second = client.post(form.url, data)
    assert second.status_code == 302
    assert second["Location"] == first["Location"]  # to what the first submission created
    assert form.count() == before + 1
    assert ALREADY_SAVED in [m.message for m in get_messages(second.wsgi_request)]


# A field each form can hold with two different values.
CHANGED = {
    "session": ("date", "2026-02-27"),
    "goal": ("new-text", "Sleep"),
    "reflection": ("frustration", "4"),
}


@pytest.mark.parametrize("name", list(CHANGED))
def test_it_stores_two_forms_with_their_own_tokens_twice(
    client: HttpClient, personas, record, name: str
) -> None:
    form = FORMS[name](personas, record)
    before = form.count()
    client.force_login(personas.therapist)
    field, value = CHANGED[name]
    for data in (form.data, form.data | {field: value}):
        assert client.post(form.url, data | {"submit_token": new_token()}).status_code == 302
    assert form.count() == before + 2


# A new link or kiosk code is shown once: pressed again from the page loaded anew, its button
# makes another, or none would be shown (test_portal_tokens.py); a double click makes one.
SHOWN_ONCE = frozenset({"new link", "kiosk code"})


@pytest.mark.parametrize("name", [name for name in FORMS if name not in SHOWN_ONCE])
def test_the_same_form_sent_again_from_a_reloaded_page_is_stored_once(
    client: HttpClient, personas, record, name: str
) -> None:
    """Back, then send again: the page was loaded anew (it is never cached), so the form
    carries a new token; the same content a minute later is still the same submission."""
    form = FORMS[name](personas, record)
    before = form.count()
    client.force_login(personas.therapist)
    first = client.post(form.url, form.data | {"submit_token": new_token()})
    assert first.status_code == 302, first.content.decode()[:2000]
    again = client.post(form.url, form.data | {"submit_token": new_token()})
    assert (again.status_code, again["Location"]) == (302, first["Location"])
    assert form.count() == before + 1
    assert ALREADY_SAVED in [m.message for m in get_messages(again.wsgi_request)]


def test_a_rating_changed_and_changed_back_is_stored_each_time(
    client: HttpClient, personas, record
) -> None:
    """Only the latest submission to the form is compared: 1, then 2, then 1 again are three
    ratings."""
    url = reverse("goal_change", args=[_goal(personas, record).pk, "rate"])
    client.force_login(personas.therapist)
    for attainment in ("1", "2", "1"):
        data = {"attainment": attainment, "rated_on": "2026-02-20", "submit_token": new_token()}
        assert client.post(url, data).status_code == 302
    assert list(GoalRating.objects.order_by("id").values_list("attainment", flat=True)) == [1, 2, 1]


def test_the_same_content_later_is_a_new_submission(client: HttpClient, personas, record) -> None:
    from unstuck.web.idempotency.models import FormSubmission
    from unstuck.web.idempotency.once import SAME_AGAIN

    form = FORMS["goal"](personas, record)
    client.force_login(personas.therapist)
    assert client.post(form.url, form.data | {"submit_token": new_token()}).status_code == 302
    earlier = FormSubmission.objects.get()
    earlier.created_at -= SAME_AGAIN
    earlier.save()
    assert client.post(form.url, form.data | {"submit_token": new_token()}).status_code == 302
    assert form.count() == 2


def test_every_create_form_carries_a_fresh_token(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    _goal(personas, record)
    review = _review(personas, record)
    pages = [
        reverse("client_new"),
        reverse("session_new", args=[record.pk]),
        reverse("goals", args=[record.pk]),
        reverse("review_new", args=[record.pk]),
        reverse("review", args=[review.pk]),
        reverse("reflections"),
        reverse("close", args=[record.pk]),
    ]
    tokens = []
    for page in pages:
        html = client.get(page).content.decode()
        assert 'name="submit_token"' in html, page
        tokens.append(html.split('name="submit_token" value="')[1].split('"')[0])
    assert len(set(tokens)) == len(tokens)


def test_every_other_form_that_makes_something_carries_a_token(
    client: HttpClient, personas, record
) -> None:
    """The client page's questionnaire request, safety check and ending; a request's new link
    and kiosk code; the caseload's safety check; voiding a session; the ending's
    confirmation; reopening."""
    client.force_login(personas.therapist)
    _risk(personas, record)
    made, _ = make_request(personas.therapist, record)

    def tokened(html: str, action: str) -> bool:
        """Some form posts to `action`, and every such form carries a token."""
        found = [f for f in html.split("<form")[1:] if f'action="{action}' in f.split(">")[0]]
        return bool(found) and all('name="submit_token"' in f for f in found)

    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert tokened(page, reverse("portal_request_new", args=[record.pk]))
    assert tokened(page, reverse("safety_check", args=[record.pk]))
    detail = client.get(reverse("portal_request", args=[made.pk])).content.decode()
    assert tokened(detail, reverse("portal_request_action", args=[made.pk, "link"]))
    assert tokened(detail, reverse("portal_request_action", args=[made.pk, "kiosk"]))
    caseload = client.get(reverse("caseload")).content.decode()
    assert tokened(caseload, reverse("safety_check", args=[record.pk]))
    correcting = client.get(reverse("session_correct", args=[record.pk, 1])).content.decode()
    assert tokened(correcting, reverse("session_void", args=[record.pk, 1]))
    ending = {"ended_on": "2026-03-01", "reason": "completed", "safety_considered": "on"}
    preview = client.get(reverse("episode_end_preview", args=[record.pk]), ending)
    assert tokened(preview.content.decode(), reverse("episode_end", args=[record.pk]))
    alerts.record_safety_check(user=personas.therapist, client=record, outcome="no_current_risk")
    _ended(personas, record)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert tokened(page, reverse("episode_reopen", args=[record.pk]))


def test_a_second_plan_for_one_review_is_refused_in_plain_words(
    client: HttpClient, personas, record
) -> None:
    form = FORMS["plan"](personas, record)
    client.force_login(personas.therapist)
    assert client.post(form.url, form.data | {"submit_token": new_token()}).status_code == 302
    other = form.data | {"strategies": ["revisit_goals", "seek_feedback"]}
    again = client.post(form.url, other | {"submit_token": new_token()})
    assert again.status_code == 200
    assert PLAN_EXISTS in again.content.decode().replace("&#x27;", "'")
    assert Plan.objects.count() == 1
    assert client.post(form.url, form.data).status_code == 200  # no token: the same answer


def test_a_token_used_by_someone_else_is_refused(client: HttpClient, personas, make_client):
    token = new_token()
    mine = make_client("C-901", [FLAT])
    theirs = make_client("C-902", [FLAT], therapist=personas.colleague)
    client.force_login(personas.therapist)
    form = FORMS["session"](personas, mine)
    assert client.post(form.url, form.data | {"submit_token": token}).status_code == 302
    client.force_login(personas.colleague)
    other = FORMS["session"](personas, theirs)
    response = client.post(other.url, other.data | {"submit_token": token})
    assert response.status_code == 200
    assert BAD_TOKEN in response.content.decode().replace("&#x27;", "'")
    assert Session.objects.filter(episode__client=theirs).count() == 1


@pytest.mark.parametrize("token", ["short", "x" * 65, "bad token with spaces!!", "\x00" * 20])
def test_a_malformed_token_is_a_form_error_not_a_500(
    client: HttpClient, personas, record, token: str
) -> None:
    form = FORMS["session"](personas, record)
    before = form.count()
    client.force_login(personas.therapist)
    response = client.post(form.url, form.data | {"submit_token": token})
    assert response.status_code == 200
    assert BAD_TOKEN in response.content.decode().replace("&#x27;", "'")
    assert form.count() == before


def test_an_instrument_uploaded_twice_is_stored_once_without_an_error(
    client: HttpClient, personas
) -> None:
    """The administrator's upload: the second click goes where the first did, with no
    'id already taken' after the first had worked."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from unstuck.web.instruments.models import ClinicInstrument
    from unstuck.web.records.instruments import reload_instruments

    definition = (
        'id = "twice2"\nname = "Twice-2 (made up)"\ndescription = "A made-up scale."\n'
        'higher_is_better = true\nlicense = "Placeholder."\n'
        'options = [{value = 0, label = "No"}, {value = 1, label = "Yes"}]\n'
        'items = [{number = 1, text = "Item one"}, {number = 2, text = "Item two"}]\n'
    )
    client.force_login(personas.administrator)
    page = client.get(reverse("instruments")).content.decode()
    token = page.split('name="submit_token" value="')[1].split('"')[0]
    answers = []
    try:
        for _ in range(2):
            file = SimpleUploadedFile("twice.toml", definition.encode())
            answers.append(
                client.post(reverse("instruments"), {"definition": file, "submit_token": token})
            )
    finally:
        reload_instruments()
    assert [a.status_code for a in answers] == [302, 302]
    assert ClinicInstrument.objects.filter(instrument_id="twice2").count() == 1
    assert ALREADY_SAVED in [m.message for m in get_messages(answers[1].wsgi_request)]


# Forms posted without a token, and why a second submission of each changes nothing.
UNTOKENED = {
    ("base.html", "logout"): "signing out twice signs out once",
    ("registration/login.html", ""): "signing in creates nothing",
    ("registration/password_change.html", ""): "sent twice, the second fails the old password",
    ("records/instruments_form.html", ""): "choosing questionnaires twice chooses the same",
    ("portal/_client_panel.html", "portal_schedule"): "saving a schedule twice sets the same",
    ("portal/request_detail.html", "'email'"): (
        "the form carries when the link was last sent; a second send of the same page finds "
        "that changed and sends nothing (the service)"
    ),
    ("portal/request_withdraw.html", "withdraw"): "withdrawing twice withdraws once (the service)",
    ("portal/kiosk.html", "portal_kiosk"): "a kiosk code opens a request and creates nothing",
    ("portal/step.html", ""): "a page answered twice is refused (the service; no signed-in user)",
}


def test_every_post_form_carries_a_token_or_says_why_not() -> None:
    """A new form that posts needs `{% submit_token %}` (and `submit_once` in its view), or a
    line above saying why a second submission changes nothing."""
    import re
    from pathlib import Path

    import unstuck.web

    templates = Path(unstuck.web.__file__).parent / "templates"
    untokened = set()
    for path in templates.rglob("*.html"):
        text = path.read_text("utf-8")
        for form in re.finditer(r'<form[^>]*method="post"[^>]*>', text):
            if "submit_token" in text[form.start() : text.find("</form>", form.end())]:
                continue
            name = path.relative_to(templates).as_posix()
            known = [k for k in UNTOKENED if k[0] == name and k[1] in form.group(0)]
            assert known, f"{name}: {form.group(0)} has no submit_token"
            untokened.add(known[0])
    assert untokened == set(UNTOKENED)  # and no reason is left for a form that is gone
