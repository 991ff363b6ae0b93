"""Item text in other languages: a clinic adds the official translation it holds to an
instrument's definition file, and the client picks the language they answer in.

In the definition (TOML), one table per language, keyed by its language tag (BCP 47: ``es``,
``pt-br``, ``cy``)::

    [translations.es]
    language_name = "Español"        # how the language names itself, shown to the client
    source = "Official Spanish translation, from ..."   # where the translation comes from
    name = "..."                     # optional: the instrument's name
    stem = "..."                     # when the instrument has a stem
    items = ["...", "..."]           # every item's text, in order
    options = ["...", "..."]         # the shared answer labels, in order
    [translations.es.item_options]   # items with answer options of their own
    "2" = ["...", "..."]

A translation changes only words: numbers, values, scoring, bands and safety items stay those
of the definition, so answers in any language are scored alike. Every text must be given, so
a client never meets a half-translated form.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from unstuck.errors import InvalidDefinition
from unstuck.measures.model import Instrument, Translation

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def parse_translations(
    data: Mapping[str, Any], instrument: Instrument, fail: Callable[[str, str], InvalidDefinition]
) -> tuple[Translation, ...]:
    """Check each translation against the instrument it translates (the schema checked the
    shape already); the first problem is raised, located in the file."""
    out = []
    shared, own = _shared_options(data), _own_options(data)
    for tag, raw in sorted(data.get("translations", {}).items()):
        where = f"translations.{tag}"
        if not LANGUAGE_TAG.match(tag):
            raise fail(where, f"{tag!r} is not a language tag such as es, fr or pt-br")
        if instrument.stem and not raw.get("stem"):
            raise fail(f"{where}.stem", "the instrument has a stem, so its translation needs one")
        items = raw["items"]
        if len(items) != len(instrument.items):
            raise fail(
                f"{where}.items",
                f"has {len(items)} texts, but the instrument has {len(instrument.items)} items; "
                "give every item's text, in order",
            )
        options = tuple(raw.get("options", ()))
        if shared and len(options) != shared:
            raise fail(
                f"{where}.options",
                f"has {len(options)} labels, but the shared answer options are {shared}; give "
                "every label, in order",
            )
        given = raw.get("item_options", {})
        for number, count in own.items():
            labels = given.get(str(number))
            if labels is None or len(labels) != count:
                raise fail(
                    f"{where}.item_options",
                    f"item {number} has {count} answer options of its own; give its {count} "
                    f'labels in order as "{number}" = [...]',
                )
        for key in given:
            if not key.isdigit() or int(key) not in own:
                raise fail(
                    f"{where}.item_options.{key}",
                    "is not the number of an item with answer options of its own",
                )
        out.append(
            Translation(
                language=tag,
                language_name=raw["language_name"],
                source=raw["source"],
                name=raw.get("name", ""),
                stem=raw.get("stem", ""),
                items=tuple(items),
                options=options,
                item_options=tuple((n, tuple(given[str(n)])) for n in sorted(own)),
            )
        )
    return tuple(out)


def in_language(instrument: Instrument, language: str) -> Instrument:
    """The instrument with its words in `language` (its own when it has no such translation);
    values, scoring and safety items unchanged."""
    found = next((t for t in instrument.translations if t.language == language), None)
    if found is None:
        return instrument
    own = dict(found.item_options)
    items = []
    for item, text in zip(instrument.items, found.items, strict=True):
        labels = own.get(item.number, found.options)
        options = tuple(
            dataclasses.replace(o, label=label)
            for o, label in zip(item.options, labels, strict=True)
        )
        items.append(dataclasses.replace(item, text=text, options=options))
    return dataclasses.replace(
        instrument,
        name=found.name or instrument.name,
        stem=found.stem or instrument.stem,
        items=tuple(items),
    )


def _shared_options(data: Mapping[str, Any]) -> int:
    return len(data.get("options", ()))


def _own_options(data: Mapping[str, Any]) -> dict[int, int]:
    return {
        i + 1: len(raw["options"])
        for i, raw in enumerate(data.get("items", ()))
        if "options" in raw
    }
