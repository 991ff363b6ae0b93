"""Per measure, the columns the caseload summary writes about it: severity band positions,
recovery known only where it applies, and each measure's plain paragraph (numbers, verdict
and rule) as polars expressions."""

from __future__ import annotations

import numpy as np
import polars as pl

from unstuck.measures import band_index, fewest_answers
from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.change import ChangeCriteria
from unstuck.progress.classify import ChangeArrays


def verdicts(
    criteria: ChangeCriteria, arrays: ChangeArrays, known: np.ndarray
) -> tuple[pl.Series, np.ndarray]:
    """The few possible verdict sentences (reliable change, then recovery), and which one
    each row gets: looked up, so that only the numbers are formatted row by row."""
    by_direction = (w.DETERIORATED, w.UNCHANGED, w.IMPROVED)
    direction = arrays.direction.astype(np.int64) + 1
    if criteria.cutoff is None:
        return pl.Series([v.format(criteria.rule) for v in by_direction]), direction
    recovery = (w.NOT_A_CASE, w.RELIABLY_RECOVERED, w.RECOVERED_ONLY, w.NOT_RECOVERED)
    state = np.select([~known, arrays.reliably_recovered, arrays.recovered], [0, 1, 2], default=3)
    texts = [f"{v.format(criteria.rule)} {r}" for v in by_direction for r in recovery]
    return pl.Series(texts), direction * len(recovery) + state


def only_where(keep: np.ndarray, values: np.ndarray) -> pl.Expr:
    """Values where `keep`, null elsewhere (recovery is undefined unless a case at first)."""
    return pl.when(pl.lit(pl.Series(keep))).then(pl.lit(pl.Series(values, dtype=pl.Boolean)))


def band_positions(instrument: Instrument, totals: np.ndarray, size: int) -> pl.Series:
    idx = band_index(instrument, totals).astype(np.int64)
    return pl.Series(np.where(idx < 0, size - 1, idx))


def sentence_expr(name: str) -> pl.Expr:
    """Each measure's plain paragraph: the numbers, the verdict and the rule (`_verdict`
    holds the verdict sentences)."""
    first = pl.concat_str(pl.col("first_text"), pl.col("_first_label"))
    last = pl.concat_str(pl.col("last_text"), pl.col("_last_label"))
    one = pl.format(w.ONE_SCORE, pl.lit(name), first, pl.col("first_occasion"))
    change = pl.format(
        w.CHANGE + " {}",
        pl.lit(name),
        first,
        pl.col("first_occasion"),
        last,
        pl.col("last_occasion"),
        pl.col("n"),
        w.points_expr(pl.col("change_text")),
        pl.col("_verdict"),
    )
    return pl.when(pl.col("n") >= 2).then(change).otherwise(one)


def unknown_safety_sentence(instrument: Instrument) -> pl.Expr:
    """Sessions where the safety item has no answer (blank, or only a total was given)."""
    if not instrument.safety_items:
        return pl.lit(None, pl.String)
    blanks = pl.col("blanks")
    return pl.when(blanks.list.len() > 0).then(
        pl.format(
            w.SAFETY_UNKNOWN,
            pl.lit(instrument.name),
            pl.lit(instrument.safety_items[0]),
            w.sessions_expr(blanks),
        )
    )


def unscored_sentence(instrument: Instrument) -> pl.Expr:
    """Sessions whose questionnaire has no total because too many items were left blank
    (``unscored``), with the missing-item rule that withheld it (`fewest_answers`)."""
    k = len(instrument.items)
    if not k:  # a total alone is never too incomplete to score
        return pl.lit(None, pl.String)
    fewest = fewest_answers(instrument)
    rule = w.UNSCORED_ALL.format(k) if fewest == k else w.UNSCORED_RULE.format(fewest, k)
    unscored = pl.col("unscored")
    return pl.when(unscored.list.len() > 0).then(
        pl.format(w.UNSCORED, pl.lit(instrument.name), w.sessions_expr(unscored), pl.lit(rule))
    )
