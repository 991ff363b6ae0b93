"""Property: whatever is typed into any field of a form, the answer is never a 500, and a
refused form writes nothing (issue 15). Values are drawn per field from the form's own
choices, arbitrary text and a list of hostile values (NUL and other control characters,
huge and non-ASCII numbers, impossible dates, very long text).
"""

from __future__ import annotations

import string
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
from unstuck.web.records.forms import ClientForm, EndEpisodeForm, SessionForm
from unstuck.web.reviews import knowledge
from unstuck.web.reviews.forms import (
    ClosureForm,
    GoalForm,
    GoalRateForm,
    GoalReviseForm,
    ReflectionForm,
    ReviewForm,
)
from unstuck.web.reviews.models import Goal

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
APPS = ("records", "reviews", "instruments")


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
    return {
        m._meta.label: m._default_manager.count()
        for app in APPS
        for m in apps.get_app_config(app).get_models()
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

    record = Client.objects.filter(code="C-FUZZ").first() or make_client("C-FUZZ", [PHQ9_MILD])
    if not Goal.objects.exists():
        from unstuck.web.reviews import services

        services.add_goal(user=personas.therapist, client=record, text="Sleep better")
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
