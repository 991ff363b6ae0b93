"""Did things change after a plan began? Slopes of a score series before and after a session.

A least-squares slope (points per session) over each side of the split: simple, transparent
and robust enough for the handful of scores a plan review has. It describes what happened; it
does not claim the plan caused it (other things change in a client's life too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BeforeAfter:
    split: int  # the first session of the "after" side
    before_slope: float | None  # points per session; None with fewer than 2 scores
    after_slope: float | None
    before_n: int
    after_n: int
    before_last: float | None  # the last score before the split
    after_last: float | None  # the latest score since


def slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Ordinary least-squares slope of y on x; None with fewer than 2 distinct x values."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return sxy / sxx


def before_after(points: Sequence[tuple[float, float]], split: int) -> BeforeAfter:
    """Slopes of (session, score) points before `split` and from `split` on.

    The last score before the split is also counted on the "after" side, so that the first
    score after a plan is compared with where the client stood when it began.
    """
    before = sorted(p for p in points if p[0] < split)
    after = sorted(p for p in points if p[0] >= split)
    after_with_base = ([before[-1]] if before else []) + after
    return BeforeAfter(
        split=split,
        before_slope=slope(before),
        after_slope=slope(after_with_base) if after else None,
        before_n=len(before),
        after_n=len(after),
        before_last=before[-1][1] if before else None,
        after_last=after[-1][1] if after else None,
    )
