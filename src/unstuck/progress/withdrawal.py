"""The withdrawal-risk signal, per client: attendance, gaps between sessions, resistance
markers and falling session feedback, in one sentence (thresholds in thresholds.toml).

Sessions missed or spaced out by a client who has improved enough to think of ending are a
note, not a flag: clients often end when they feel they have improved enough (the
"good-enough level": Barkham et al., 2006; Stiles, Barkham, Connell & Mellor-Clark, 2008), so
the useful step is to talk about how and when to end, not to raise an alarm. Improved enough
means, for every outcome measure, still improving steadily (`signals.improving_steadily`) and
the latest score out of the clinical range (`ending_in_view`), with no safety answer in the
data summarised: a client still in the clinical range, or with a safety answer, who misses
sessions keeps the flag. Signs of pulling back in the room, or falling session feedback,
keep the flag whatever the scores do.

A fall in session feedback that also raises `alliance_rupture` (the same latest score, read by
that rule) is left to that flag: one number, one flag. The reasons that fired are given with
the flag (``reasons``), so a next step can follow them: missed sessions or gaps call for
reaching out about coming, the others for asking how the sessions feel."""

from __future__ import annotations

import polars as pl

from unstuck.progress import wording as w
from unstuck.progress.batch_sessions import gaps as session_gaps
from unstuck.progress.change import ChangeCriteria
from unstuck.progress.config import Thresholds, WithdrawalRule
from unstuck.progress.rules import FIRED_SCHEMA, Rule, fire

# The reasons for a withdrawal risk, in the order the sentence gives them.
REASONS = {"attendance": 0, "gap": 1, "markers": 2, "feedback": 3}
# Reasons that are only a note while the client's scores improve steadily.
ABSENCE = ("attendance", "gap")
# The note's name (no flag, no colour; `signals.UNFLAGGED`).
MISSING_WHILE_IMPROVING = "missing_while_improving"
# What `withdrawal_signals` gives: a fired signal's columns, and the names of its reasons.
SIGNALS_SCHEMA = pl.Schema({**FIRED_SCHEMA, "reasons": pl.List(pl.String)})


# -- the four reasons' conditions: one rule each, also read by the dropout model's features
# (`dropout_features.withdrawal_rule_score`), which names the same numbers differently.


def attendance_fires(missed: pl.Expr, late: pl.Expr, rule: WithdrawalRule) -> pl.Expr:
    """Of the last `window` booked sessions, enough missed, or missed or late."""
    return (missed >= rule.missed) | (missed + late >= rule.missed_or_late)


def gap_fires(latest: pl.Expr, usual: pl.Expr, rule: WithdrawalRule) -> pl.Expr:
    """The latest gap between sessions `gap_factor` times the usual one, and long in days."""
    return latest >= pl.max_horizontal(rule.gap_factor * usual, pl.lit(rule.min_gap_days))


def markers_fires(noticed: pl.Expr, rule: WithdrawalRule) -> pl.Expr:
    """Signs of pulling back noted in the last `window` sessions."""
    return noticed >= rule.markers


def feedback_fires(n: pl.Expr, earlier: pl.Expr, latest: pl.Expr, rule: WithdrawalRule) -> pl.Expr:
    """Session feedback (3 scores or more) fallen from the mean of the earlier ones."""
    return (n >= 3) & (earlier - latest >= rule.feedback_fall)


def ending_in_view(improving: pl.Expr, criteria: ChangeCriteria) -> pl.Expr:
    """One outcome measure has improved enough for missed sessions to be a note: still
    improving steadily (`improving`: `signals.improving_steadily`) and its latest score out
    of the clinical range. A scale without a cutoff cannot show that, so it keeps the flag."""
    if criteria.cutoff is None:
        return pl.lit(False)
    return improving & ~criteria.in_clinical_range(pl.col("last"))


def withdrawal_signals(
    per_measure: pl.DataFrame,
    counts: pl.DataFrame,
    sessions: pl.DataFrame,
    thresholds: Thresholds,
    ruptured: pl.DataFrame,
) -> pl.DataFrame:
    """The withdrawal_risk signal per client (SIGNALS_SCHEMA): its reasons, in this order
    (attendance, gaps, resistance markers, session feedback), in one sentence, and their
    names (``reasons``). Clients in `ruptured` (``_c``: alliance_rupture raised on their
    latest session feedback) have no feedback reason: that fall is the rupture flag's."""
    rule = thresholds.withdrawal_risk
    missed, late = pl.col("missed"), pl.col("late")
    attendance_rule: Rule = (
        "attendance",
        attendance_fires(missed, late, rule),
        pl.format(
            w.WITHDRAWAL_ATTENDANCE,
            missed,
            late,
            pl.col("booked"),
            pl.lit(rule.missed),
            pl.lit(rule.missed_or_late),
        ),
    )
    markers_rule: Rule = (
        "markers",
        markers_fires(pl.col("noticed"), rule),
        pl.format(w.WITHDRAWAL_MARKERS, pl.col("noticed"), pl.col("booked"), pl.lit(rule.markers)),
    )
    gaps = session_gaps(sessions, thresholds)
    latest, usual = pl.col("latest"), pl.col("usual")
    gap_rule: Rule = (
        "gap",
        gap_fires(latest, usual, rule),
        pl.format(
            w.WITHDRAWAL_GAP,
            latest,
            w.number_expr(usual),
            pl.lit(w.number(rule.gap_factor)),
            pl.lit(rule.min_gap_days),
        ),
    )
    # Session feedback: the latest against the mean of the earlier ones, unless it ruptured.
    feedback = per_measure.filter(pl.col("instrument") == thresholds.alliance_rupture.instrument)
    if ruptured.height:
        feedback = feedback.join(ruptured, on="_c", how="anti")
    last = pl.col("last")
    earlier = pl.col("earlier_sum") / (pl.col("n") - 1)
    feedback_rule: Rule = (
        "feedback",
        feedback_fires(pl.col("n"), earlier, last, rule),
        pl.format(
            w.WITHDRAWAL_FEEDBACK,
            pl.col("last_text"),
            w.number_expr(earlier, places=1),
            pl.lit(w.number(rule.feedback_fall)),
        ),
    )
    fired = [fire(counts, [attendance_rule, markers_rule], ""), fire(gaps, [gap_rule], "")]
    if "earlier_sum" in feedback.columns:  # absent when no one gave session feedback
        fired.append(fire(feedback, [feedback_rule], ""))
    reasons = pl.concat(fired)
    if reasons.is_empty():  # most clients, and most one-client updates
        return SIGNALS_SCHEMA.to_frame()
    # The note instead of the flag: every outcome measure that can tell (one with a change
    # rule) has an ending in view, at least one can tell, and no measure holds a safety answer.
    outcome = pl.col("ending").is_not_null() & (
        pl.col("instrument") != thresholds.alliance_rupture.instrument
    )
    enough = per_measure.group_by("_c").agg(
        ending=pl.col("ending").filter(outcome).all()
        & outcome.any()
        & (pl.col("alerts").list.len() == 0).all()
    )
    gathered = (
        reasons.sort(pl.col("_c"), pl.col("flag").replace_strict(REASONS))
        .group_by("_c", maintain_order=True)
        .agg(
            said=pl.col("text").str.join("; "),
            reasons="flag",
            absence_only=pl.col("flag").is_in(ABSENCE).all(),
        )
        .join(enough, on="_c", how="left", maintain_order="left")
    )
    note = pl.col("absence_only") & pl.col("ending").fill_null(False)
    return gathered.select(
        "_c",
        flag=pl.when(note)
        .then(pl.lit(MISSING_WHILE_IMPROVING))
        .otherwise(pl.lit("withdrawal_risk")),
        instrument=pl.lit(""),
        text=pl.when(note)
        .then(pl.format(w.MISSING_WHILE_IMPROVING, pl.col("said")))
        .otherwise(pl.format(w.WITHDRAWAL, pl.col("said"))),
        reasons="reasons",
    )
