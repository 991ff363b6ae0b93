"""How much a client has improved so far, against what most clients show by then: one rule
in two stages, thresholds in thresholds.toml (`[early_response]`, `[slow_response]`).

The recent scores (the mean of the latest two after the first, or the one there is) are less
than half a reliable change better than the first score, while still in the clinical range,
with no reliable worsening (the deterioration flag says more). From session 2 to 4 it is the
early-response note (no flag, no colour): in the first sessions many clients who go on to
improve have not moved yet. From session 5 it is the slow-response flag (yellow): most who
respond have begun to by then (Howard et al., 1986; Lutz et al., 2009, 2014). Half a reliable
change is the early-response literature's 20% (less than 20% improvement by week 2 foretells
non-response to antidepressants: Szegedi et al., 2009) at the typical first PHQ-9 of 15 (3 of
its 15 points, half its reliable change of 6), written in the scale's own reliable change so
that it holds for any scale, and it is the line the plateau rule draws between improving
steadily and not (docs/detection.md).
"""

from __future__ import annotations

import polars as pl

from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.change import ChangeCriteria
from unstuck.progress.config import Thresholds
from unstuck.progress.rules import Rule

EARLY = "early_response"  # a note: a sentence, no flag and no colour
SLOW = "slow_response"  # a flag (yellow)
# Changes this close to a threshold count as at it (floating-point noise, as in `change`).
EPS = 1e-9


def course_session() -> pl.Expr:
    """The latest score's session, counted from the first score (the first is session 1)."""
    return pl.col("last_occasion") - pl.col("first_occasion") + 1


def _so_far(
    instrument: Instrument, thresholds: Thresholds, criteria: ChangeCriteria
) -> tuple[pl.Expr, pl.Expr]:
    """When too little improvement so far holds (at any session), and its words: the scores,
    how far they moved, and whether still (or, from a first score outside it, now) in the
    clinical range."""
    half = thresholds.plateau.improving_share * criteria.threshold
    recent_count = thresholds.slow_response.recent
    n = pl.col("n")
    taken = pl.min_horizontal(n - 1, pl.lit(recent_count))  # scores after the first
    total = pl.sum_horizontal(
        pl.when(taken >= j).then(pl.col(f"recent_{j}")).otherwise(0.0)
        for j in range(1, recent_count + 1)
    )
    mean = total / taken
    better = (mean - pl.col("first")) if criteria.higher_is_better else (pl.col("first") - mean)
    holds = (n >= 2) & (better < half - EPS) & (pl.col("reliable_change") != "deteriorated")
    still = pl.lit("")
    if criteria.cutoff is not None:
        holds = holds & criteria.in_clinical_range(pl.col("last"))
        still = (
            pl.when(criteria.in_clinical_range(pl.col("first")))
            .then(pl.lit(w.SO_FAR_STILL))
            .otherwise(pl.lit(w.SO_FAR_NOW))
        )
    recent = (
        pl.when(taken >= 2)
        .then(pl.format(w.SO_FAR_MEAN, taken, w.number_expr(mean)))
        .otherwise(pl.lit(""))
    )
    size = w.points_expr(w.number_expr(better.abs()))
    how_far = (
        pl.when(better > EPS)
        .then(
            pl.format(
                w.SO_FAR_BETTER,
                size,
                pl.lit(w.number(round(half, 2))),
                pl.lit(w.points(w.number(round(criteria.threshold, 2)))),
            )
        )
        .when(better < -EPS)
        .then(pl.format(w.SO_FAR_WORSE, size))
        .otherwise(pl.lit(w.SO_FAR_SAME))
    )
    words = pl.format(
        "{} was {} at session {} and is {} at session {}{}, {}{}",
        pl.lit(instrument.name),
        pl.col("first_text"),
        pl.col("first_occasion"),
        pl.col("last_text"),
        pl.col("last_occasion"),
        recent,
        how_far,
        still,
    )
    return holds, words


def early_response_rule(
    instrument: Instrument, thresholds: Thresholds, criteria: ChangeCriteria
) -> Rule:
    """Too little improvement so far (`_so_far`) between sessions `from_session` and
    `to_session` of the course: a note."""
    rule = thresholds.early_response
    holds, words = _so_far(instrument, thresholds, criteria)
    fires = holds & course_session().is_between(rule.from_session, rule.to_session)
    return EARLY, fires, pl.format(w.EARLY_RESPONSE, words)


def slow_response_rule(
    instrument: Instrument, thresholds: Thresholds, criteria: ChangeCriteria, plateau: pl.Expr
) -> Rule:
    """Too little improvement so far (`_so_far`) from session `from_session` of the course
    on: a flag. A `plateau` says more, so it does not come with one; nor, from four scores,
    with a client improving steadily (``improving``: `signals.improving_steadily`; through
    three equally spaced scores the line is the first-to-latest change whatever the middle
    one, which would undo the averaging). The mean of two scores halves the weight of one
    noisy score, as the drift's confirmation on the next score does."""
    rule = thresholds.slow_response
    holds, words = _so_far(instrument, thresholds, criteria)
    fires = (
        holds
        & (course_session() >= rule.from_session)
        & ~plateau
        & ~(pl.col("improving") & (pl.col("n") >= 4))
    )
    return SLOW, fires, pl.format(w.SLOW_RESPONSE, words, pl.lit(rule.from_session))
