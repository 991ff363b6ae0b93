"""The documented format of an instrument definition: its JSON Schema, and the first problem
a file has against it, located (``items[3].options[1].value``) and said in plain English for
the clinic member who wrote the file (`unstuck.measures.definition` checks the meaning)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema is imported only when a clinic's own file is checked
    import jsonschema
    from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "instrument.schema.json"
SHOWN_CHARACTERS = 80  # of a wrong value quoted back in a message: enough to recognise it


@cache
def instrument_schema() -> dict[str, Any]:
    """The JSON Schema of a definition file (draft 2020-12), as a parsed dict."""
    text = (resources.files("unstuck.measures") / "schema" / SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    schema = instrument_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def location_of(path: Sequence[object]) -> str:
    """``["items", 3, "options"]`` -> ``"items[3].options"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_TOML_TYPES = {
    "string": "text in quotes",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list [...]",
    "object": "a table",
}


def _toml_type_of(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _schema_problem(error: ValidationError) -> tuple[str, str]:
    """Location and plain-English reason for one schema error."""
    path = list(error.absolute_path)
    kind = error.validator
    expected: Any = error.validator_value
    value: Any = error.instance
    schema: Any = error.schema
    if kind == "required" and isinstance(value, dict):
        missing = next((p for p in expected if p not in value), "?")
        return location_of([*path, missing]), "is required but missing"
    if kind == "additionalProperties" and isinstance(value, dict):
        known = sorted(schema.get("properties", {}))
        unknown = next((k for k in value if k not in known), "?")
        close = difflib.get_close_matches(str(unknown), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"the fields are: {', '.join(known)}"
        return location_of([*path, unknown]), f"is not a field here; {hint}"
    where = location_of(path)
    if kind == "type":
        wanted = " or ".join(_TOML_TYPES.get(t, t) for t in _as_list(expected))
        return where, f"must be {wanted}, not {_toml_type_of(value)} ({_shown(value)})"
    if kind == "pattern":
        return where, f"{_shown(value)} has the wrong form: {schema.get('description', '')}"
    reasons = {
        "minimum": f"is {value!r}; it must be at least {expected}",
        "maximum": f"is {value!r}; it must be at most {expected}",
        "exclusiveMinimum": f"is {value!r}; it must be above {expected}",
        "exclusiveMaximum": f"is {value!r}; it must be below {expected}",
        "minLength": "must not be empty",
        "minItems": f"needs at least {expected} entries",
        "uniqueItems": "lists the same value more than once",
    }
    return where, reasons.get(str(kind), error.message)


def _shown(value: Any) -> str:
    """The wrong value quoted back, cut short: a list of thousands of numbers was quoted in
    full, and the message drowned under it."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else f"{text[: SHOWN_CHARACTERS - 3]}..."


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _document_order(error: ValidationError) -> tuple[object, ...]:
    # Report the problem a reader meets first (keys and indexes never share a level). At one
    # place, an unknown field comes before a missing one: "licence" is a misspelt "license".
    path = tuple((0, p) if isinstance(p, int) else (1, p) for p in error.absolute_path)
    return (path, error.validator != "additionalProperties")


def schema_problem(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """Where and what the first problem against the schema is (in the order a reader meets
    the fields), or None if the definition has the documented shape."""
    errors = sorted(_validator().iter_errors(dict(data)), key=_document_order)
    return _schema_problem(errors[0]) if errors else None
