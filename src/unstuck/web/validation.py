"""What typed text and ids may hold, checked the same way on SQLite and PostgreSQL.

PostgreSQL refuses a NUL byte in text and SQLite stores anything, so a value is checked here,
before either sees it: a refusal is a form error or a 404, never a 500, and never different
between the two databases.

- Single-line text (client codes, names, titles) holds no control character: a line break
  in a client code breaks every PDF of that client. Unicode's control (Cc), format (Cf, such
  as a right-to-left override that would show a code backwards) and line/paragraph
  separator (Zl, Zp) categories are refused, with two exceptions: the zero-width joiner and
  non-joiner, which some scripts (Persian, the Indic scripts) and emoji need.
- Invisible characters that text pasted from email or a word processor often carries and
  that mean nothing on screen (a soft hyphen, a zero-width space, a word joiner, a byte-order
  mark) are dropped from every form's text before it is checked: a therapist could not find
  them to delete them.
- Multi-line text (notes) may hold line breaks and tabs, and nothing else of those.
- Ids typed into a URL are ASCII digits that fit the database's 64-bit keys: int() would
  read "²" as an error and "٣" as 3.
- Search text has its control characters dropped (no code or name holds one).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner: part of the text
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # dropped: see above
LINE_BREAKS = frozenset("\n\r\t")
MAX_ID_DIGITS = 18  # below 2**63, the largest key either database stores
MAX_SEARCH = 100  # characters of a search kept: codes and names are shorter

SINGLE_LINE = (
    "This holds a line break or another control character ({what}, character {at}); type "
    "it on one line with letters, digits, spaces and marks."
)
MULTI_LINE = (
    "This holds a character that is not text ({what}, character {at}); retype it or paste "
    "it as plain text."
)


def without_invisible(text: str) -> str:
    """`text` without the invisible characters pasted text carries (`INVISIBLE`)."""
    return text.translate(INVISIBLE)


def _what(char: str) -> str:
    """A refused character as a person can find it: 'a line break', or its Unicode name."""
    if char in "\n\r":
        return "a line break"
    if char == "\t":
        return "a tab"
    name = unicodedata.name(char, "").lower()
    return f"U+{ord(char):04X}{' ' + name if name else ''}"


def control_character_at(text: str, *, line_breaks: bool = False) -> int | None:
    """The 1-based position of the first refused character in `text`, or None."""
    for at, char in enumerate(text, start=1):
        if (line_breaks and char in LINE_BREAKS) or char in JOINERS:
            continue
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return at
    return None


def single_line(value: str) -> None:
    """A Django validator: `value` is one line of printable text."""
    at = control_character_at(value)
    if at is not None:
        what = _what(value[at - 1])
        raise ValidationError(SINGLE_LINE.format(at=at, what=what), code="control_character")


def multi_line(value: str) -> None:
    """A Django validator: `value` is text, line breaks and tabs allowed."""
    at = control_character_at(value, line_breaks=True)
    if at is not None:
        what = _what(value[at - 1])
        raise ValidationError(MULTI_LINE.format(at=at, what=what), code="control_character")


class CheckedText(forms.Form):
    """A form whose text fields refuse control characters: one-line fields (text inputs)
    any, text areas all but line breaks and tabs. Put it first among a form's bases."""

    def full_clean(self) -> None:
        # Here rather than in __init__, so that fields a form adds in its own __init__
        # (after this class's) are checked too; `self.fields` is this form's own copy.
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                check = multi_line if isinstance(field.widget, forms.Textarea) else single_line
                if check not in field.validators:
                    field.validators.append(check)
                    field.to_python = _dropping_invisible(field.to_python)  # type: ignore[method-assign,assignment]
            if field.error_messages.get("required") == DJANGO_REQUIRED:
                field.error_messages["required"] = required_message(name, field)
        super().full_clean()


def _dropping_invisible(to_python: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        text = to_python(value)
        return without_invisible(text) if isinstance(text, str) else text

    return read


DJANGO_REQUIRED = forms.Field.default_error_messages["required"]


def required_message(name: str, field: forms.Field) -> str:
    """What an empty required field needs, naming it: the error list at the top of a page
    said only 'This field is required.', which does not say which of ten fields."""
    label = str(field.label or name.replace("_", " ").capitalize()).rstrip(":")
    if isinstance(field, forms.MultipleChoiceField):
        return f"Tick at least one choice under “{label}”."
    if isinstance(field, forms.ChoiceField):
        return f"Choose an answer for “{label}”."
    if isinstance(field, forms.BooleanField):
        return f"Tick “{label}” to go on."
    if isinstance(field, forms.DateField):
        # A date picker shows the date in the browser's own format: name none for it.
        widget = field.widget
        typed = widget.attrs.get("type", getattr(widget, "input_type", "text")) != "date"
        return f"Give a date for “{label}”{' (YYYY-MM-DD)' * typed}."
    return f"Fill in “{label}”."


def field_problem(model: type[Model], field: str, value: str) -> str | None:
    """Why `value` cannot be stored in `model`'s one-line text `field` (too long for it, or
    holding a control character), or None: for services, whose callers may not be forms."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if limit is not None and len(value) > limit:
        return f"{field} is {len(value)} characters long; at most {limit} fit"
    at = control_character_at(value)
    if at is not None:
        return f"{field} holds a line break or another control character (character {at})"
    return None


def parse_id(text: str | None) -> int | None:
    """An id typed into a URL, or None when it is not one (not ASCII digits, or too long)."""
    if not text or len(text) > MAX_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def search_text(text: str) -> str:
    """What to search for: without control characters or surrounding spaces, and short."""
    kept = "".join(c for c in text if unicodedata.category(c) not in REFUSED_CATEGORIES)
    return kept.strip()[:MAX_SEARCH]
