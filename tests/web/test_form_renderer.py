"""The quick form renderer writes exactly the HTML Django's own templates write: widget by
widget over awkward values, and every form of the app whole, empty and with errors."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

import unstuck.web
from unstuck.web.accounts.models import User
from unstuck.web.form_renderer import QUICK, QuickRenderer

QUICK_RENDERER = QuickRenderer()
DJANGO = DjangoTemplates()

CHOICES = [(0, "0 Not at all"), (1, '1 <b>"Several" days</b> & more'), ("", "---"), (2, "2")]
GROUPED = [("Group <1>", [(1, "one"), (2, "two")]), (3, "three")]
WIDGETS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.CheckboxInput,
    forms.Textarea,
]
CHOICE_WIDGETS = [
    forms.Select,
    forms.SelectMultiple,
    forms.RadioSelect,
    forms.CheckboxSelectMultiple,
]
VALUES = [
    None,
    "",
    "x",
    '<script>"&',
    mark_safe("<b>safe</b>"),
    0,
    1,
    2.5,
    True,
    False,
    [1, 2],
    dt.date(2026, 12, 2),
]
ATTRS = [
    None,
    {"id": "id_q"},
    {"id": "id_q", "required": True, "class": "c <d>", "x": False, "rows": 3},
    {"id": "id_q", "data-x": mark_safe("<i>")},
]


def both(render: Any) -> tuple[str, str]:
    return render(QUICK_RENDERER), render(DJANGO)


def test_the_settings_use_it() -> None:
    assert settings.FORM_RENDERER == "unstuck.web.form_renderer.QuickRenderer"


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: w.__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("attrs", ATTRS, ids=repr)
def test_a_widget_matches_django(widget, value, attrs) -> None:
    quick, django = both(lambda r: widget().render("q", value, attrs, renderer=r))
    assert quick == django


@pytest.mark.parametrize("widget", CHOICE_WIDGETS, ids=lambda w: w.__name__)
@pytest.mark.parametrize("choices", [CHOICES, GROUPED], ids=["flat", "grouped"])
@pytest.mark.parametrize("value", [None, 1, "", [1, 2], "x", "<script>", 3], ids=repr)
@pytest.mark.parametrize("attrs", ATTRS, ids=repr)
def test_a_choice_widget_matches_django(widget, choices, value, attrs) -> None:
    quick, django = both(lambda r: widget(choices=choices).render("q", value, attrs, renderer=r))
    assert quick == django


def test_an_error_list_matches_django() -> None:
    for errors in ([], ["Give a date.", 'A "<b>" & c']):
        quick, django = both(lambda r, e=errors: forms.utils.ErrorList(e, renderer=r).render())
        assert quick == django


def test_a_template_it_does_not_cover_goes_to_django() -> None:
    assert "django/forms/widgets/clearable_file_input.html" not in QUICK
    quick, django = both(lambda r: forms.ClearableFileInput().render("f", None, renderer=r))
    assert quick == django
    assert 'type="file"' in quick


def app_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(unstuck.web.__path__, "unstuck.web."):
        if ".migrations" not in module.name and not module.name.endswith("wsgi"):
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("unstuck."):
                found.append(sub)
    return found


# Forms whose constructor needs more than data: what the app passes them.
BUILD: dict[str, dict[str, Any]] = {
    "ReviewForm": {
        "reasons": [("risk", "Risk <or> crisis", "A description & more"), ("goals", "Goals", "")],
        "prefill": {"risk": (2, "Said so <b>today</b>")},
    },
    "PlanForm": {"choices": [("a", "Strategy <a>"), ("b", "Strategy b")]},
    "HandOverForm": {"therapist": User(username="someone")},
}
# Forms whose first argument is not the data: what comes before it, and more keywords
# (Django's password form takes the user first; ours also the request).
BUILD_BEFORE: dict[str, Any] = {
    "OwnPasswordForm": lambda: ([User(username="someone")], {"request": None}),
    # an account joined at a fixed time: a new one's "joined" is the clock's, which can tick
    # between the two forms compared
    "AccountForm": lambda: ([], {"instance": User(date_joined=dt.datetime(2026, 1, 5, 9, 0))}),
}


def test_every_form_of_the_app_matches_django(db) -> None:
    compared = []
    for form_class in app_forms():
        before, more = BUILD_BEFORE.get(form_class.__name__, lambda: ([], {}))()
        extra = {**BUILD.get(form_class.__name__, {}), **more}
        for data in (None, {"date": "not a date", "note": "<b>x</b>", "phq9__item_1": "9"}):
            try:
                quick = form_class(*before, data, renderer=QUICK_RENDERER, **extra)
                django = form_class(*before, data, renderer=DJANGO, **extra)
            except TypeError as exc:
                pytest.fail(f"{form_class.__name__} needs arguments: add it to BUILD ({exc})")
            assert quick.render() == django.render(), form_class.__name__
            for name in quick.fields:
                assert str(quick[name]) == str(django[name]), (form_class.__name__, name)
                assert str(quick[name].errors) == str(django[name].errors), name
            assert str(quick.non_field_errors()) == str(django.non_field_errors())
        compared.append(form_class.__name__)
    assert {"SessionForm", "SafetyCheckForm", "EndEpisodeForm", "ScheduleForm"} <= set(compared)
