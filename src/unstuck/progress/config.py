"""Detection settings as data: thresholds and expected-course parameters, with their sources.

Defaults ship as ``thresholds.toml`` and ``course_defaults.toml`` beside this module; a clinic
may pass its own files. Every number the signals use comes from here, never from a literal in
the signal code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from unstuck.errors import InvalidDefinition
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
    source: str


@dataclass(frozen=True)
class EarlyResponseRule:
    from_session: int
    to_session: int
    min_improvement: float
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
class Thresholds:
    not_on_track: NotOnTrackRule
    plateau: PlateauRule
    withdrawal_risk: WithdrawalRule
    alliance_rupture: RuptureRule
    safety_source: str
    early_response: EarlyResponseRule


def _read(path: Path | None, default: str) -> tuple[dict[str, Any], str]:
    if path is None:
        text = (resources.files("unstuck.progress") / default).read_text("utf-8")
        return tomllib.loads(text), default
    try:
        return tomllib.loads(Path(path).read_text("utf-8")), Path(path).name
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidDefinition(str(path), "", f"cannot be read: {exc}") from exc


def _build(cls: type, table: Mapping[str, Any], source: str, where: str) -> Any:
    try:
        return cls(**table)
    except TypeError as exc:
        raise InvalidDefinition(source, where, str(exc)) from exc


def load_thresholds(path: Path | None = None) -> Thresholds:
    data, source = _read(path, "thresholds.toml")
    try:
        t = Thresholds(
            not_on_track=_build(NotOnTrackRule, data["not_on_track"], source, "not_on_track"),
            plateau=_build(PlateauRule, data["plateau"], source, "plateau"),
            withdrawal_risk=_build(
                WithdrawalRule, data["withdrawal_risk"], source, "withdrawal_risk"
            ),
            alliance_rupture=_build(
                RuptureRule, data["alliance_rupture"], source, "alliance_rupture"
            ),
            safety_source=data["safety"]["source"],
            early_response=_build(
                EarlyResponseRule, data["early_response"], source, "early_response"
            ),
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
    if not (2 <= e.from_session <= e.to_session and 0 < e.min_improvement < 1):
        raise InvalidDefinition(
            source,
            "early_response",
            "need 2 <= from_session <= to_session and 0 < min_improvement < 1",
        )
    if not t.plateau.improving_share > 0:
        raise InvalidDefinition(source, "plateau", "need improving_share > 0")
    return t


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
        models[instrument] = _build(
            CourseModel, {"instrument": instrument, **fields}, source, instrument
        )
    return models


@cache
def default_course_models() -> dict[str, CourseModel]:
    return load_course_models()


def clinic_course_models(
    path: Path, higher_is_better: Mapping[str, bool] | None = None
) -> dict[str, CourseModel]:
    """The shipped expected courses, replaced instrument by instrument by a clinic's file
    from `unstuck fit` (an instrument it could not fit keeps its shipped course)."""
    return {**default_course_models(), **load_course_models(path, higher_is_better)}


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
