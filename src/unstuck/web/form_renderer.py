"""Django's form renderer, with its commonest templates written out in Python.

Django renders every widget, every radio option and every (even empty) error list through
templates nested two or three deep. The session form has about thirty radio groups and the
client page a dozen fields; profiled under load (issue 15), that template work was a large
part of each page's server time. `QuickRenderer` builds the same markup for the plain input
widgets, text areas, selects, radio and checkbox groups and empty error lists directly, and
hands every other template to Django unchanged. `tests/web/test_form_renderer.py` renders
every form of the app both ways and holds them identical.

Set as ``FORM_RENDERER`` in the settings, so forms need nothing of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
INPUTS = frozenset(
    WIDGETS + f"{kind}.html"
    for kind in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
)
OPTION_INPUTS = frozenset(
    WIDGETS + f"{kind}.html" for kind in ("input_option", "radio_option", "checkbox_option")
)
SELECT_OPTION = WIDGETS + "select_option.html"
EMPTY_ERRORS = frozenset(f"django/forms/errors/list/{kind}.html" for kind in ("default", "ul"))


def _text(value: Any) -> str:
    """A value as the template engine writes ``{{ value }}``: text, escaped unless safe."""
    return str(conditional_escape(value))


def _format(value: Any) -> str:
    """A value as the templates write ``{{ value|stringformat:'s' }}``."""
    return _text(value if hasattr(value, "__html__") else f"{value}")


def _attrs(attrs: Mapping[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: `` name="value"``, `` name`` for True, none for
    False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_format(value)}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_format(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>\n"
    )


def _input_option(option: Mapping[str, Any]) -> str:
    """As input_option.html, with the file's own line end."""
    if not option.get("wrap_label"):
        return _input(option) + "\n"
    attrs = option["attrs"]
    label_for = f' for="{_text(attrs["id"])}"' if attrs.get("id") else ""
    return f"<label{label_for}>{_input(option)} {_text(option['label'])}</label>\n"


def _multiple_input(context: Mapping[str, Any]) -> str | None:
    widget = context["widget"]
    wid, css = widget["attrs"].get("id"), widget["attrs"].get("class")
    parts = ["<div", f' id="{_text(wid)}"' if wid else "", f' class="{_text(css)}"' if css else ""]
    parts.append(">")
    for group, options, _ in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            if option["template_name"] not in OPTION_INPUTS:
                return None
            # radio_option.html and checkbox_option.html add their own line end
            end = "" if option["template_name"].endswith("/input_option.html") else "\n"
            parts.append(f"<div>\n    {_input_option(option)}{end}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _select(context: Mapping[str, Any]) -> str | None:
    widget = context["widget"]
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _ in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_text(group)}">')
        for option in options:
            if option["template_name"] != SELECT_OPTION:
                return None
            parts.append(
                f'\n  <option value="{_format(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _empty_errors(context: Mapping[str, Any]) -> str | None:
    return None if context.get("errors") else ""


QUICK: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **dict.fromkeys(INPUTS, lambda context: _input(context["widget"])),
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
    WIDGETS + "radio.html": _multiple_input,
    WIDGETS + "checkbox_select.html": _multiple_input,
    WIDGETS + "multiple_input.html": _multiple_input,
    **dict.fromkeys(EMPTY_ERRORS, _empty_errors),
}


class QuickRenderer(DjangoTemplates):
    """The default renderer, with the templates in `QUICK` built in Python (None from one of
    them: a case it does not cover, which the template renders). Like `DjangoTemplates`, it
    always uses Django's own widget templates: an app cannot override them here either."""

    def render(self, template_name: str, context: Any, request: Any = None) -> str:
        quick = QUICK.get(template_name)
        html = quick(context) if quick is not None else None
        if html is None:
            return super().render(template_name, context, request)
        return html.strip()  # as Django's own render
