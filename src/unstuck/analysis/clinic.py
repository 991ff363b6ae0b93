"""How a team's clients are doing, in aggregate: for a supervisor's page and a CSV export.

Per therapist and for the whole team: clients seen, how many have two scores to compare, and
of those the share reliably improved, recovered (NHS Talking Therapies: a case at the first
score and not at the last), reliably recovered, and reliably deteriorated, each with a Wilson
95% interval; episodes ended early without agreement, of those ended; open safety flags; and
plans due for review. Change is judged by the one rule of `unstuck.progress.change`
(`classify_change`), with the instrument's own criteria.

Figures describe the team's own caseload. Case mix differs between therapists (severity,
chronicity, who gets referred to whom), so a difference between two therapists' shares is no
verdict on either; with a handful of clients the intervals say how little a share can tell.
Pure: no Django, no I/O.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from unstuck.analysis.spreadsheet import SafeWriter
from unstuck.impasse.outcomes import Share, default_outcome_rules, wilson
from unstuck.progress.change import ChangeCriteria
from unstuck.progress.classify import classify_change

CASE_MIX = (
    "Case mix differs between therapists: severity, how long difficulties have lasted and who "
    "is referred to whom all shape these shares, so a difference between two therapists is "
    "no verdict on either. Shares are withheld below five clients."
)
ENDED_EARLY = "dropped_out"


@dataclass(frozen=True)
class Course:
    """One client's current episode, as the team page needs it (no answers, no notes)."""

    client: str
    therapist: str
    first: float | None  # first score of the main instrument
    last: float | None  # latest score
    ended: str | None  # how the episode ended; None while it is ongoing
    safety_open: bool
    plans_overdue: int | None  # None where plans are not known (a CSV file holds none)
    # For the retention curve, the figures over time and completion (empty when unknown):
    sessions: tuple[dt.date, ...] = ()  # dates of the attended sessions
    scores: tuple[tuple[dt.date, float], ...] = ()  # main instrument: (session date, total)
    ended_on: dt.date | None = None
    completed: tuple[tuple[str, int], ...] = ()  # (instrument, attended sessions with it)
    # Safety alerts not yet followed up by a recorded check; None where that is not known
    # (a CSV file holds answers, not the follow-ups the web app records).
    alerts_open: int | None = 0
    attended: int | None = None  # attended sessions when no dates are known (CSV input)

    @property
    def attended_sessions(self) -> int:
        return len(self.sessions) if self.attended is None else self.attended


@dataclass(frozen=True)
class Figures:
    group: str  # a therapist's name, or "All" for the team
    clients: int
    compared: int  # clients with a first and a later score
    improved: Share | None
    recovered: Share | None  # of those who were a case at the first score
    reliably_recovered: Share | None
    deteriorated: Share | None
    ended: int
    ended_early: int
    safety_open: int
    plans_overdue: int | None  # None: not known for some of the clients (CSV input)
    alerts_open: int | None = None  # None: not known for some of the clients (CSV input)


def _share(k: int, n: int, min_n: int) -> Share | None:
    if n < min_n:
        return None
    low, high = wilson(k, n)
    return Share(k, n, low, high)


def figures_for(group: str, courses: Sequence[Course], criteria: ChangeCriteria) -> Figures:
    min_n = default_outcome_rules().min_n
    judged = [
        classify_change(c.first, c.last, criteria)
        for c in courses
        if c.first is not None and c.last is not None
    ]
    cases = [j for j in judged if j.recovered is not None]
    ended = [c for c in courses if c.ended]
    return Figures(
        group=group,
        clients=len(courses),
        compared=len(judged),
        improved=_share(sum(j.reliable_change == "improved" for j in judged), len(judged), min_n),
        recovered=_share(sum(bool(j.recovered) for j in cases), len(cases), min_n),
        reliably_recovered=_share(
            sum(bool(j.reliably_recovered) for j in cases), len(cases), min_n
        ),
        deteriorated=_share(
            sum(j.reliable_change == "deteriorated" for j in judged), len(judged), min_n
        ),
        ended=len(ended),
        ended_early=sum(c.ended == ENDED_EARLY for c in ended),
        safety_open=sum(c.safety_open for c in courses),
        plans_overdue=_known_sum(c.plans_overdue for c in courses),
        alerts_open=_known_sum(c.alerts_open for c in courses),
    )


def _known_sum(counts: Iterable[int | None]) -> int | None:
    """The total, or None when any count is unknown (a partial sum would read as complete)."""
    total = 0
    for count in counts:
        if count is None:
            return None
        total += count
    return total


def team_figures(courses: Iterable[Course], criteria: ChangeCriteria) -> list[Figures]:
    """The whole team first ("All"), then each therapist by name."""
    courses = list(courses)
    therapists = sorted({c.therapist for c in courses})
    return [figures_for("All", courses, criteria)] + [
        figures_for(t, [c for c in courses if c.therapist == t], criteria) for t in therapists
    ]


COLUMNS = (
    "group",
    "clients",
    "compared",
    "improved",
    "recovered",
    "recovered_of",
    "reliably_recovered",
    "deteriorated",
    "ended",
    "ended_early",
    "safety_open",
    "plans_overdue",
    "safety_alerts_open",
)


def to_csv(rows: Sequence[Figures], *, endings_known: bool = True) -> str:
    """Counts only (a share is withheld as empty below the minimum), one row per group.

    Without `endings_known` (a caseload file read without how its episodes ended) ``ended``
    and ``ended_early`` are left empty: a 0 there would read as "no one ended early".
    """

    def k(share: Share | None) -> str:
        return "" if share is None else str(share.k)

    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(COLUMNS)
    for f in rows:
        writer.writerow(
            [
                f.group,
                f.clients,
                f.compared,
                k(f.improved),
                k(f.recovered),
                "" if f.recovered is None else f.recovered.n,
                k(f.reliably_recovered),
                k(f.deteriorated),
                *((f.ended, f.ended_early) if endings_known else ("", "")),
                f.safety_open,
                "" if f.plans_overdue is None else f.plans_overdue,
                "" if f.alerts_open is None else f.alerts_open,
            ]
        )
    return out.getvalue()
