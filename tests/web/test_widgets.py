"""The quick radio and checkbox widgets write exactly the HTML Django's templates write."""

from __future__ import annotations

import pytest
from django import forms

from unstuck.web.records.forms import SessionForm
from unstuck.web.records.widgets import QuickCheckboxSelectMultiple, QuickRadioSelect

CHOICES = [(0, "0 Not at all"), (1, '1 <b>"Several" days</b> & more'), (2, "2")]
TWINS = [
    (QuickRadioSelect, forms.RadioSelect),
    (QuickCheckboxSelectMultiple, forms.CheckboxSelectMultiple),
]


@pytest.mark.parametrize(("quick", "django"), TWINS)
@pytest.mark.parametrize("value", [None, 1, [1, 2], "x", "<script>"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_q"}, {"id": "id_q", "required": True, "class": "c", "x": False}]
)
def test_it_matches_django(quick, django, value, attrs) -> None:
    assert quick(choices=CHOICES).render("q", value, attrs) == django(choices=CHOICES).render(
        "q", value, attrs
    )


def test_the_whole_session_form_matches_django(db) -> None:
    data = {"attendance": "late", "phq9__item_1": "2", "markers": ["tasks_not_done"]}
    for bound in (SessionForm(), SessionForm(data)):
        for name, field in bound.fields.items():
            widget = field.widget
            if not isinstance(widget, QuickRadioSelect | QuickCheckboxSelectMultiple):
                continue
            plain = (
                forms.RadioSelect
                if isinstance(widget, QuickRadioSelect)
                else forms.CheckboxSelectMultiple
            )(choices=widget.choices, attrs=widget.attrs)
            value = bound[name].value()
            attrs = bound[name].build_widget_attrs({"id": bound[name].auto_id})
            assert widget.render(name, value, attrs) == plain.render(name, value, attrs), name
