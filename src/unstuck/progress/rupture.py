"""The alliance_rupture signal: a sharp fall in session feedback from one session to the next,
or else a low score (thresholds in thresholds.toml, `[alliance_rupture]`). Its conditions
(`rupture_fires`) are also read by the withdrawal signal, which leaves a fall that ruptures to
this flag (`signals.client_signals`), and by the dropout model's withdrawal rule score."""

from __future__ import annotations

import polars as pl

from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.config import RuptureRule, Thresholds
from unstuck.progress.rules import Rule


def rupture_fires(
    n: pl.Expr, last: pl.Expr, before: pl.Expr, rule: RuptureRule
) -> tuple[pl.Expr, pl.Expr]:
    """The rupture rule's two conditions on session feedback (`n` scores, the `last` and the
    one `before` it): a sharp fall from the previous score, or else a low score. Also read by
    the dropout model's withdrawal rule score (`dropout_features.withdrawal_rule_score`)."""
    dropped = (n >= 2) & (before - last >= rule.drop)
    return dropped, ~dropped.fill_null(False) & (n >= 1) & (last <= rule.floor)


def rupture_rules(instrument: Instrument, thresholds: Thresholds) -> list[Rule]:
    """A sharp fall in session feedback, or else a low score."""
    rule = thresholds.alliance_rupture
    name = pl.lit(instrument.name)
    dropped, low = rupture_fires(pl.col("n"), pl.col("last"), pl.col("recent_2"), rule)
    drop_text = pl.format(
        w.RUPTURE_DROP,
        name,
        pl.col("recent_2_text"),
        pl.col("last_text"),
        pl.col("last_occasion"),
        pl.lit(w.number(rule.drop)),
    )
    low_text = pl.format(
        w.RUPTURE_LOW,
        name,
        pl.col("last_text"),
        pl.col("last_occasion"),
        pl.lit(w.number(rule.floor)),
    )
    return [("alliance_rupture", dropped, drop_text), ("alliance_rupture", low, low_text)]
