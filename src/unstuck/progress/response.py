"""How much a client has improved so far, against what most clients show by then: the early
response note (sessions 2-4) and the slow response flag (from session 5), thresholds in
thresholds.toml (`[early_response]`, `[slow_response]`).

Early change is among the strongest predictors of outcome (Howard et al., 1986; Lutz et al.,
2009, 2014; with antidepressants, Szegedi et al., 2009). In the first sessions many clients
who go on to improve have not yet moved, so too little change then is a note, not a colour;
from the fifth session, a client still in the clinical range whose recent scores are less than
half a reliable change better than the first is flagged (yellow), as most who respond have
begun to by then (docs/detection.md).
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


def early_response_rule(
    instrument: Instrument, thresholds: Thresholds, criteria: ChangeCriteria | None
) -> Rule | None:
    """Too little improvement early: between sessions `from_session` and `to_session` of
    the course, the latest score has come less than `min_improvement` of the way from the
    first score to the scale's best end, and is still in the clinical range. None when the
    scale's best end is unknown (a higher-is-better scale with no maximum)."""
    rule = thresholds.early_response
    if instrument.higher_is_better:
        if instrument.score_max is None:
            return None
        best = instrument.score_max
    else:  # a score-only scale with no range is taken to start at 0, as most do
        best = instrument.score_min if instrument.score_min is not None else 0.0
    first, last = pl.col("first"), pl.col("last")
    share = (last - first) / (best - first)  # the share of the way to the best end
    fires = (
        (pl.col("n") >= 2)
        & course_session().is_between(rule.from_session, rule.to_session)
        & ((best - first).abs() > EPS)
        & (share < rule.min_improvement - EPS)
    )
    where: pl.Expr = pl.lit("")  # a scale without a cutoff cannot say
    if criteria is not None and criteria.cutoff is not None:
        fires = fires & criteria.in_clinical_range(last)
        where = (
            pl.when(criteria.in_clinical_range(first))
            .then(pl.lit(w.EARLY_STILL))
            .otherwise(pl.lit(w.EARLY_NOW))
        )
    text = pl.format(
        w.EARLY_RESPONSE,
        pl.lit(instrument.name),
        pl.col("first_text"),
        pl.col("first_occasion"),
        pl.col("last_text"),
        pl.col("last_occasion"),
        pl.when(share < -EPS)  # worse than at the start: no "-50% of the way"
        .then(pl.lit(w.EARLY_AWAY.format(w.number(best))))
        .when(share < EPS)
        .then(pl.lit(w.EARLY_NONE.format(w.number(best))))
        .otherwise(
            pl.format(w.EARLY_SOME, w.number_expr(share * 100, places=0), pl.lit(w.number(best)))
        ),
        where,
        pl.lit(w.number(rule.min_improvement * 100)),
        pl.lit(rule.to_session),
    )
    return EARLY, fires, text


def slow_response_rule(
    instrument: Instrument,
    thresholds: Thresholds,
    criteria: ChangeCriteria,
    plateau: pl.Expr,
) -> Rule:
    """Little improvement so far: from session `from_session` of the course, the mean of
    the latest `recent` scores after the first is less than `plateau.improving_share` of a
    reliable change better than the first score, the latest is still in the clinical range
    (a scale without a cutoff cannot say), and, from four scores, the client is not
    improving steadily (``improving``: `signals.improving_steadily`; through three equally
    spaced scores the line is the first-to-latest change whatever the middle one, which would
    undo the averaging). A reliable worsening is the deterioration flag's and a `plateau`
    says more, so neither comes with this one. The mean of two scores halves the weight of
    one noisy score, as the drift's confirmation on the next score does."""
    rule = thresholds.slow_response
    half = thresholds.plateau.improving_share * criteria.threshold
    n = pl.col("n")
    taken = pl.min_horizontal(n - 1, pl.lit(rule.recent))  # scores after the first
    total = pl.sum_horizontal(
        pl.when(taken >= j).then(pl.col(f"recent_{j}")).otherwise(0.0)
        for j in range(1, rule.recent + 1)
    )
    mean = total / taken
    better = (mean - pl.col("first")) if criteria.higher_is_better else (pl.col("first") - mean)
    fires = (
        (n >= 2)
        & (course_session() >= rule.from_session)
        & (better < half - EPS)
        & (pl.col("reliable_change") != "deteriorated")
        & ~plateau
        & ~(pl.col("improving") & (n >= 4))
    )
    still = pl.lit("")
    if criteria.cutoff is not None:
        fires = fires & criteria.in_clinical_range(pl.col("last"))
        still = pl.lit(w.SLOW_STILL)
    recent = (
        pl.when(taken >= 2)
        .then(pl.format(w.SLOW_MEAN, taken, w.number_expr(mean)))
        .otherwise(pl.lit(""))
    )
    size = w.points_expr(w.number_expr(better.abs()))
    how_far = (
        pl.when(better > EPS)
        .then(
            pl.format(
                w.SLOW_BETTER,
                size,
                pl.lit(w.number(round(half, 2))),
                pl.lit(w.points(w.number(round(criteria.threshold, 2)))),
            )
        )
        .when(better < -EPS)
        .then(pl.format(w.SLOW_WORSE, size))
        .otherwise(pl.lit(w.SLOW_SAME))
    )
    text = pl.format(
        w.SLOW_RESPONSE,
        pl.lit(instrument.name),
        pl.col("first_text"),
        pl.col("first_occasion"),
        pl.col("last_text"),
        pl.col("last_occasion"),
        recent,
        how_far,
        still,
        pl.lit(rule.from_session),
    )
    return SLOW, fires, text
