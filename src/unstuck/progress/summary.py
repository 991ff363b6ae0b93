"""Summarise one client's measures: first, last, change, reliable change, recovery, safety.

This is the per-client (interactive) path. `unstuck.progress.batch` computes the same for a
whole caseload at once; a test checks that both agree field by field and word by word.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

from unstuck.measures import severity_of
from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.change import ChangeCriteria, classify_change, criteria_for
from unstuck.progress.config import Thresholds, default_course_models, default_thresholds
from unstuck.progress.course import CourseModel
from unstuck.progress.signals import Series, Session, Status, detect

Attendance = Literal["attended", "late", "cancelled", "no_show"]
ATTENDANCE_KINDS: tuple[Attendance, ...] = ("attended", "late", "cancelled", "no_show")


@dataclass(frozen=True)
class Observation:
    """One instrument at one session. `total` is None when nothing could be scored."""

    instrument: str
    occasion: int
    total: float | None
    attendance: Attendance = "attended"
    date: date | None = None
    safety_alert: bool = False
    safety_unanswered: bool = False
    incomplete: bool = False
    markers: int = 0  # resistance markers the therapist ticked at this session (web app only)


@dataclass(frozen=True)
class MeasureSummary:
    instrument: str
    n: int  # scored occasions
    first: float
    last: float
    first_occasion: int
    last_occasion: int
    first_severity: str | None
    last_severity: str | None
    change: float | None  # None with a single score
    reliable_change: Literal["improved", "deteriorated", "unchanged"] | None
    recovered: bool | None
    reliably_recovered: bool | None
    safety_alert: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "last": self.last,
            "change": self.change,
            "n": self.n,
            "reliable_change": self.reliable_change,
            "recovered": self.recovered,
            "reliably_recovered": self.reliably_recovered,
            "first_occasion": self.first_occasion,
            "last_occasion": self.last_occasion,
            "first_severity": self.first_severity,
            "last_severity": self.last_severity,
            "safety_alert": self.safety_alert,
        }


@dataclass(frozen=True)
class ClientSummary:
    client_id: str
    status: Status
    flags: tuple[str, ...]
    explanations: tuple[str, ...]
    measures: tuple[MeasureSummary, ...]  # ordered by instrument id
    attendance: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "status": self.status,
            "flags": list(self.flags),
            "explanations": list(self.explanations),
            "measures": {m.instrument: m.to_dict() for m in self.measures},
            "attendance": dict(self.attendance),
        }


def observations_by_client(frame: pl.DataFrame) -> dict[str, list[Observation]]:
    """Checked observations (a frame as `unstuck.analysis` makes) as Python objects."""
    out: dict[str, list[Observation]] = {}
    for r in frame.iter_rows(named=True):
        out.setdefault(r["client_id"], []).append(
            Observation(
                instrument=r["instrument"],
                occasion=r["occasion"],
                total=r["total"],
                attendance=r["attendance"],
                date=r["date"],
                safety_alert=r["safety_alert"],
                safety_unanswered=r["safety_unanswered"],
                incomplete=r["incomplete"],
                markers=r["markers"],
            )
        )
    return out


def summarise_client(
    client_id: str,
    observations: Iterable[Observation],
    instruments: Mapping[str, Instrument],
    *,
    models: Mapping[str, CourseModel] | None = None,
    thresholds: Thresholds | None = None,
) -> ClientSummary:
    """Summarise one client's observations (any order): measures, signals, status."""
    rows = sorted(observations, key=lambda o: (o.instrument, o.occasion))
    attendance: dict[str, int] = dict.fromkeys(ATTENDANCE_KINDS, 0)
    sessions = client_sessions(rows)
    for session in sessions:
        attendance[session.attendance] += 1

    unknown: list[str] = []
    measures: list[MeasureSummary] = []
    sentences: list[str] = []
    series: list[Series] = []
    for instrument_id, group in itertools.groupby(rows, key=lambda o: o.instrument):
        own = list(group)
        instrument = instruments[instrument_id]
        safety_item = instrument.safety_items[0] if instrument.safety_items else None
        alerts = tuple(o.occasion for o in own if o.safety_alert)
        blanks = [o.occasion for o in own if o.safety_unanswered]
        if safety_item is not None and blanks:
            unknown.append(
                w.SAFETY_UNKNOWN.format(instrument.name, safety_item, w.sessions(blanks))
            )
        scored = [o for o in own if o.total is not None]
        series.append(
            Series(
                instrument,
                tuple(o.occasion for o in scored),
                tuple(o.total for o in scored if o.total is not None),
                alerts,
            )
        )
        if not scored:
            continue
        criteria = criteria_for(instrument)
        summary = _measure(instrument, scored, bool(alerts), criteria)
        measures.append(summary)
        sentences.append(explain_measure(instrument.name, summary, criteria))

    detection = detect(
        series,
        sessions,
        default_course_models() if models is None else models,
        default_thresholds() if thresholds is None else thresholds,
    )
    explanations = tuple([*detection.explanations, *sentences, *unknown]) or (w.NO_SCORES,)
    return ClientSummary(
        client_id, detection.status, detection.flags, explanations, tuple(measures), attendance
    )


def client_sessions(observations: Iterable[Observation]) -> list[Session]:
    """One entry per session (the first row seen for it), in session order."""
    seen: dict[int, Session] = {}
    for o in observations:
        if o.occasion not in seen:
            ordinal = o.date.toordinal() if o.date is not None else None
            seen[o.occasion] = Session(o.occasion, o.attendance, ordinal, o.markers)
    return [seen[k] for k in sorted(seen)]


def _measure(
    instrument: Instrument,
    scored: Sequence[Observation],
    safety_alert: bool,
    criteria: ChangeCriteria | None,
) -> MeasureSummary:
    first, last = scored[0], scored[-1]
    assert first.total is not None
    assert last.total is not None
    n = len(scored)
    change = last.total - first.total if n >= 2 else None
    reliable: Literal["improved", "deteriorated", "unchanged"] | None = None
    recovered = reliably_recovered = None
    if n >= 2 and criteria is not None:
        result = classify_change(first.total, last.total, criteria)
        reliable = result.reliable_change
        recovered, reliably_recovered = result.recovered, result.reliably_recovered
    return MeasureSummary(
        instrument=instrument.id,
        n=n,
        first=first.total,
        last=last.total,
        first_occasion=first.occasion,
        last_occasion=last.occasion,
        first_severity=severity_of(instrument, first.total),
        last_severity=severity_of(instrument, last.total),
        change=change,
        reliable_change=reliable,
        recovered=recovered,
        reliably_recovered=reliably_recovered,
        safety_alert=safety_alert,
    )


def explain_measure(name: str, m: MeasureSummary, criteria: ChangeCriteria | None) -> str:
    """One plain paragraph: the numbers, the verdict and the rule that produced it."""
    if m.n < 2 or m.change is None:
        return w.ONE_SCORE.format(name, w.labelled(m.first, m.first_severity), m.first_occasion)
    parts = [
        w.CHANGE.format(
            name,
            w.labelled(m.first, m.first_severity),
            m.first_occasion,
            w.labelled(m.last, m.last_severity),
            m.last_occasion,
            m.n,
            w.signed(m.change),
        )
    ]
    if criteria is None:
        parts.append(w.NO_RULE)
        return " ".join(parts)
    verdict = {"improved": w.IMPROVED, "deteriorated": w.DETERIORATED, "unchanged": w.UNCHANGED}
    parts.append(verdict[m.reliable_change or "unchanged"].format(criteria.rule))
    if criteria.cutoff is not None:
        if m.recovered is None:
            parts.append(w.NOT_A_CASE)
        elif m.reliably_recovered:
            parts.append(w.RELIABLY_RECOVERED)
        elif m.recovered:
            parts.append(w.RECOVERED_ONLY)
        else:
            parts.append(w.NOT_RECOVERED)
    return " ".join(parts)
