"""The team's figures over time, and how completely questionnaires are filled in.

Over time, per calendar quarter (or month): the clients *seen* in the period (an attended
session in it); of those with two scores of the main instrument by the period's end, how many
were reliably improved, recovered and reliably deteriorated, comparing the episode's first score
with its latest score up to that end (the one rule, `unstuck.progress.classify.classify_change`);
and the episodes that ended in the period, and how many of those ended early without agreement.
Each figure is a count with the number it is out of, never a bare percentage: a quarter with
few clients says little.

Completion, per questionnaire: of the attended sessions, in how many that questionnaire was
completed. Routine outcome monitoring only helps if the measures are taken every session
(Lambert, *Prevention of Treatment Failure*, 2010; NHS Talking Therapies for anxiety and
depression, NCCMH Manual v7, 2024, which asks for the measures at every session), so a low
share is a prompt to look at how the questionnaires are offered, never a judgement of a client
who declined one.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from unstuck.analysis.clinic import ENDED_EARLY, Course
from unstuck.analysis.retention import Stay
from unstuck.analysis.spreadsheet import SafeWriter
from unstuck.progress.change import ChangeCriteria
from unstuck.progress.classify import classify_change

PeriodKey = tuple[int, int]


def stays(courses: Iterable[Course]) -> list[Stay]:
    """Each episode for the retention curve: attended sessions, and whether it ended early."""
    return [Stay(c.attended_sessions, c.ended == ENDED_EARLY) for c in courses]


def quarter(day: dt.date) -> PeriodKey:
    return (day.year, (day.month - 1) // 3 + 1)


def month(day: dt.date) -> PeriodKey:
    return (day.year, day.month)


def quarter_label(key: PeriodKey) -> str:
    return f"{key[0]} Q{key[1]}"


def month_label(key: PeriodKey) -> str:
    return dt.date(key[0], key[1], 1).strftime("%Y-%m")


@dataclass(frozen=True)
class Period:
    label: str
    seen: int  # clients with an attended session in the period
    compared: int  # of those, with two scores by the period's end
    improved: int
    recovered: int
    recovered_of: int  # compared clients in the clinical range at their first score
    deteriorated: int
    ended: int  # episodes that ended in the period
    ended_early: int


def over_time(
    courses: Iterable[Course],
    criteria: ChangeCriteria,
    key: Callable[[dt.date], PeriodKey] = quarter,
    label: Callable[[PeriodKey], str] = quarter_label,
) -> list[Period]:
    """One row per period that has a session or an ending, oldest first."""
    courses = list(courses)
    keys = {key(d) for c in courses for d in c.sessions}
    keys |= {key(c.ended_on) for c in courses if c.ended_on}
    out: list[Period] = []
    for k in sorted(keys):
        seen = [c for c in courses if any(key(d) == k for d in c.sessions)]
        judged = []
        for c in seen:
            scores = [s for d, s in c.scores if key(d) <= k]
            if len(scores) >= 2:
                judged.append(classify_change(scores[0], scores[-1], criteria))
        cases = [j for j in judged if j.recovered is not None]
        ended = [c for c in courses if c.ended_on and key(c.ended_on) == k]
        out.append(
            Period(
                label=label(k),
                seen=len(seen),
                compared=len(judged),
                improved=sum(j.reliable_change == "improved" for j in judged),
                recovered=sum(bool(j.recovered) for j in cases),
                recovered_of=len(cases),
                deteriorated=sum(j.reliable_change == "deteriorated" for j in judged),
                ended=len(ended),
                ended_early=sum(c.ended == ENDED_EARLY for c in ended),
            )
        )
    return out


PERIOD_COLUMNS = (
    "period",
    "seen",
    "compared",
    "improved",
    "recovered",
    "recovered_of",
    "deteriorated",
    "ended",
    "ended_early",
)


def periods_csv(rows: Sequence[Period], *, endings_known: bool = True) -> str:
    """One row per period; ``ended`` and ``ended_early`` empty unless `endings_known` (as in
    `clinic.to_csv`)."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(PERIOD_COLUMNS)
    for p in rows:
        writer.writerow(
            [
                p.label,
                p.seen,
                p.compared,
                p.improved,
                p.recovered,
                p.recovered_of,
                p.deteriorated,
                *((p.ended, p.ended_early) if endings_known else ("", "")),
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class Completion:
    group: str  # a therapist's name, or "All"
    instrument: str
    attended: int  # attended sessions
    completed: int  # of those, with this questionnaire completed

    @property
    def sentence(self) -> str:
        if not self.attended:
            return "no attended sessions"
        # rounded down: 494 of 496 is 99%, never a 100% that hides the two missed
        share = 100 * self.completed // self.attended
        return f"{self.completed} of {self.attended} ({share}%)"


def completion(courses: Iterable[Course], instruments: Sequence[str]) -> list[Completion]:
    """For the team ("All") and each therapist, each questionnaire's share of attended sessions."""
    courses = list(courses)
    groups = [("All", courses)] + [
        (t, [c for c in courses if c.therapist == t])
        for t in sorted({c.therapist for c in courses})
    ]
    out: list[Completion] = []
    for name, members in groups:
        attended = sum(c.attended_sessions for c in members)
        for instrument in instruments:
            done = sum(dict(c.completed).get(instrument, 0) for c in members)
            out.append(Completion(name, instrument, attended, done))
    return out


COMPLETION_COLUMNS = ("group", "instrument", "attended_sessions", "completed")


def completion_csv(rows: Sequence[Completion]) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(COMPLETION_COLUMNS)
    for r in rows:
        writer.writerow([r.group, r.instrument, r.attended, r.completed])
    return out.getvalue()
