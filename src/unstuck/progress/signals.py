"""Signals: the reasons a client may not be progressing, each with the numbers and the rule.

Every signal is a plain function of one client's observations and measure summaries. Its
explanation quotes the numbers and the rule that produced it, so a therapist can check it.
Thresholds come from `unstuck.progress.config` (with sources), never from literals here.

Status follows the signals: ``off_track`` (safety, deterioration, not_on_track), ``at_risk``
(plateau, withdrawal_risk, alliance_rupture, or drifting towards the edge of the expected
course), ``on_track``, or ``insufficient_data`` (no measure has two scores yet). A safety
signal is always listed first and can never be outranked.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.change import classify_change, criteria_for
from unstuck.progress.config import Thresholds
from unstuck.progress.course import CourseModel

FLAGS = (
    "safety",
    "deterioration",
    "not_on_track",
    "plateau",
    "withdrawal_risk",
    "alliance_rupture",
)
RED = frozenset({"safety", "deterioration", "not_on_track"})
# Attendance that counts as a missed session (for the withdrawal rule, and needs no score).
MISSED = ("cancelled", "no_show")
Status = Literal["off_track", "at_risk", "on_track", "insufficient_data"]


@dataclass(frozen=True)
class Series:
    """One instrument's scored sessions for one client, in session order."""

    instrument: Instrument
    occasions: tuple[int, ...]
    totals: tuple[float, ...]
    safety_occasions: tuple[int, ...]


@dataclass(frozen=True)
class Session:
    occasion: int
    attendance: str
    date_ordinal: int | None  # days, for gaps; None when undated
    markers: int = 0  # in-session resistance markers the therapist noticed


@dataclass(frozen=True)
class Signal:
    flag: str | None  # None: affects status only (drifting)
    explanation: str


@dataclass(frozen=True)
class Detection:
    status: Status
    flags: tuple[str, ...]
    explanations: tuple[str, ...]  # one per signal, in flag order (safety first)


def detect(
    series: Sequence[Series],
    sessions: Sequence[Session],
    models: Mapping[str, CourseModel],
    thresholds: Thresholds,
) -> Detection:
    signals: list[Signal] = []
    alliance = thresholds.alliance_rupture.instrument
    for s in series:
        signals += safety(s)
    for s in series:
        if s.instrument.id != alliance:
            signals += deterioration(s)
    for s in series:
        if s.instrument.id != alliance and s.instrument.id in models:
            signals += course(s, models[s.instrument.id], thresholds)
    for s in series:
        if s.instrument.id != alliance:
            signals += plateau(s, thresholds)
    feedback = next((s for s in series if s.instrument.id == alliance), None)
    signals += withdrawal(sessions, feedback, thresholds)
    if feedback is not None:
        signals += rupture(feedback, thresholds)

    order = {flag: i for i, flag in enumerate(FLAGS)}
    signals.sort(key=lambda sig: order.get(sig.flag or "", len(FLAGS)))
    flags = tuple(dict.fromkeys(sig.flag for sig in signals if sig.flag))
    enough = any(len(s.totals) >= 2 for s in series)
    status: Status
    if RED & set(flags):
        status = "off_track"
    elif signals:
        status = "at_risk"
    elif enough:
        status = "on_track"
    else:
        status = "insufficient_data"
    return Detection(status, flags, tuple(sig.explanation for sig in signals))


def safety(s: Series) -> list[Signal]:
    if not s.safety_occasions or not s.instrument.safety_items:
        return []
    item = s.instrument.safety_items[0]
    text = w.SAFETY.format(s.instrument.name, item, w.sessions(s.safety_occasions))
    return [Signal("safety", text)]


def deterioration(s: Series) -> list[Signal]:
    criteria = criteria_for(s.instrument)
    if criteria is None or len(s.totals) < 2:
        return []
    first, last = s.totals[0], s.totals[-1]
    if classify_change(first, last, criteria).reliable_change != "deteriorated":
        return []
    return [
        Signal(
            "deterioration",
            w.DETERIORATION.format(
                s.instrument.name,
                w.number(first),
                s.occasions[0],
                w.number(last),
                s.occasions[-1],
                w.signed(last - first),
                criteria.rule,
            ),
        )
    ]


def course(s: Series, model: CourseModel, thresholds: Thresholds) -> list[Signal]:
    if len(s.totals) < 2:
        return []
    rule = thresholds.not_on_track
    first, last = s.totals[0], s.totals[-1]
    session = s.occasions[-1] - s.occasions[0] + 1
    expected = model.expected(first, session)
    limit = model.limit(first, session, rule.probability)
    edge = model.limit(first, session, rule.drifting_probability)

    def worse(score: float, bound: float) -> bool:
        return score < bound if model.higher_is_better else score > bound

    share = w.number(round(rule.probability * 100, 1))
    side = "or higher" if model.higher_is_better else "or lower"
    numbers = (
        s.instrument.name,
        w.number(last),
        session,
        w.number(first),
        w.number(expected, places=1),
        share,
        w.number(limit, places=1),
        side,
        model.source,
    )
    if worse(last, limit):
        return [Signal("not_on_track", w.NOT_ON_TRACK.format(*numbers))]
    if worse(last, edge):
        return [Signal(None, w.DRIFTING.format(*numbers))]
    return []


def plateau(s: Series, thresholds: Thresholds) -> list[Signal]:
    rule = thresholds.plateau
    criteria = criteria_for(s.instrument)
    if criteria is None or len(s.totals) < rule.min_sessions:
        return []
    if classify_change(s.totals[0], s.totals[-1], criteria).reliable_change == "improved":
        return []
    recent = s.totals[-rule.window :]
    spread = max(recent) - min(recent)
    if criteria.is_reliable(spread):
        return []
    return [
        Signal(
            "plateau",
            w.PLATEAU.format(
                s.instrument.name,
                len(s.totals),
                w.number(s.totals[0]),
                w.number(s.totals[-1]),
                rule.window,
                ", ".join(w.number(t) for t in recent),
                w.number(spread),
                w.number(round(criteria.threshold, 2)),
            ),
        )
    ]


def withdrawal(
    sessions: Sequence[Session], feedback: Series | None, thresholds: Thresholds
) -> list[Signal]:
    rule = thresholds.withdrawal_risk
    reasons: list[str] = []
    recent = list(sessions)[-rule.window :]
    missed = sum(s.attendance in MISSED for s in recent)
    late = sum(s.attendance == "late" for s in recent)
    if recent and (missed >= rule.missed or missed + late >= rule.missed_or_late):
        reasons.append(
            w.WITHDRAWAL_ATTENDANCE.format(
                missed, late, len(recent), rule.missed, rule.missed_or_late
            )
        )
    dated = [s.date_ordinal for s in sessions if s.date_ordinal is not None]
    gaps = [b - a for a, b in itertools.pairwise(dated)]
    if len(gaps) >= 3:
        usual = statistics.median(gaps[:-1])
        if gaps[-1] >= max(rule.gap_factor * usual, rule.min_gap_days):
            reasons.append(
                w.WITHDRAWAL_GAP.format(
                    gaps[-1], w.number(usual), w.number(rule.gap_factor), rule.min_gap_days
                )
            )
    noticed = sum(s.markers for s in recent)
    if noticed >= rule.markers:
        reasons.append(w.WITHDRAWAL_MARKERS.format(noticed, len(recent), rule.markers))
    if feedback is not None and len(feedback.totals) >= 3:
        earlier = sum_in_order(feedback.totals[:-1]) / (len(feedback.totals) - 1)
        last = feedback.totals[-1]
        if earlier - last >= rule.feedback_fall:
            reasons.append(
                w.WITHDRAWAL_FEEDBACK.format(
                    w.number(last), w.number(earlier, places=1), w.number(rule.feedback_fall)
                )
            )
    if not reasons:
        return []
    return [Signal("withdrawal_risk", w.WITHDRAWAL.format("; ".join(reasons)))]


def sum_in_order(values: Sequence[float]) -> float:
    """Values added one by one, in order. The caseload path adds them the same way, so both
    get the same digits even where a mean sits on a rounding edge (Python's own `sum` and
    `statistics.fmean` use more exact sums)."""
    total = 0.0
    for value in values:
        total += value
    return total


def rupture(feedback: Series, thresholds: Thresholds) -> list[Signal]:
    rule = thresholds.alliance_rupture
    if not feedback.totals:
        return []
    last = feedback.totals[-1]
    name = feedback.instrument.name
    if len(feedback.totals) >= 2 and feedback.totals[-2] - last >= rule.drop:
        before = feedback.totals[-2]
        text = w.RUPTURE_DROP.format(
            name, w.number(before), w.number(last), feedback.occasions[-1], w.number(rule.drop)
        )
        return [Signal("alliance_rupture", text)]
    if last <= rule.floor:
        text = w.RUPTURE_LOW.format(
            name, w.number(last), feedback.occasions[-1], w.number(rule.floor)
        )
        return [Signal("alliance_rupture", text)]
    return []
