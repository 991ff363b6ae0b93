"""Summarise one client's measures: first, last, change, reliable change, recovery, signals.

This is the per-client (interactive) entry point the web calls. It has no rules of its own:
it puts the client's observations in a one-client frame and runs the caseload path
(`unstuck.progress.batch.summarise_caseload`), so a rule, its thresholds and its sentence
are written once and a client reads the same on the web page as in `unstuck analyze`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.attendance import ATTENDANCE_KINDS, Attendance
from unstuck.progress.batch import summarise_caseload
from unstuck.progress.config import Thresholds
from unstuck.progress.course import CourseModel
from unstuck.progress.signals import Status

__all__ = [
    "ATTENDANCE_KINDS",
    "Attendance",
    "ClientSummary",
    "MeasureSummary",
    "Observation",
    "observations_by_client",
    "summarise_client",
    "summarise_clients",
]


@dataclass(frozen=True)
class Observation:
    """One instrument at one session. `total` is None when nothing could be scored.

    `attendance` None: answered ahead of a session not yet recorded (the web's questionnaires
    answered from home), so the score counts but the session is neither attended nor missed.
    """

    instrument: str
    occasion: int
    total: float | None
    attendance: Attendance | None = "attended"
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
    # which measures raised each flag ({"plateau": ("gad7",)}); not in to_dict
    flag_measures: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the reasons withdrawal_risk was raised for (`withdrawal.REASONS`); not in to_dict
    withdrawal_reasons: tuple[str, ...] = ()

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


# The one-client frame: the columns and types `summarise_caseload` reads.
FRAME_SCHEMA = pl.Schema(
    {
        "client_id": pl.String,
        "instrument": pl.String,
        "occasion": pl.Int64,
        "date": pl.Date,
        "attendance": pl.String,
        "total": pl.Float64,
        "safety_alert": pl.Boolean,
        "safety_unanswered": pl.Boolean,
        "incomplete": pl.Boolean,
        "markers": pl.Int64,
    }
)


def summarise_client(
    client_id: str,
    observations: Iterable[Observation],
    instruments: Mapping[str, Instrument],
    *,
    models: Mapping[str, CourseModel] | None = None,
    thresholds: Thresholds | None = None,
) -> ClientSummary:
    """Summarise one client's observations (any order): measures, signals, status.

    The caseload path run on this client alone (see the module docstring).
    """
    return summarise_clients(
        {client_id: observations}, instruments, models=models, thresholds=thresholds
    )[client_id]


def summarise_clients(
    observations: Mapping[str, Iterable[Observation]],
    instruments: Mapping[str, Instrument],
    *,
    models: Mapping[str, CourseModel] | None = None,
    thresholds: Thresholds | None = None,
) -> dict[str, ClientSummary]:
    """Each client's summary, by client id, from their observations (any order): the
    caseload path run once on these clients together, which costs about what one client's
    run does. A client's summary is the one they get alone."""
    ids = sorted(observations)
    rows = [
        (client_id, o)
        for client_id in ids
        for o in sorted(observations[client_id], key=lambda o: (o.occasion, o.instrument))
    ]
    frame = pl.DataFrame(
        {
            "client_id": [c for c, _ in rows],
            "instrument": [o.instrument for _, o in rows],
            "occasion": [o.occasion for _, o in rows],
            "date": [o.date for _, o in rows],
            "attendance": [o.attendance for _, o in rows],
            "total": [o.total for _, o in rows],
            "safety_alert": [o.safety_alert for _, o in rows],
            "safety_unanswered": [o.safety_unanswered for _, o in rows],
            "incomplete": [o.incomplete for _, o in rows],
            "markers": [o.markers for _, o in rows],
        },
        schema=FRAME_SCHEMA,
    )
    caseload = summarise_caseload(frame, instruments, models=models, thresholds=thresholds)
    measures: dict[str, list[MeasureSummary]] = {}
    for m in caseload.measures.iter_rows(named=True):
        measures.setdefault(m["client_id"], []).append(
            MeasureSummary(**{k: v for k, v in m.items() if k in MEASURE_FIELDS})
        )
    out = {
        client["client_id"]: ClientSummary(
            client["client_id"],
            client["status"],
            tuple(client["flags"]),
            tuple(client["explanations"]),
            tuple(measures.get(client["client_id"], ())),
            dict(client["attendance"]),
            _by_flag(client["flagged_measures"]),
            tuple(client["withdrawal_reasons"]),
        )
        for client in caseload.clients.iter_rows(named=True)
    }
    for client_id in ids:  # no observation at all
        out.setdefault(client_id, _no_scores(client_id))
    return out


def _no_scores(client_id: str) -> ClientSummary:
    return ClientSummary(
        client_id,
        "insufficient_data",
        (),
        (w.NO_SCORES,),
        (),
        dict.fromkeys(ATTENDANCE_KINDS, 0),
    )


def _by_flag(pairs: list[dict[str, str]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for pair in pairs:
        out[pair["flag"]] = (*out.get(pair["flag"], ()), pair["instrument"])
    return out


MEASURE_FIELDS = frozenset(MeasureSummary.__dataclass_fields__)
