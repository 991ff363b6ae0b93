"""Property: whatever is typed into any field of a form, the answer is never a 500, and a
refused form writes nothing (issue 15): every form of the staff's pages, and the pages a
client answers on their own phone or the clinic's tablet, which anyone can reach. Values are
drawn per field from the form's own choices, arbitrary text and a list of hostile values (NUL
and other control characters, huge and non-ASCII numbers, impossible dates, very long text).
"""

from __future__ import annotations

import datetime as dt
import string
import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personas import PHQ9_MILD
from unstuck.impasse import default_knowledge
from unstuck.web.portal.schedule_views import ScheduleForm
from unstuck.web.portal.staff_views import RequestForm
from unstuck.web.records.forms import (
    ClientForm,
    CorrectionForm,
    EndEpisodeForm,
    InstrumentsForm,
    SafetyCheckForm,
    SessionForm,
    VoidForm,
)
from unstuck.web.reviews import knowledge
from unstuck.web.reviews.forms import (
    ClosureForm,
    GoalForm,
    GoalRateForm,
    GoalReviseForm,
    PlanForm,
    ReflectionForm,
    ResultForm,
    ReviewForm,
)
from unstuck.web.reviews.models import Goal, PlanStrategy, Review

HOSTILE = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\n",
    "C-1\nC-2",
    "\r\n",
    "\t",
    "\x1b[31m",
    "\u202e",
    "\u2028",
    "\ufeff",
    "9" * 5000,
    "9" * 30,
    "-1",
    "1e308",
    "NaN",
    "\u00b2",
    "\u0663",
    "\uff11",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "26-13-01",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 600,
    "\U0001f600",
)
RISK_1 = [*PHQ9_MILD[:8], 1]  # question 9 answered 1: an open safety alert
APPS = ("records", "reviews", "instruments", "portal")


def field_values(field: forms.Field) -> st.SearchStrategy[Any]:
    """Values for one field: its own choices (so forms can succeed), odd text, hostile."""
    plain = st.text(alphabet=string.ascii_letters + string.digits + " -'", min_size=1, max_size=20)
    odd = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
    if isinstance(field, forms.ChoiceField):
        keys = [str(k) for k, _ in field.choices if str(k)]
        if isinstance(field, forms.MultipleChoiceField):
            return st.lists(st.one_of(st.sampled_from(keys), odd) if keys else odd, max_size=3)
        return st.one_of(st.sampled_from(keys), odd) if keys else odd
    if isinstance(field, forms.DateField):
        return st.one_of(st.dates().map(str), odd)
    if isinstance(field, forms.IntegerField):
        return st.one_of(st.integers(-(10**20), 10**20).map(str), odd)
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", ""]), odd)
    return st.one_of(plain, odd)


def form_data(form: forms.Form, prefix: str = "") -> st.SearchStrategy[dict[str, Any]]:
    """Required fields always sent (so that saves can succeed), the others now and then."""
    fields = {f"{prefix}{name}": (f, field_values(f)) for name, f in form.fields.items()}
    return st.fixed_dictionaries(
        {k: values for k, (f, values) in fields.items() if f.required},
        optional={k: values for k, (f, values) in fields.items() if not f.required},
    )


def row_counts() -> dict[str, int]:
    """Rows of every model, but the wrong-code count a refused kiosk code is meant to add."""
    return {
        m._meta.label: m._default_manager.count()
        for app in APPS
        for m in apps.get_app_config(app).get_models()
        if m._meta.label != "portal.WrongAttempt"
    }


Target = tuple[Callable[[Any], str], Callable[[], forms.Form], str]
TARGETS: dict[str, Target] = {
    "new client": (lambda r: reverse("client_new"), ClientForm, ""),
    "session": (lambda r: reverse("session_new", args=[r.pk]), SessionForm, ""),
    "end episode": (lambda r: reverse("episode_end", args=[r.pk]), EndEpisodeForm, ""),
    "new goal": (lambda r: reverse("goals", args=[r.pk]), GoalForm, "new-"),
    "revise goal": (
        lambda r: reverse("goal_change", args=[Goal.objects.first().pk, "revise"]),  # type: ignore[union-attr]
        GoalReviseForm,
        "",
    ),
    "rate goal": (
        lambda r: reverse("goal_change", args=[Goal.objects.first().pk, "rate"]),  # type: ignore[union-attr]
        GoalRateForm,
        "",
    ),
    "review": (
        lambda r: reverse("review_new", args=[r.pk]),
        lambda: ReviewForm(reasons=knowledge.reasons()),
        "",
    ),
    "reflection": (lambda r: reverse("reflections") + f"?client={r.pk}", ReflectionForm, ""),
    "closing letter": (lambda r: reverse("close", args=[r.pk]), ClosureForm, ""),
    "safety check": (lambda r: reverse("safety_check", args=[r.pk]), SafetyCheckForm, ""),
    "correct session": (
        lambda r: reverse("session_correct", args=[r.pk, 1]),
        CorrectionForm,
        "",
    ),
    "void session": (lambda r: reverse("session_void", args=[r.pk, 2]), VoidForm, ""),
    "questionnaires measured": (
        lambda r: reverse("client_instruments", args=[r.pk]),
        InstrumentsForm,
        "",
    ),
    "questionnaire request": (
        lambda r: reverse("portal_request_new", args=[r.pk]),
        RequestForm,
        "",
    ),
    "questionnaire schedule": (lambda r: reverse("portal_schedule", args=[r.pk]), ScheduleForm, ""),
    "plan": (
        lambda r: reverse("review", args=[Review.objects.first().pk]),  # type: ignore[union-attr]
        lambda: PlanForm(choices=[(s.id, s.name) for s in default_knowledge().strategies.values()]),
        "",
    ),
    "strategy result": (
        lambda r: reverse("strategy_result", args=[PlanStrategy.objects.first().pk]),  # type: ignore[union-attr]
        ResultForm,
        "",
    ),
}


@pytest.mark.parametrize("target", TARGETS)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_form_answers_500_or_writes_part_of_a_refused_save(
    client: HttpClient, personas, make_client, target: str, data: st.DataObject
) -> None:
    from unstuck.web.records.models import Client

    record = Client.objects.filter(code="C-FUZZ").first()
    if record is None:
        from unstuck.web.records import services as records
        from unstuck.web.reviews import services

        record = make_client("C-FUZZ", [PHQ9_MILD])
        services.add_goal(user=personas.therapist, client=record, text="Sleep better")
        review = services.open_review(user=personas.therapist, client=record, ratings={})
        services.make_plan(
            user=personas.therapist,
            review=review,
            chosen=[services.ChosenStrategy("revisit_goals")],
            review_on=dt.date(2026, 4, 1),
        )
        for week, answers in ((1, RISK_1), (2, PHQ9_MILD)):  # then an open safety alert
            records.record_session(
                user=personas.therapist,
                client=record,
                data=records.SessionInput(
                    date=dt.date(2026, 1, 5) + dt.timedelta(days=7 * week),
                    attendance="attended",
                    answers={"phq9": answers},
                ),
            )
    client.raise_request_exception = False
    client.force_login(personas.therapist)
    url, make_form, prefix = TARGETS[target]
    posted = data.draw(form_data(make_form(), prefix))
    before = row_counts()
    response = client.post(url(record), posted)
    assert response.status_code != 500, posted
    assert response.status_code in (200, 302, 403, 404), (response.status_code, posted)
    if response.status_code != 302:  # refused: nothing of it was stored
        assert row_counts() == before, posted


# What a client's browser can send: a kiosk code, a link, and each page's answers (a
# questionnaire page posts item_1 .. item_k), any of them hostile or missing.
ITEM = st.one_of(
    st.sampled_from(["0", "1", "2", "3"]), st.sampled_from(HOSTILE), st.text(max_size=8)
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_page_a_client_answers_on_answers_500_or_writes_part_of_a_refusal(
    client: HttpClient, personas, make_client, data: st.DataObject
) -> None:
    from django.utils import timezone
    from portal_helpers import answer_page, make_request

    from unstuck.web.portal.models import QuestionnaireRequest, WrongAttempt
    from unstuck.web.records.models import Client

    WrongAttempt.objects.all().delete()  # the kiosk's guessing limit would end the run early
    record = Client.objects.filter(code="C-PORTAL").first() or make_client("C-PORTAL", [PHQ9_MILD])
    # each example asks afresh: the one before is closed (asking twice at once is refused)
    now = timezone.now()
    QuestionnaireRequest.objects.filter(client=record, completed_at__isnull=True).update(
        withdrawn_at=now, expires_at=now
    )
    _, secret = make_request(personas.therapist, record, ("phq9", "gad7"))
    client.raise_request_exception = False
    assert client.get(reverse("portal_link", args=[secret])).status_code == 302
    # Each page's answers start right (PHQ-9 on page 1, GAD-7 on page 2) and a few are changed
    # or dropped, so that some are stored and some refused.
    page = data.draw(st.integers(1, 2))
    right = PHQ9_MILD if page == 1 else PHQ9_MILD[:7]
    answers: dict[str, Any] = {f"item_{i}": str(a) for i, a in enumerate(right, start=1)}
    keys = st.sampled_from([*answers, "item_0", "item_10", "x", "item_\x00"])
    answers |= data.draw(st.dictionaries(keys, ITEM, max_size=3))
    for key in data.draw(st.lists(st.sampled_from(sorted(answers)), max_size=2)):
        answers.pop(key, None)
    if page == 2:  # the first page answered, as the client would have
        assert answer_page(client, 1, PHQ9_MILD).status_code == 302
    before = row_counts()
    posts = [
        (reverse("portal_step", args=[page]), answers),
        (reverse("portal_kiosk"), {"code": data.draw(st.sampled_from(HOSTILE))}),
    ]
    path, posted = data.draw(st.sampled_from(posts))
    response = client.post(path, posted)
    assert response.status_code != 500, (path, posted)
    if response.status_code != 302:  # refused: nothing of it was stored
        assert row_counts() == before, (path, posted)
    link = urllib.parse.quote(data.draw(st.sampled_from(HOSTILE[1:])), safe="")
    assert client.get(f"/q/{link}/").status_code != 500
