"""Check one parsed instrument definition and build the `Instrument` it describes.

A definition is checked twice before anything uses it. First against the JSON Schema in
``schema/instrument.schema.json``, which is the documented format (shape, types, required
fields; `unstuck.measures.definition_schema`). Then for meaning, which a schema cannot
express: items numbered 1..k in order, answer values unique per item, bands that tile the
score range without gaps or overlaps, a range that matches the items, safety items that
exist, sane change numbers. A definition that fails is rejected whole, with the file name, a
JSON-path-like location (``items[3].options[1].value``; list positions count from 0, as in
JSON) and a reason in plain English, so that the clinic member who wrote the file can fix it
without reading code.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from unstuck.errors import InvalidDefinition
from unstuck.measures import limits
from unstuck.measures.definition_schema import location_of, schema_problem
from unstuck.measures.model import (
    AnswerOption,
    Band,
    ChangeSpec,
    Instrument,
    Item,
    MissingRule,
    Norm,
)
from unstuck.measures.translations import parse_translations


def parse_definition(data: Mapping[str, Any], source: str, *, built_in: bool = False) -> Instrument:
    """Check a parsed definition (e.g. from ``tomllib``) and build its `Instrument`.

    Parameters
    ----------
    data
        The definition as plain data (dicts, lists, strings, numbers).
    source
        What to call it in error messages, normally the file name.
    built_in
        A definition shipped with Unstuck: the test suite checks it against the schema, so
        it skips that check here (which saves every start the time to load a JSON Schema
        validator); the checks for meaning still run.

    Raises
    ------
    InvalidDefinition
        For the first problem found, located in the file.
    """
    problem = None if built_in else schema_problem(data)
    if problem is not None:
        raise InvalidDefinition(source, *problem)
    return _Checker(data, source).build()


class _Checker:
    """The checks for meaning, in the order a reader meets the fields."""

    def __init__(self, data: Mapping[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, location: str, reason: str) -> InvalidDefinition:
        return InvalidDefinition(self.source, location, reason)

    def build(self) -> Instrument:
        d = self.data
        _check_finite(d, [], self.fail)
        items = self.items(self.safety_items())
        low, high = self.score_range(items)
        bands = self.bands(low, high)
        instrument = Instrument(
            id=d["id"],
            name=d["name"],
            description=d["description"],
            higher_is_better=d["higher_is_better"],
            items=items,
            score_min=low,
            score_max=high,
            bands=bands,
            missing=self.missing(items),
            change=self.change(low, high),
            license=d["license"],
            citations=tuple(d.get("citations", ())),
            version=d.get("version", "1"),
            stem=d.get("stem", ""),
        )
        translations = parse_translations(d, instrument, self.fail)
        return (
            dataclasses.replace(instrument, translations=translations)
            if translations
            else instrument
        )

    def options(self, raw: list[dict[str, Any]], where: str) -> tuple[AnswerOption, ...]:
        seen: dict[int, int] = {}
        for j, option in enumerate(raw):
            value = option["value"]
            if value in seen:
                raise self.fail(
                    f"{where}[{j}].value",
                    f"answer value {value} is used twice (also at {where}[{seen[value]}]); "
                    "each answer of an item needs its own value",
                )
            seen[value] = j
        return tuple(AnswerOption(o["value"], o["label"]) for o in raw)

    def items(self, safety: set[int]) -> tuple[Item, ...]:
        d = self.data
        raw_items: list[dict[str, Any]] = d.get("items", [])
        shared = self.options(d["options"], "options") if "options" in d else None
        if shared is not None and not raw_items:
            raise self.fail("options", "answer options are given but there are no items")
        items: list[Item] = []
        for i, raw in enumerate(raw_items):
            where = f"items[{i}]"
            if raw["number"] != i + 1:
                raise self.fail(
                    f"{where}.number",
                    f"is {raw['number']}, but items must be numbered 1, 2, 3, ... in the "
                    f"order they appear, so this one should be {i + 1}",
                )
            if "options" in raw:
                options = self.options(raw["options"], f"{where}.options")
            elif shared is not None:
                options = shared
            else:
                raise self.fail(
                    f"{where}.options", "this item has no answer options and none are shared"
                )
            item = Item(i + 1, f"{d['id']}-{i + 1}", raw["text"], options, i + 1 in safety)
            # The alert rule is "answered above 0", so 0 must exist and mean "no risk".
            if item.safety and item.min_value != 0:
                raise self.fail(
                    f"{where}.options",
                    f"item {item.number} is a safety item, so its lowest answer must be 0 "
                    "(no risk); any answer above 0 raises a safety alert",
                )
            items.append(item)
        return tuple(items)

    def score_range(self, items: tuple[Item, ...]) -> tuple[float, float]:
        d = self.data
        if items:
            low = float(sum(it.min_value for it in items))
            high = float(sum(it.max_value for it in items))
            for key, expected, what in (
                ("score_min", low, "lowest answers"),
                ("score_max", high, "highest answers"),
            ):
                if key in d and float(d[key]) != expected:
                    raise self.fail(
                        key,
                        f"is {d[key]:g}, but the items' {what} add up to {expected:g}",
                    )
            for total in (low, high):
                problem = limits.total_problem(total)
                if problem is not None:
                    raise self.fail(
                        "items", f"give totals of {low:g} to {high:g}, and {total:g} {problem}"
                    )
            return low, high
        for key in ("score_min", "score_max"):
            if key not in d:
                raise self.fail(key, "is required for a score-only instrument (one without items)")
            problem = limits.total_problem(d[key])
            if problem is not None:
                raise self.fail(key, f"is {d[key]:g}, which {problem}")
        low, high = float(d["score_min"]), float(d["score_max"])
        if not low < high:
            raise self.fail("score_max", f"is {high:g}; it must be above score_min ({low:g})")
        return low, high

    def bands(self, low: float, high: float) -> tuple[Band, ...]:
        """Bands must tile [low, high] exactly: totals are whole numbers, so each band starts
        one above where the previous one ends (0-4, 5-9, ...), with no gap and no overlap."""
        raw: list[dict[str, Any]] = self.data.get("bands", [])
        bands = tuple(Band(b["name"], float(b["low"]), float(b["high"])) for b in raw)
        names: dict[str, int] = {}
        for i, band in enumerate(bands):
            if band.name in names:
                raise self.fail(
                    f"bands[{i}].name",
                    f"{band.name!r} is already used by bands[{names[band.name]}]",
                )
            names[band.name] = i
            if band.low > band.high:
                raise self.fail(
                    f"bands[{i}].high", f"is {band.high:g}, below this band's low {band.low:g}"
                )
            if i == 0:
                if band.low != low:
                    raise self.fail(
                        "bands[0].low",
                        f"is {band.low:g}, but the lowest possible total is {low:g}; the "
                        "bands must cover every total",
                    )
                continue
            before = bands[i - 1].high
            if band.low <= before:
                raise self.fail(
                    f"bands[{i}].low",
                    f"is {band.low:g}, which overlaps bands[{i - 1}] (up to {before:g}); "
                    f"it should be {before + 1:g}",
                )
            if band.low > before + 1:
                raise self.fail(
                    f"bands[{i}].low",
                    f"is {band.low:g}, which leaves a gap after bands[{i - 1}] (up to "
                    f"{before:g}); it should be {before + 1:g}",
                )
        if bands and bands[-1].high != high:
            raise self.fail(
                f"bands[{len(bands) - 1}].high",
                f"is {bands[-1].high:g}, but the highest possible total is {high:g}; the "
                "bands must cover every total",
            )
        return bands

    def safety_items(self) -> set[int]:
        listed: list[int] = self.data.get("safety_items", [])
        k = len(self.data.get("items", []))
        if listed and not k:
            raise self.fail("safety_items", "a score-only instrument has no items to list")
        for j, number in enumerate(listed):
            if not 1 <= number <= k:
                raise self.fail(
                    f"safety_items[{j}]",
                    f"names item {number}, but the items are numbered 1 to {k}",
                )
        return set(listed)

    def missing(self, items: tuple[Item, ...]) -> MissingRule | None:
        raw = self.data.get("missing")
        if raw is None:
            return None
        if not items:
            raise self.fail("missing", "a score-only instrument has no items that could be missing")
        if raw["max_missing"] >= len(items):
            raise self.fail(
                "missing.max_missing",
                f"is {raw['max_missing']}; it must be below the number of items "
                f"({len(items)}), so that some answers remain to score",
            )
        if raw["max_missing"] > 0:
            # Proration stands the mean of the answered items in for the blank ones, which is
            # only fair (and only stays inside score_min..score_max) on a common scale.
            first = items[0]
            for i, item in enumerate(items[1:], start=1):
                if (item.min_value, item.max_value) != (first.min_value, first.max_value):
                    raise self.fail(
                        f"items[{i}].options",
                        f"run from {item.min_value} to {item.max_value}, but item 1's run from "
                        f"{first.min_value} to {first.max_value}; prorating blank items "
                        "(missing.max_missing above 0) needs every item on the same range",
                    )
        return MissingRule(raw["max_missing"], raw["source"])

    def change(self, low: float, high: float) -> ChangeSpec:
        raw = self.data.get("change")
        if raw is None:
            return ChangeSpec()
        if ("reliability" in raw) != ("sd" in raw):
            raise self.fail(
                "change",
                "give reliability and sd together (Jacobson & Truax, 1991), or "
                "reliable_change_points",
            )
        if ("clinical_norm" in raw) != ("functional_norm" in raw):
            raise self.fail("change", "give clinical_norm and functional_norm together")
        if not {"reliable_change_points", "reliability", "caseness_cutoff", "clinical_norm"} & set(
            raw
        ):
            raise self.fail(
                "change",
                "gives no numbers: add reliable_change_points or reliability and sd, and/or "
                "caseness_cutoff or clinical_norm and functional_norm",
            )
        self.check_spreads(raw)
        points = raw.get("reliable_change_points")
        if points is not None and points > high - low:
            raise self.fail(
                "change.reliable_change_points",
                f"is {points:g}, more than the whole range of totals ({low:g} to {high:g})",
            )
        cutoff = raw.get("caseness_cutoff")
        if cutoff is not None and not low <= cutoff <= high:
            raise self.fail(
                "change.caseness_cutoff",
                f"is {cutoff:g}, outside the range of totals ({low:g} to {high:g})",
            )
        clinical = functional = None
        if "clinical_norm" in raw:
            clinical = Norm(raw["clinical_norm"]["mean"], raw["clinical_norm"]["sd"])
            functional = Norm(raw["functional_norm"]["mean"], raw["functional_norm"]["sd"])
            for key, norm in (("clinical_norm", clinical), ("functional_norm", functional)):
                if not low <= norm.mean <= high:
                    raise self.fail(
                        f"change.{key}.mean",
                        f"is {norm.mean:g}, outside the range of totals ({low:g} to {high:g})",
                    )
            if functional.mean == clinical.mean:
                raise self.fail(
                    "change.functional_norm.mean",
                    f"is {functional.mean:g}, the same as the clinical mean; no cutoff can "
                    "separate two populations with one mean",
                )
            better = functional.mean > clinical.mean
            if better != self.data["higher_is_better"]:
                side = "above" if self.data["higher_is_better"] else "below"
                raise self.fail(
                    "change.functional_norm.mean",
                    f"is {functional.mean:g}; with higher_is_better = "
                    f"{str(self.data['higher_is_better']).lower()} it should be {side} the "
                    f"clinical mean ({clinical.mean:g})",
                )
        return ChangeSpec(
            reliable_change_points=_number(points),
            reliability=_number(raw.get("reliability")),
            sd=_number(raw.get("sd")),
            caseness_cutoff=_number(cutoff),
            clinical_norm=clinical,
            functional_norm=functional,
            source=raw["source"],
        )

    def check_spreads(self, raw: Mapping[str, Any]) -> None:
        """SDs, point thresholds and the reliability within `unstuck.measures.limits`."""
        spreads = [(key, raw.get(key)) for key in ("reliable_change_points", "sd")]
        spreads += [(f"{key}.sd", raw[key]["sd"]) for key in NORMS if key in raw]
        for key, value in spreads:
            problem = None if value is None else limits.spread_problem(value)
            if problem is not None:
                raise self.fail(f"change.{key}", f"is {value:g}, which {problem}")
        if "reliability" in raw:
            problem = limits.reliability_problem(raw["reliability"])
            if problem is not None:
                problem = f"is {raw['reliability']:g}, which {problem}"
            else:
                problem = limits.measurement_error_problem(raw["sd"], raw["reliability"])
            if problem is not None:
                raise self.fail("change.reliability", problem)


NORMS = ("clinical_norm", "functional_norm")


def _number(value: int | float | None) -> float | None:
    return None if value is None else float(value)


def _check_finite(value: object, path: list[int | str], fail: Any) -> None:
    """TOML can spell ``inf`` and ``nan``; no number in a definition may be either."""
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(location_of(path), f"is {value}; it must be an ordinary finite number")
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _check_finite(inner, [*path, key], fail)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _check_finite(inner, [*path, i], fail)
