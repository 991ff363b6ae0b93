"""The rules that read the expected course: not on track, and drifting towards its edge.

Part of the one implementation of the signals (`unstuck.progress.signals` gathers them): each
rule is a (name, when it fires, what it says) triple of polars expressions over the
per-measure frame, with the course's lines added as columns by `course_lines` first.
"""

from __future__ import annotations

import functools

import polars as pl

from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.config import Thresholds
from unstuck.progress.course import CourseModel
from unstuck.progress.rules import Rule

DRIFTING = "drifting"  # past the drift line of the expected course: at risk, but no flag


@functools.lru_cache(maxsize=256)
def course_lines(model: CourseModel, thresholds: Thresholds) -> dict[str, pl.Expr]:
    """The expected course's numbers the course rules read, worked out once per measure (the
    rules and their sentences then read columns, not the course's formula again each time):
    the expected score at the latest session, the not-on-track line there, and the drift
    line there and at the score before."""
    rule = thresholds.not_on_track

    def at(occasion: str) -> pl.Expr:  # log(session of the course), sessions from the first
        # log1p(n - 1) is log(n): polars' log with a base is several times slower on one row
        return (pl.col(occasion) - pl.col("first_occasion")).cast(pl.Float64).log1p()

    first = pl.col("first")
    return {
        "_expected": model.expected_at(first, at("last_occasion")),
        "_off_line": model.limit_at(first, at("last_occasion"), rule.probability),
        "_drift_line": model.limit_at(first, at("last_occasion"), rule.drifting_probability),
        "_drift_line_before": model.limit_at(
            first, at("previous_occasion"), rule.drifting_probability
        ),
    }


def course_rules(instrument: Instrument, model: CourseModel, thresholds: Thresholds) -> list[Rule]:
    """Not on track, or else drifting towards the edge of the expected course at the latest
    score and at the one before (a drift confirmed once, so one noisy score does not make it).
    The lines are `course_lines`' columns."""
    rule = thresholds.not_on_track
    # The sessions as the data numbers them (an intake may be session 0); the course itself
    # counts from the first score (`course_lines`).
    session = pl.col("last_occasion")

    def worse(score: str, line: str) -> pl.Expr:
        return (
            pl.col(score) < pl.col(line) if model.higher_is_better else pl.col(score) > pl.col(line)
        )

    def shown(column: str) -> pl.Expr:
        """A number of the course as the sentence writes it: within the scale's range (a
        course fitted as a straight line in log-sessions can run past 0, and 'about -0.2' on
        a 0-21 scale is no score)."""
        value = pl.col(column).clip(instrument.score_min, instrument.score_max)
        return w.number_expr(value, places=1)

    def numbers(probability: float, line: str, *before: pl.Expr) -> tuple[pl.Expr, ...]:
        """The sentence's numbers for the line at `probability` (and the score before)."""
        return (
            pl.lit(instrument.name),
            pl.col("last_text"),
            session,
            pl.col("first_text"),
            shown("_expected"),
            pl.lit(w.number(round(probability * 100, 1))),
            shown(line),
            pl.lit("or higher" if model.higher_is_better else "or lower"),
            *before,
            pl.lit(model.source),
        )

    judged = pl.col("n") >= 2
    off = judged & worse("last", "_off_line")
    drifting = (
        judged
        & ~off
        & worse("last", "_drift_line")
        & (pl.col("n") >= 3)
        & worse("recent_2", "_drift_line_before")
    )
    before = (pl.col("recent_2_text"), pl.col("previous_occasion"))
    return [
        ("not_on_track", off, pl.format(w.NOT_ON_TRACK, *numbers(rule.probability, "_off_line"))),
        (
            DRIFTING,
            drifting,
            pl.format(w.DRIFTING, *numbers(rule.drifting_probability, "_drift_line", *before)),
        ),
    ]
