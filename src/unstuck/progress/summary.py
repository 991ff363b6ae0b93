"""Summarise one client's measures: first, last, change, reliable change, recovery, safety.

This is the per-client (interactive) path. `unstuck.progress.batch` computes the same for a
whole caseload at once; a test checks that both agree field by field and word by word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from unstuck.measures import severity_of
from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.change import ChangeCriteria, classify_change, criteria_for

Attendance = Literal["attended", "late", "cancelled", "no_show"]
Status = Literal["off_track", "at_risk", "on_track", "insufficient_data"]
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


def summarise_client(
    client_id: str,
    observations: Iterable[Observation],
    instruments: Mapping[str, Instrument],
) -> ClientSummary:
    """Summarise one client's observations (any order) against each instrument's rules."""
    by_instrument: dict[str, list[Observation]] = {}
    attendance: dict[str, int] = dict.fromkeys(ATTENDANCE_KINDS, 0)
    seen_sessions: dict[int, Attendance] = {}
    for o in observations:
        by_instrument.setdefault(o.instrument, []).append(o)
        seen_sessions.setdefault(o.occasion, o.attendance)
    for kind in seen_sessions.values():
        attendance[kind] += 1

    safety: list[str] = []
    unknown: list[str] = []
    measures: list[MeasureSummary] = []
    sentences: list[str] = []
    for instrument_id in sorted(by_instrument):
        rows = sorted(by_instrument[instrument_id], key=lambda o: o.occasion)
        instrument = instruments[instrument_id]
        safety_item = instrument.safety_items[0] if instrument.safety_items else None
        alerts = [o.occasion for o in rows if o.safety_alert]
        blanks = [o.occasion for o in rows if o.safety_unanswered]
        if safety_item is not None and alerts:
            safety.append(w.SAFETY.format(instrument.name, safety_item, w.sessions(alerts)))
        if safety_item is not None and blanks:
            unknown.append(
                w.SAFETY_UNKNOWN.format(instrument.name, safety_item, w.sessions(blanks))
            )
        scored = [o for o in rows if o.total is not None]
        if not scored:
            continue
        summary = _measure(instrument, scored, bool(alerts), criteria_for(instrument))
        measures.append(summary)
        sentences.append(explain_measure(instrument.name, summary, criteria_for(instrument)))

    status: Status = "on_track" if any(m.n >= 2 for m in measures) else "insufficient_data"
    explanations = tuple(safety + sentences + unknown) or (w.NO_SCORES,)
    return ClientSummary(client_id, status, (), explanations, tuple(measures), attendance)


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
