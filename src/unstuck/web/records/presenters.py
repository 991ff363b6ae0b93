"""Turn a client's sessions and the core's summary into what the client page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unstuck.measures.model import Instrument
from unstuck.progress.change import criteria_for
from unstuck.web.records import charts
from unstuck.web.records.instruments import (
    SESSION_INSTRUMENTS,
    course_models,
    instruments,
    thresholds,
)
from unstuck.web.records.models import Session

BAND_PROBABILITY = 0.9  # the shaded band holds the middle 80% of clients on course


@dataclass(frozen=True)
class HistoryRow:
    session: Session
    scores: dict[str, Any]  # instrument -> response (or None)
    markers: list[str]


def series(sessions: list[Session], instrument_id: str) -> list[tuple[float, float]]:
    return [
        (float(s.number), r.total)
        for s in sessions
        for r in s.responses.all()
        if r.instrument == instrument_id and r.total is not None
    ]


def safety_sessions(sessions: list[Session]) -> list[float]:
    return [float(s.number) for s in sessions if any(r.safety_alert for r in s.responses.all())]


def trajectory_chart(instrument: Instrument, sessions: list[Session]) -> str | None:
    points = series(sessions, instrument.id)
    if not points or instrument.score_min is None or instrument.score_max is None:
        return None
    x_max = max(max(int(x) for x, _ in points) + 2, 8)
    first = points[0][1]
    lines: list[charts.Line] = []
    band: list[tuple[float, float, float]] = []
    model = course_models().get(instrument.id)
    lo, hi = instrument.score_min, instrument.score_max
    if model is not None:
        p = thresholds().not_on_track.probability
        for s in range(1, x_max + 1):
            expected = model.expected(first, s)
            edge = model.limit(first, s, BAND_PROBABILITY)
            band.append((s, min(expected, 2 * expected - edge), max(expected, 2 * expected - edge)))
        lines = [
            charts.Line(
                [(s, model.expected(first, s)) for s in range(1, x_max + 1)],
                "expected",
                "expected course",
            ),
            charts.Line(
                [(s, model.limit(first, s, p)) for s in range(1, x_max + 1)],
                "limit",
                f"not-on-track limit ({p:.1%} of clients on course are better)",
            ),
        ]
    hlines: list[tuple[float, str, str]] = []
    rupture = thresholds().alliance_rupture
    if instrument.id == rupture.instrument:
        hlines.append((rupture.floor, "cutoff", f"alliance concern at {rupture.floor:g} or below"))
    criteria = criteria_for(instrument)
    if criteria is not None and instrument.id != rupture.instrument:
        if criteria.cutoff is not None:
            hlines.append((criteria.cutoff, "cutoff", f"clinical cutoff {criteria.cutoff:g}"))
        sign = 1 if instrument.higher_is_better else -1
        hlines.append(
            (
                first + sign * criteria.threshold,
                "reliable",
                f"reliable improvement ({criteria.threshold:g} points)",
            )
        )
    last = points[-1]
    summary = (
        f"{len(points)} scores from {points[0][1]:g} at session {points[0][0]:g} "
        f"to {last[1]:g} at session {last[0]:g}"
        + (", with the expected course and its band" if model else "")
    )
    chart = charts.Chart(
        title=f"{instrument.name} by session",
        summary=summary,
        y_min=lo,
        y_max=hi,
        x_max=x_max,
        points=points,
        lines=lines,
        band=band,
        hlines=hlines,
        alerts=safety_sessions(sessions) if instrument.safety_items else (),
    )
    return charts.render(chart)


def courses_in_use(used: list[Instrument]) -> list[str]:
    """Which expected course each chart uses, where it comes from and how well it fits."""
    models = course_models()
    return [models[i.id].describe(i.name) for i in used if i.id in models]


def history(sessions: list[Session], instrument_ids: list[str]) -> list[HistoryRow]:
    from unstuck.web.records.markers import MARKER_LABELS

    rows = []
    for s in reversed(sessions):
        by_id = {r.instrument: r for r in s.responses.all()}
        rows.append(
            HistoryRow(
                session=s,
                scores={i: by_id.get(i) for i in instrument_ids},
                markers=[MARKER_LABELS.get(m, m) for m in s.markers],
            )
        )
    return rows


def instruments_in(sessions: list[Session]) -> list[Instrument]:
    installed = instruments()
    seen = dict.fromkeys(r.instrument for s in sessions for r in s.responses.all())
    ordered = [i for i in SESSION_INSTRUMENTS if i in seen] + [
        i for i in seen if i not in SESSION_INSTRUMENTS
    ]
    return [installed[i] for i in ordered if i in installed]


def instrument_names(session: Session) -> str:
    """The questionnaires stored for `session`, by name, for a sentence ("PHQ-9 and GAD-7")."""
    installed = instruments()
    names = [
        installed[r.instrument].name if r.instrument in installed else r.instrument
        for r in session.responses.all()
    ]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
