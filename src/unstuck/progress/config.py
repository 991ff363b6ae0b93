"""Detection settings as data: thresholds and expected-course parameters, with their sources.

Defaults ship as ``thresholds.toml`` and ``course_defaults.toml`` beside this module; a clinic
may pass its own files. Every number the signals use comes from here, never from a literal in
the signal code.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from unstuck.errors import InvalidDefinition
from unstuck.measures.loader import read_toml
from unstuck.measures.model import Instrument
from unstuck.progress.course import CourseModel


@dataclass(frozen=True)
class NotOnTrackRule:
    probability: float
    drifting_probability: float
    source: str


@dataclass(frozen=True)
class PlateauRule:
    min_sessions: int  # also the number of latest scores the trend is read over
    window: int
    improving_share: float  # of a reliable change: a trend at least this good is progress
    level_confidence: float  # z: the window's mean beyond the cutoff by z standard errors
    source: str


@dataclass(frozen=True)
class EarlyResponseRule:
    from_session: int
    to_session: int
    source: str


@dataclass(frozen=True)
class SlowResponseRule:
    from_session: int
    recent: int  # the latest scores after the first that are averaged
    source: str


@dataclass(frozen=True)
class WithdrawalRule:
    window: int
    missed: int
    missed_or_late: int
    gap_factor: float
    min_gap_days: int
    feedback_fall: float
    source: str
    markers: int = 3


@dataclass(frozen=True)
class RuptureRule:
    instrument: str
    drop: float
    floor: float
    source: str


@dataclass(frozen=True)
class LastSeenRule:
    days: int  # a last session longer ago than this is marked on the caseload
    source: str


@dataclass(frozen=True)
class Thresholds:
    not_on_track: NotOnTrackRule
    plateau: PlateauRule
    withdrawal_risk: WithdrawalRule
    alliance_rupture: RuptureRule
    safety_source: str
    early_response: EarlyResponseRule
    slow_response: SlowResponseRule
    last_seen: LastSeenRule


def _read(path: Path | None, default: str) -> tuple[dict[str, Any], str]:
    if path is None:
        text = (resources.files("unstuck.progress") / default).read_text("utf-8")
        return tomllib.loads(text), default
    return read_toml(path, str(path)), Path(path).name


def _build(
    cls: type,
    table: Mapping[str, Any],
    source: str,
    where: str,
    shipped: Mapping[str, Any] | None = None,
) -> Any:
    """`cls(**table)`, each key known and each value of its field's kind (a misspelt key, a
    number given as text or ``nan`` named in words, not as Python's own message, nor taken in
    silence: ``residual_sd = nan`` turned the not-on-track rule off). A key missing from a
    clinic's copy is named with the value `shipped` (the same table of the shipped file) has:
    a copy made before a version added it is refused, with what to add."""
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(table) - set(names))
    if unknown:
        known = ", ".join(names)
        raise InvalidDefinition(source, where, f"unknown key {unknown[0]!r} (the keys: {known})")
    required = dataclasses.MISSING
    missing = [
        f.name for f in dataclasses.fields(cls) if f.name not in table and f.default is required
    ]
    if missing:
        ships = shipped or {}
        found = [f"{name} = {ships[name]!r}" for name in missing if name in ships]
        hint = (
            f" (the shipped file has {', '.join(found)}: read its comment there, then add it)"
            if found
            else ""
        )
        raise InvalidDefinition(source, where, f"missing key(s): {', '.join(missing)}{hint}")
    hints = typing.get_type_hints(cls)
    for name, value in table.items():
        problem = _kind_problem(hints[name], value)
        if problem:
            raise InvalidDefinition(source, f"{where}.{name}", f"{value!r} {problem}")
    return cls(**table)


def _kind_problem(hint: Any, value: object) -> str:
    allowed = typing.get_args(hint) or (hint,)  # `float | None` -> (float, NoneType)
    if bool in allowed:
        return "" if isinstance(value, bool) else "must be true or false"
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if float in allowed and numeric:
        return "" if math.isfinite(float(value)) else "must be a finite number"  # type: ignore[arg-type]
    if int in allowed and isinstance(value, int) and not isinstance(value, bool):
        return ""
    if str in allowed and isinstance(value, str):
        return ""
    return "must be " + (
        "a whole number" if int in allowed else "a number" if float in allowed else "text"
    )


def load_thresholds(path: Path | None = None) -> Thresholds:
    data, source = _read(path, "thresholds.toml")
    shipped = data if path is None else _read(None, "thresholds.toml")[0]

    def build(cls: type, name: str) -> Any:
        return _build(cls, data[name], source, name, shipped.get(name))

    try:
        t = Thresholds(
            not_on_track=build(NotOnTrackRule, "not_on_track"),
            plateau=build(PlateauRule, "plateau"),
            withdrawal_risk=build(WithdrawalRule, "withdrawal_risk"),
            alliance_rupture=build(RuptureRule, "alliance_rupture"),
            safety_source=data["safety"]["source"],
            early_response=build(EarlyResponseRule, "early_response"),
            slow_response=build(SlowResponseRule, "slow_response"),
            last_seen=_build(LastSeenRule, *_last_seen_table(data, source, shipped), "last_seen"),
        )
    except KeyError as exc:
        raise InvalidDefinition(source, str(exc), "missing table") from exc
    p = t.not_on_track
    if not 0.5 < p.drifting_probability < p.probability < 1:
        raise InvalidDefinition(
            source, "not_on_track", "need 0.5 < drifting_probability < probability < 1"
        )
    if t.plateau.window < 2 or t.plateau.min_sessions < t.plateau.window:
        raise InvalidDefinition(source, "plateau", "need 2 <= window <= min_sessions")
    e = t.early_response
    if not 2 <= e.from_session <= e.to_session:
        raise InvalidDefinition(source, "early_response", "need 2 <= from_session <= to_session")
    s = t.slow_response
    if not (s.from_session > e.to_session and s.recent >= 1):
        raise InvalidDefinition(
            source,
            "slow_response",
            "need from_session > early_response.to_session and recent >= 1",
        )
    if not t.plateau.improving_share > 0:
        raise InvalidDefinition(source, "plateau", "need improving_share > 0")
    if not t.plateau.level_confidence >= 0:
        raise InvalidDefinition(source, "plateau", "need level_confidence >= 0")
    if t.last_seen.days < 1:
        raise InvalidDefinition(source, "last_seen", "need days >= 1")
    return t


def _last_seen_table(
    data: Mapping[str, Any], source: str, shipped: Mapping[str, Any]
) -> tuple[Mapping[str, Any], str]:
    """The file's `[last_seen]`, or the `shipped` one for a clinic's copy made before it
    existed (the caseload's cue is not a detection rule, so an older copy keeps working)."""
    if "last_seen" in data:
        return data["last_seen"], source
    return shipped["last_seen"], "thresholds.toml"


@cache
def default_thresholds() -> Thresholds:
    return load_thresholds()


def load_course_models(
    path: Path | None = None, higher_is_better: Mapping[str, bool] | None = None
) -> dict[str, CourseModel]:
    """Expected-course parameters per instrument id (defaults, or a file from `unstuck fit`)."""
    data, source = _read(path, "course_defaults.toml")
    models = {}
    for instrument, table in data.items():
        if instrument.startswith("_"):  # not an instrument (e.g. the any-scale default)
            continue
        fields = {k: v for k, v in table.items() if k != "instrument"}
        fields.setdefault("higher_is_better", (higher_is_better or {}).get(instrument, False))
        model = _build(CourseModel, {"instrument": instrument, **fields}, source, instrument)
        if not (model.residual_sd > 0 and model.slope_sd >= 0):
            raise InvalidDefinition(source, instrument, "need residual_sd > 0 and slope_sd >= 0")
        models[instrument] = model
    return models


@cache
def default_course_models() -> dict[str, CourseModel]:
    return load_course_models()


def clinic_course_models(
    path: Path, higher_is_better: Mapping[str, bool] | None = None
) -> dict[str, CourseModel]:
    """The shipped expected courses, replaced instrument by instrument by a clinic's file
    from `unstuck fit` (an instrument it could not fit keeps its shipped course).

    `higher_is_better` names every installed instrument: a table for any other (``[phq_9]``)
    is refused, where it was ignored and the shipped course used in silence.
    """
    own = load_course_models(path, higher_is_better)
    unknown = sorted(set(own) - set(higher_is_better or own))
    if unknown:
        known = ", ".join(sorted(higher_is_better or {}))
        raise InvalidDefinition(
            Path(path).name, unknown[0], f"is not an installed instrument (they are: {known})"
        )
    return {**default_course_models(), **own}


@dataclass(frozen=True)
class ScaleCourse:
    """The default expected course of any scale without one, in units of the scale's SD."""

    slope: float
    residual_sd: float
    slope_sd: float
    source: str


@cache
def any_scale_course() -> ScaleCourse:
    data, source = _read(None, "course_defaults.toml")
    table = data.get("_any_scale")
    if table is None:
        raise InvalidDefinition(source, "_any_scale", "missing table")
    built: ScaleCourse = _build(ScaleCourse, table, source, "_any_scale")
    return built


def scale_sd(instrument: Instrument) -> float | None:
    """The SD a default course is scaled by: the change rule's, else the clinical norm's."""
    spec = instrument.change
    if spec.sd is not None:
        return spec.sd
    return spec.clinical_norm.sd if spec.clinical_norm is not None else None


def courses_for(
    instruments: Iterable[Instrument], models: Mapping[str, CourseModel]
) -> dict[str, CourseModel]:
    """`models`, plus the default course (`any_scale_course`, scaled by the instrument's SD)
    for every instrument they lack that has an SD. A fitted or shipped course always wins."""
    out = dict(models)
    default = any_scale_course()
    for instrument in instruments:
        sd = scale_sd(instrument)
        if instrument.id in out or sd is None:
            continue
        towards = 1.0 if instrument.higher_is_better else -1.0
        out[instrument.id] = CourseModel(
            instrument=instrument.id,
            center=0.0,
            slope=towards * abs(default.slope) * sd,
            slope_by_baseline=0.0,
            residual_sd=default.residual_sd * sd,
            slope_sd=default.slope_sd * sd,
            higher_is_better=instrument.higher_is_better,
            source=f"{default.source}; SD {sd:g}",
        )
    return out
