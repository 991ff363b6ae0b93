"""How long clients stay: a Kaplan-Meier retention curve over sessions, for the clinic.

Each episode is one line of the curve's data: how many sessions the client attended, and
whether the episode ended early without agreement (the event). Ongoing episodes, and those that
ended any other way (completed, referred, transferred), are *censored* at their last attended
session: we know the client stayed at least that long, not whether they would have dropped out
later. Kaplan-Meier (Kaplan & Meier 1958, the product-limit estimator) is the standard way to
draw such a curve without treating ongoing clients as if they had stayed or left.

At each number of sessions t where something happens, with n episodes still "at risk" (that
lasted at least t sessions) and d of them ending early after session t, the share still
attending is multiplied by (1 - d/n). A censored episode leaves the risk set after its time,
so an episode censored at t still counts as at risk at t (the usual convention, also that of
`lifelines`, against which the tests check these numbers).

Each step carries a 95% interval by the "exponential" Greenwood formula (Greenwood 1926;
Kalbfleisch & Prentice 2002), the one `lifelines` gives by default: on the log(-log) scale,
so the interval stays between 0 and 1, with variance sum(d / (n (n - d))) / log(S)^2. Where
nobody has ended early yet (S = 1) the interval is 1 to 1, as in `lifelines`; once every
episode still at risk has ended early (S = 0) it is 0 to 0.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from unstuck.plural import counted


@dataclass(frozen=True)
class Stay:
    """One episode: attended sessions so far, and whether it ended early without agreement."""

    sessions: int
    ended_early: bool


@dataclass(frozen=True)
class Step:
    sessions: int  # after this many attended sessions
    at_risk: int  # episodes that lasted at least this long
    ended_early: int  # of those, ended early after exactly this many sessions
    censored: int  # ongoing or ended otherwise, last seen after exactly this many
    retained: float  # estimated share still attending after this many sessions
    lower: float = 1.0  # its 95% interval (exponential Greenwood)
    upper: float = 1.0


def kaplan_meier(stays: Iterable[Stay]) -> list[Step]:
    """The product-limit estimate at every session count where an episode ends or is censored.

    Raises ValueError for a negative session count (a bug upstream, never a client's doing).
    """
    stays = list(stays)
    for stay in stays:
        if stay.sessions < 0:
            raise ValueError(f"an episode cannot have {stay.sessions} sessions")
    events = Counter(s.sessions for s in stays if s.ended_early)
    censored = Counter(s.sessions for s in stays if not s.ended_early)
    at_risk = len(stays)
    retained, greenwood = 1.0, 0.0
    steps: list[Step] = []
    for t in sorted(set(events) | set(censored)):
        d, c = events[t], censored[t]
        if d:
            retained *= 1.0 - d / at_risk
            if d < at_risk:
                greenwood += d / (at_risk * (at_risk - d))
        steps.append(Step(t, at_risk, d, c, retained, *_interval(retained, greenwood)))
        at_risk -= d + c
    return steps


Z95 = 1.959963984540054  # the normal quantile of 0.975


def _interval(retained: float, greenwood: float) -> tuple[float, float]:
    """The exponential Greenwood 95% interval of a Kaplan-Meier value."""
    if retained >= 1.0 or retained <= 0.0:
        return retained, retained
    log_s = math.log(retained)
    spread = Z95 * math.sqrt(greenwood) / abs(log_s)
    centre = math.log(-log_s)
    return math.exp(-math.exp(centre + spread)), math.exp(-math.exp(centre - spread))


def retained_at(steps: Sequence[Step], sessions: int) -> float:
    """The curve's value after `sessions` sessions (a step function, right-continuous)."""
    value = 1.0
    for step in steps:
        if step.sessions > sessions:
            break
        value = step.retained
    return value


def median_stay(steps: Sequence[Step]) -> int | None:
    """The first session count at which the share still attending is 50% or less; None if never."""
    for step in steps:
        if step.retained <= 0.5:
            return step.sessions
    return None


def summary(steps: Sequence[Step]) -> str:
    """A one-sentence text alternative for the chart."""
    if not steps:
        return "No episodes yet."
    total = steps[0].at_risk
    early = sum(s.ended_early for s in steps)
    if not early:  # "an estimated 100% ... fewer than half ended early" says nothing more
        return f"Of {counted(total, 'episode')}, none has ended early without agreement so far."
    last = steps[-1]
    median = median_stay(steps)
    half = (
        f"half had ended early by session {median}"
        if median is not None
        else "fewer than half ended early at any point"
    )
    return (
        f"Of {counted(total, 'episode')}, {early} ended early without agreement; an estimated "
        f"{last.retained:.0%} were still attending after {counted(last.sessions, 'session')}; "
        f"{half}."
    )


# The CSV says in words what the page's table says: survival analysis's "at risk" and
# "censored" would read as a status ("At risk") and as something hidden.
RETENTION_COLUMNS = (
    "sessions",
    "still_in_count",
    "ended_early",
    "last_seen_here",
    "share_still_attending",
    "share_lower_95",
    "share_upper_95",
)


def to_csv(steps: Sequence[Step]) -> str:
    """The curve as CSV text (the rows of `to_rows`), for the team page and `unstuck report`."""
    return "".join(",".join(row) + "\n" for row in to_rows(steps))


def to_rows(steps: Sequence[Step]) -> list[list[str]]:
    """The curve as CSV rows (header first); `retained` and its interval to four decimals."""
    rows = [list(RETENTION_COLUMNS)]
    for s in steps:
        rows.append(
            [
                str(s.sessions),
                str(s.at_risk),
                str(s.ended_early),
                str(s.censored),
                f"{s.retained:.4f}",
                f"{s.lower:.4f}",
                f"{s.upper:.4f}",
            ]
        )
    return rows
