"""Load instrument definitions (TOML files) and check them before anything uses them.

A definition is checked twice: against the JSON Schema in ``schema/instrument.schema.json``
(shape and types, with the location of any error), then for meaning (bands without gaps,
totals that match the items, safety items that exist). A file that fails is never half-used.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from unstuck.errors import InvalidDefinition, InvalidValue, UnknownInstrument
from unstuck.measures.model import (
    AnswerOption,
    Band,
    ChangeSpec,
    Instrument,
    Item,
    MissingRule,
    Norm,
)

_PACKAGE = resources.files("unstuck.measures")


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((_PACKAGE / "schema" / "instrument.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _location(path: Sequence[object]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_definition(data: Mapping[str, Any], source: str) -> Instrument:
    """Check a parsed definition and build the `Instrument` (raises `InvalidDefinition`)."""
    errors = sorted(_validator().iter_errors(dict(data)), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        raise InvalidDefinition(source, _location(list(e.absolute_path)), e.message)

    def fail(location: str, reason: str) -> InvalidDefinition:
        return InvalidDefinition(source, location, reason)

    shared = data.get("options")
    items: list[Item] = []
    for i, raw in enumerate(data.get("items", [])):
        options = raw.get("options", shared)
        where = f"items[{i}]"
        if options is None:
            raise fail(f"{where}.options", "no answer options (give `options` here or shared)")
        values = [o["value"] for o in options]
        if len(set(values)) != len(values):
            raise fail(f"{where}.options", f"answer values repeat: {values}")
        items.append(
            Item(
                number=i + 1,
                link_id=f"{data['id']}-{i + 1}",
                text=raw["text"],
                options=tuple(AnswerOption(o["value"], o["label"]) for o in options),
                safety=bool(raw.get("safety", False)),
            )
        )
    if items:
        low = float(sum(it.min_value for it in items))
        high = float(sum(it.max_value for it in items))
        for key, expected in (("score_min", low), ("score_max", high)):
            if key in data and float(data[key]) != expected:
                raise fail(key, f"{data[key]} does not match the items, which give {expected:g}")
        if any(it.safety and it.min_value != 0 for it in items):
            raise fail("items", "a safety item needs an answer 0 meaning 'no risk'")
    else:
        if "score_min" not in data or "score_max" not in data:
            raise fail("items", "give items, or score_min and score_max for a score-only scale")
        low, high = float(data["score_min"]), float(data["score_max"])
        if low >= high:
            raise fail("score_max", f"must be above score_min ({low:g})")

    bands = tuple(Band(b["name"], float(b["low"]), float(b["high"])) for b in data.get("bands", []))
    _check_bands(bands, low, high, fail)

    missing = None
    if "missing" in data:
        m = data["missing"]
        if items and m["max_missing"] >= len(items):
            raise fail("missing.max_missing", f"must be below the number of items ({len(items)})")
        missing = MissingRule(m["max_missing"], m["source"])

    change = ChangeSpec()
    if "change" in data:
        c = data["change"]
        has_points = "reliable_change_points" in c
        has_jt = "reliability" in c and "sd" in c
        if not has_points and not has_jt and ("reliability" in c or "sd" in c):
            raise fail("change", "give both reliability and sd, or reliable_change_points")
        norms = [k for k in ("clinical_norm", "functional_norm") if k in c]
        if len(norms) == 1:
            raise fail("change", "give both clinical_norm and functional_norm, or neither")
        change = ChangeSpec(
            reliable_change_points=c.get("reliable_change_points"),
            reliability=c.get("reliability"),
            sd=c.get("sd"),
            caseness_cutoff=c.get("caseness_cutoff"),
            clinical_norm=Norm(**c["clinical_norm"]) if "clinical_norm" in c else None,
            functional_norm=Norm(**c["functional_norm"]) if "functional_norm" in c else None,
            source=c["source"],
        )
    return Instrument(
        id=data["id"],
        name=data["name"],
        description=data["description"],
        higher_is_better=data["higher_is_better"],
        items=tuple(items),
        score_min=low,
        score_max=high,
        bands=bands,
        missing=missing,
        change=change,
        license=data["license"],
        citations=tuple(data.get("citations", ())),
        version=data.get("version", "1"),
        stem=data.get("stem", ""),
    )


def _check_bands(bands: tuple[Band, ...], low: float, high: float, fail: Any) -> None:
    if not bands:
        return
    if bands[0].low != low:
        raise fail("bands[0].low", f"is {bands[0].low:g}; the lowest total is {low:g}")
    if bands[-1].high != high:
        raise fail(f"bands[{len(bands) - 1}].high", f"is {bands[-1].high:g}; the top is {high:g}")
    for i, band in enumerate(bands):
        if band.low > band.high:
            raise fail(f"bands[{i}]", f"low {band.low:g} is above high {band.high:g}")
        if i:
            prev = bands[i - 1]
            if band.low <= prev.high:
                raise fail(f"bands[{i}].low", f"{band.low:g} overlaps the band before it")
            # Totals are whole numbers when items are, so 4 then 5 is contiguous.
            if band.low - prev.high > 1:
                raise fail(f"bands[{i}].low", f"gap between {prev.high:g} and {band.low:g}")


def load_definition(path: str | Path) -> Instrument:
    """Read, check and build one definition file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidDefinition(path.name, "", f"cannot be read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidDefinition(path.name, "", f"is not valid TOML ({exc})") from exc
    return parse_definition(data, path.name)


@cache
def builtin_instruments() -> dict[str, Instrument]:
    """The instruments shipped with Unstuck (PHQ-9, GAD-7, session feedback)."""
    out: dict[str, Instrument] = {}
    for entry in sorted((_PACKAGE / "definitions").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            instrument = parse_definition(data, entry.name)
            out[instrument.id] = instrument
    return out


class InstrumentSet(Mapping[str, Instrument]):
    """An immutable set of instruments, looked up by id (case-insensitive)."""

    def __init__(self, instruments: Mapping[str, Instrument]) -> None:
        self._by_id = dict(instruments)

    def __getitem__(self, key: str) -> Instrument:
        return self._by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def get_instrument(self, name: str, row: int | None = None) -> Instrument:
        key = name.strip().lower()
        if key not in self._by_id:
            raise UnknownInstrument(name, tuple(sorted(self._by_id)), row)
        return self._by_id[key]

    def with_instrument(self, instrument: Instrument, source: str = "") -> InstrumentSet:
        if instrument.id in self._by_id:
            raise InvalidDefinition(
                source or instrument.id, "id", f"{instrument.id!r} is already defined"
            )
        return InstrumentSet({**self._by_id, instrument.id: instrument})


def load_instruments(extra_dirs: Sequence[str | Path] = ()) -> InstrumentSet:
    """The built-in instruments plus every ``*.toml`` in the clinic's own folders."""
    result = InstrumentSet(builtin_instruments())
    for folder in extra_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise InvalidDefinition(str(folder), "", "is not a folder of instrument definitions")
        for path in sorted(folder.glob("*.toml")):
            result = result.with_instrument(load_definition(path), path.name)
    return result


def score_only_instrument(
    id: str,
    *,
    reliability: float,
    sd: float,
    cutoff: float | None,
    higher_is_better: bool,
) -> Instrument:
    """An instrument known only by its totals, described on the command line."""
    if not 0 < reliability < 1:
        raise InvalidValue("--reliability", reliability, "must be between 0 and 1")
    if not (sd > 0 and math.isfinite(sd)):
        raise InvalidValue("--sd", sd, "must be a positive number")
    if cutoff is not None and not math.isfinite(cutoff):
        raise InvalidValue("--cutoff", cutoff, "must be a number")
    if not id or not id.replace("_", "").isalnum():
        raise InvalidValue("--instrument", id, "use letters, digits and _ only")
    return Instrument(
        id=id,
        name=id.upper(),
        description="Score-only instrument given on the command line.",
        higher_is_better=higher_is_better,
        items=(),
        score_min=None,
        score_max=None,
        change=ChangeSpec(
            reliability=reliability,
            sd=sd,
            caseness_cutoff=cutoff,
            source="given on the command line",
        ),
        license="",
    )
