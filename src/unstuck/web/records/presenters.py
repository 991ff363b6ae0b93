"""Turn a client's sessions and the core's summary into what the client page shows."""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass

from django.template.defaultfilters import floatformat

from unstuck.measures.model import Instrument
from unstuck.plural import listed
from unstuck.progress.change import criteria_for
from unstuck.progress.fit_checks import fit_checks
from unstuck.progress.wording import number
from unstuck.web import vocabulary
from unstuck.web.records import charts
from unstuck.web.records.instruments import (
    course_models,
    instrument_name,
    instruments,
    thresholds,
    usual_order,
)
from unstuck.web.records.models import MeasureResponse, SafetyAlert, Session


@dataclass(frozen=True)
class HistoryRow:
    """One session of the client page's history table, its words made here: Django's
    template engine spent about a tenth of the page's time on these rows' tags and filters."""

    number: int
    date: str
    attendance: str
    scores: list[tuple[str, bool]]  # per instrument: the score's text, a safety answer
    markers: str
    note: str
    correct_url: str  # empty unless this person may correct the session
    author: str = ""  # who recorded it, when that is another than its therapist, who may not


def series(sessions: list[Session], instrument_id: str) -> list[tuple[float, float]]:
    return [
        (float(s.number), r.total)
        for s in sessions
        for r in s.responses.all()
        if r.instrument == instrument_id and r.total is not None
    ]


def safety_sessions(sessions: list[Session]) -> list[float]:
    return [float(s.number) for s in sessions if any(r.safety_alert for r in s.responses.all())]


@dataclass(frozen=True)
class ClientChart:
    """One instrument's chart for the client page: two sizes, its key and its words."""

    instrument: Instrument
    wide: str  # SVG, shown from 641 px up and in print
    narrow: str  # SVG, shown on phones
    key: str  # HTML list of the marks drawn
    summary: str  # the text alternative, also printed under the chart


def client_charts(used: list[Instrument], sessions: list[Session]) -> list[ClientChart]:
    out = []
    for instrument in used:
        chart = course_chart(instrument, sessions)
        if chart is not None:
            labels = {
                "score": "client's scores",
                **charts.KEY,
                **{look: label for _, look, label in chart.hlines},
            }
            out.append(
                ClientChart(
                    instrument=instrument,
                    wide=charts.render(chart, charts.WIDE, "chart chart-wide"),
                    narrow=charts.render(chart, charts.NARROW, "chart chart-narrow"),
                    key=charts.legend([(k, labels[k]) for k in charts.keys(chart)]),
                    summary=chart.summary,
                )
            )
    return out


def course_chart(instrument: Instrument, sessions: list[Session]) -> charts.Chart | None:
    """The client's scores against the expected course for clients who started alike.

    The band is the middle 80% of clients on the expected course (from the 10th to the 90th
    percentile of the course model's prediction, `CourseModel.limit`; the share is
    `fit_checks().band`, the band `unstuck fit` checks), drawn on both sides of
    the expected line; the not-on-track zone lies beyond the limit the signal uses
    (thresholds.toml `not_on_track.probability`), out to the worse end of the scale.
    """
    points = series(sessions, instrument.id)
    if not points or instrument.score_min is None or instrument.score_max is None:
        return None
    x_max = max(max(int(x) for x, _ in points) + 2, 8)
    first = points[0][1]
    lines: list[charts.Line] = []
    band: list[tuple[float, float, float]] = []
    zone: list[tuple[float, float, float]] = []
    model = course_models().get(instrument.id)
    lo, hi = instrument.score_min, instrument.score_max
    worst = lo if instrument.higher_is_better else hi
    now = ""
    if model is not None:
        p = thresholds().not_on_track.probability
        edge, band_share = fit_checks().band_edge, fit_checks().band
        for s in range(1, x_max + 1):
            edges = (model.limit(first, s, 1 - edge), model.limit(first, s, edge))
            band.append((s, min(edges), max(edges)))
            limit = model.limit(first, s, p)
            zone.append((s, min(limit, worst), max(limit, worst)))
        lines = [
            charts.Line(
                [(s, model.expected(first, s)) for s in range(1, x_max + 1)],
                "expected",
                "expected course",
            ),
            charts.Line(
                [(s, model.limit(first, s, p)) for s in range(1, x_max + 1)],
                "limit",
                f"{charts.KEY['limit']} ({p:.1%} of clients on course are better)",
            ),
        ]
        at = int(points[-1][0])
        low, high = sorted((model.limit(first, at, 1 - edge), model.limit(first, at, edge)))
        now = (
            f" For clients who started at {first:g}, the expected score at session {at} is about "
            f"{_clip(model.expected(first, at), lo, hi):.0f}; the middle {band_share:.0%} of them "
            "score "
            f"{_clip(low, lo, hi):.0f} to {_clip(high, lo, hi):.0f}."
        )
    hlines: list[tuple[float, str, str]] = []
    rupture = thresholds().alliance_rupture
    if instrument.id == rupture.instrument:
        strain = vocabulary.flag("alliance_rupture").lower()
        hlines.append((rupture.floor, "cutoff", f"{strain} at {rupture.floor:g} or below"))
    criteria = criteria_for(instrument)
    if criteria is not None and instrument.id != rupture.instrument:
        if criteria.cutoff is not None:
            hlines.append((criteria.cutoff, "cutoff", f"clinical cutoff ({criteria.cutoff:g})"))
        sign = 1 if instrument.higher_is_better else -1
        hlines.append(
            (
                first + sign * criteria.threshold,
                "reliable",
                f"reliable improvement ({criteria.threshold:g} points better than the start)",
            )
        )
    last = points[-1]
    alerts = safety_sessions(sessions) if instrument.safety_items else []
    summary = (
        f"{len(points)} score{'s' if len(points) != 1 else ''}, from {points[0][1]:g} at session "
        f"{points[0][0]:g} to {last[1]:g} at session {last[0]:g} "
        f"({'higher' if instrument.higher_is_better else 'lower'} is better).{now}"
        + (
            f" Safety answer at session{'s' if len(alerts) > 1 else ''} "
            + ", ".join(f"{a:g}" for a in alerts)
            + "."
            if alerts
            else ""
        )
    )
    return charts.Chart(
        title=f"{instrument.name} by session",
        summary=summary,
        y_min=lo,
        y_max=hi,
        x_max=x_max,
        points=points,
        lines=lines,
        band=band,
        zone=zone,
        hlines=hlines,
        alerts=alerts,
    )


def _clip(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def courses_in_use(used: list[Instrument]) -> list[str]:
    """Which expected course each chart uses, where it comes from and how well it fits."""
    models = course_models()
    return [models[i.id].describe(i.name) for i in used if i.id in models]


def history(
    sessions: list[Session],
    instrument_ids: list[str],
    correctable: Container[int] = (),
    correct_url: str = "",
    authors: Mapping[int, str] | None = None,
) -> list[HistoryRow]:
    """The history table's rows, latest session first. `correct_url` is the correction
    page's address with the session number left for last ("/clients/5/sessions/{}/correct/");
    `authors` names who recorded the sessions that another recorded (by number)."""
    from unstuck.web.records.markers import MARKER_LABELS

    rows = []
    for s in reversed(sessions):
        by_id = {r.instrument: r for r in s.responses.all()}
        rows.append(
            HistoryRow(
                number=s.number,
                date=s.date.isoformat() if s.date else "",
                attendance=s.attendance_words,
                scores=[_score_cell(by_id.get(i)) for i in instrument_ids],
                markers="; ".join(MARKER_LABELS.get(m, m) for m in s.markers),
                note=s.note,
                correct_url=correct_url.format(s.number) if s.number in correctable else "",
                author=(authors or {}).get(s.number, ""),
            )
        )
    return rows


def _score_cell(response: MeasureResponse | None) -> tuple[str, bool]:
    if response is None:
        return "\u2013", False  # an en dash: not asked at this session
    text = floatformat(response.total, -1) if response.total is not None else ""
    blank = sum(a is None for a in response.answers)
    if text and blank:  # scored from the items answered (the scale's rule for a few blanks)
        text += f" (estimated: {blank} item{'s' if blank > 1 else ''} blank)"
    return text or "not scored", response.safety_alert


def instruments_in(sessions: list[Session]) -> list[Instrument]:
    installed = instruments()
    seen = dict.fromkeys(r.instrument for s in sessions for r in s.responses.all())
    return [installed[i] for i in sorted(seen, key=usual_order) if i in installed]


GLANCE_FINDINGS = 2  # at most this many findings at the top of the client page


@dataclass(frozen=True)
class Glance:
    """The top of the client page: status, the findings that matter most, the next step."""

    status: str  # the status code: the badge's colour class
    status_words: str
    findings: list[str]  # at most GLANCE_FINDINGS short sentences, safety first
    next_step: str
    also: list[str]  # the other flags' names, so none is left out of the glance


# Flags whose words already say which measure they read (the safety answer names its item;
# strain in the relationship is session feedback's): named by no measure.
SELF_NAMED = ("safety", "alliance_rupture")


def _flagged(code: str, flag_measures: Mapping[str, Sequence[str]]) -> list[str]:
    """The ids of the measures that raised a flag, in the usual order ([] when its words
    already say, or none is known)."""
    if code in SELF_NAMED:
        return []  # ("" is a flag raised by no one measure: the withdrawal flag's attendance)
    return sorted((i for i in flag_measures.get(code, ()) if i), key=usual_order)


def measure_names(code: str, flag_measures: Mapping[str, Sequence[str]]) -> str:
    """The measures that raised a flag, by name ('GAD-7'; 'PHQ-9 and GAD-7'), or ''. The
    caseload shows them beside the flag: the row shows the latest PHQ-9, so 'Progress has
    levelled off' beside PHQ-9 15 -> 8 read as a contradiction when the GAD-7 had."""
    return " and ".join(instrument_name(i) for i in _flagged(code, flag_measures))


def measured(
    code: str,
    flag_measures: Mapping[str, Sequence[str]],
    measures: Mapping[str, Mapping[str, object]] | None = None,
) -> str:
    """The measures that raised a flag, each with its first and latest score when the
    snapshot has them: 'GAD-7 (16 at session 1, 16 at session 8)'; '' for none."""
    named = []
    for i in _flagged(code, flag_measures):
        m = (measures or {}).get(i) or {}
        first, last = m.get("first"), m.get("last")
        scores = (
            f" ({number(float(first))} at session {m.get('first_occasion')}, "  # type: ignore[arg-type]
            f"{number(float(last))} at session {m.get('last_occasion')})"  # type: ignore[arg-type]
            if first is not None and last is not None
            else ""
        )
        named.append(instrument_name(i) + scores)
    return " and ".join(named)


def finding(
    code: str,
    flag_measures: Mapping[str, Sequence[str]],
    measures: Mapping[str, Mapping[str, object]] | None = None,
) -> str:
    """A glance sentence, led by the measure it is about when a flag names one (`measured`):
    'GAD-7 (16 at session 1, 16 at session 8): little improvement so far; ...'."""
    sentence = vocabulary.headline(code)
    named = measured(code, flag_measures, measures)
    return f"{named}: {sentence[0].lower()}{sentence[1:]}" if named else sentence


def glance(
    status: str,
    flags: Sequence[str],
    open_alerts: Sequence[SafetyAlert],
    next_step: str,
    flag_measures: Mapping[str, Sequence[str]] | None = None,
    measures: Mapping[str, Mapping[str, object]] | None = None,
    *,
    asked: str = "",
) -> Glance:
    """Safety first, then the core's flags in its order; one sentence each from the vocabulary.

    An open alert (even one from an earlier episode) counts as the safety finding, as in the
    caseload (`snapshots.refresh_status`); the next step is the one the caseload shows. When
    no flag besides safety says where the scores stand, the status's sentence does (not
    "off track", which a safety answer alone gives: `progress.signals`). `measures` (the
    snapshot's, by instrument) puts each flagged measure's first and latest score beside it.
    `asked` names the therapist for a reader who may not record the safety check.
    """
    codes = list(dict.fromkeys(flags))
    if open_alerts and "safety" not in codes:
        codes.insert(0, "safety")
    codes.sort(key=lambda code: code != "safety")
    if codes in ([], ["safety"]) and status != "off_track":  # safety alone makes it off track
        codes.append(status)
    return Glance(
        status=status,
        status_words=vocabulary.plain(status),
        findings=[
            vocabulary.SAFETY_ASKED.format(therapist=asked)
            if c == "safety" and asked
            else finding(c, flag_measures or {}, measures)
            for c in codes[:GLANCE_FINDINGS]
        ],
        next_step=next_step,
        also=[flag_name(c, flag_measures or {}) for c in codes[GLANCE_FINDINGS:]],
    )


def flag_name(code: str, flag_measures: Mapping[str, Sequence[str]]) -> str:
    """A flag's name with the measures that raised it: 'Getting worse (PHQ-9)'."""
    names = measure_names(code, flag_measures)
    return f"{vocabulary.plain(code)} ({names})" if names else vocabulary.plain(code)


@dataclass(frozen=True)
class Explained:
    sentences: list[str]  # the core's explanations, each source as "source N"
    courses: list[str]  # the expected courses in use, likewise
    sources: list[str]  # source N is sources[N - 1]


def sources_cited(
    explanations: Sequence[str], courses: Sequence[str], used: Sequence[Instrument]
) -> Explained:
    """The explanations with each source cited once: "source 1" in the text, the list below.

    The core's sentences quote the rule's source each time (right for the command line,
    where one sentence is read alone); on the page the same citation three times is noise.
    """
    models = course_models()
    # (the text the sentences quote, the source it stands for): a change rule quotes the
    # citation before the colon of its definition's source (`criteria_for`), a course its own.
    # Scales that share a citation (the PHQ-9 and GAD-7 both cite NHS Talking Therapies) get
    # one entry in the list, with each scale's own part after the colon.
    details: dict[str, list[str]] = {}
    for i in used:
        if i.change.source:
            short, _, detail = i.change.source.partition(":")
            details.setdefault(short, [])
            if detail.strip() and detail.strip() not in details[short]:
                details[short].append(detail.strip())
    known = {
        short: f"{short}: {'; '.join(p.rstrip('.') for p in parts)}." if parts else short
        for short, parts in details.items()
    }
    known |= {models[i.id].source: models[i.id].source for i in used if i.id in models}
    cited: list[str] = []
    out = []
    for sentence in [*explanations, *courses]:
        for text in sorted(known, key=len, reverse=True):  # longest first
            if text and text in sentence:
                if known[text] not in cited:
                    cited.append(known[text])
                number = cited.index(known[text]) + 1
                sentence = sentence.replace(f"Source: {text}", f"Source {number}")
                sentence = sentence.replace(text, f"source {number}")
        out.append(sentence)
    n = len(explanations)
    return Explained(sentences=out[:n], courses=out[n:], sources=cited)


def instrument_names(session: Session) -> str:
    """The questionnaires stored for `session`, by name, for a sentence ("PHQ-9 and GAD-7")."""
    return listed([instrument_name(r.instrument) for r in session.responses.all()])
