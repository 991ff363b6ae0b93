"""Radio and checkbox groups rendered in Python, with the same HTML as Django's templates.

The session form has about thirty radio groups (PHQ-9, GAD-7, session feedback, attendance)
and the review form one per reason. Django renders each option through three nested templates;
on the session form that was three quarters of the page's server time (profiled under load,
issue 15). These widgets build the identical markup directly; a test compares them with
Django's own rendering.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: Mapping[str, Any]) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"')
    return "".join(out)


def _option(option: Mapping[str, Any]) -> str:
    attrs = option["attrs"]
    value = option["value"]
    value_attr = "" if value is None else f' value="{conditional_escape(str(value))}"'
    field = (
        f'<input type="{option["type"]}" name="{conditional_escape(option["name"])}"'
        f"{value_attr}{_attrs(attrs)}>\n"
    )
    if not option.get("wrap_label"):
        return field + "\n\n"
    label_for = f' for="{conditional_escape(attrs["id"])}"' if attrs.get("id") else ""
    return f"<label{label_for}>{field} {conditional_escape(option['label'])}</label>\n\n"


class _QuickMultipleInput:
    """Mixed into RadioSelect / CheckboxSelectMultiple: `render` without the template engine."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        wid = widget["attrs"].get("id")
        css = widget["attrs"].get("class")
        parts = [
            "<div",
            f' id="{conditional_escape(wid)}"' if wid else "",
            f' class="{conditional_escape(css)}"' if css else "",
            ">",
        ]
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
            for option in options:
                parts.append("<div>\n    " + _option(option) + "</div>")
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))  # every value above is escaped


class QuickRadioSelect(_QuickMultipleInput, forms.RadioSelect):
    pass


class QuickCheckboxSelectMultiple(_QuickMultipleInput, forms.CheckboxSelectMultiple):
    pass
