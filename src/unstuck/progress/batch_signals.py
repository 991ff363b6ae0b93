"""The signals of a whole caseload at once: the vectorised twin of `unstuck.progress.signals`.

`signals.detect` looks at one client; this module computes the same signals, sentences,
flags and status for every client with polars expressions, instrument by instrument, with no
Python loop over clients. A test checks that both paths say the same words for every client.

Inputs are two frames made by `unstuck.progress.batch`:

- per measure (one row per client and instrument): ``_c`` (client code), ``n``, ``first``,
  ``last``, ``first_occasion``, ``last_occasion``, ``reliable_change``, ``alerts`` (sessions
  with a safety answer), ``recent`` (the last scores, oldest first) and ``total_sum``;
- per session (one row per client and session, sorted by client and session): ``_c``,
  ``attendance`` and ``date``.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import NormalDist

import polars as pl

from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.change import ChangeCriteria, criteria_for
from unstuck.progress.config import Thresholds
from unstuck.progress.course import CourseModel
from unstuck.progress.signals import FLAGS, RED

MISSED = ("cancelled", "no_show")
# Signal sentence columns, in the order `signals.detect` lists them (a drift has no flag and
# comes last).
SIGNAL_COLUMNS = {
    "safety": "sig_safety",
    "deterioration": "sig_deterioration",
    "not_on_track": "sig_not_on_track",
    "plateau": "sig_plateau",
}
DRIFT_COLUMN = "sig_drifting"


def recent_window(thresholds: Thresholds) -> int:
    """How many of the last scores per measure the signals need (plateau window; rupture 2)."""
    return max(thresholds.plateau.window, 2)


def measure_signals(
    part: pl.DataFrame,
    instrument: Instrument,
    models: Mapping[str, CourseModel],
    thresholds: Thresholds,
) -> pl.DataFrame:
    """Add one sentence column per signal (null where it does not fire) for one instrument."""
    none = pl.lit(None, pl.String)
    columns = dict.fromkeys([*SIGNAL_COLUMNS.values(), DRIFT_COLUMN, "rupture", "fb_fall"], none)
    if instrument.safety_items:
        columns["sig_safety"] = _safety(instrument)
    if instrument.id == thresholds.alliance_rupture.instrument:
        columns["rupture"] = _rupture(instrument, thresholds)
        columns["fb_fall"] = _feedback_fall(thresholds)
    else:
        criteria = criteria_for(instrument)
        if criteria is not None:
            columns["sig_deterioration"] = _deterioration(instrument, criteria.rule)
            columns["sig_plateau"] = _plateau(instrument, thresholds, criteria)
        if instrument.id in models:
            course, drift = _course(instrument, models[instrument.id], thresholds)
            columns["sig_not_on_track"], columns[DRIFT_COLUMN] = course, drift
    return part.with_columns(**columns)


def client_signals(
    per_measure: pl.DataFrame, sessions: pl.DataFrame, thresholds: Thresholds
) -> pl.DataFrame:
    """Status, flags and signal sentences per client code ``_c``, as `signals.detect` gives."""
    listed = [*SIGNAL_COLUMNS.values(), DRIFT_COLUMN]
    by_client = per_measure.group_by("_c").agg(
        *(pl.col(c).drop_nulls() for c in listed),
        pl.col("rupture").drop_nulls(),
        pl.col("fb_fall").drop_nulls().first(),
        enough=(pl.col("n") >= 2).any(),
    )
    # The reasons for a withdrawal risk, in the order `signals.withdrawal` gives them.
    reasons = pl.concat_list("attendance_reason", "gap_reason", "fb_fall").list.drop_nulls()
    joined = (
        by_client.join(_session_reasons(sessions, thresholds), on="_c", how="left")
        .with_columns(reasons=reasons)
        .with_columns(
            sig_withdrawal=pl.when(pl.col("reasons").list.len() > 0).then(
                pl.format("Withdrawal risk: {}.", pl.col("reasons").list.join("; "))
            )
        )
    )
    per_flag = {
        **{flag: pl.col(c) for flag, c in SIGNAL_COLUMNS.items()},
        "withdrawal_risk": _as_list(pl.col("sig_withdrawal")),
        "alliance_rupture": pl.col("rupture"),
    }
    assert tuple(per_flag) == FLAGS
    fired = {flag: expr.list.len() > 0 for flag, expr in per_flag.items()}
    flags = pl.concat_list(
        *(
            pl.when(hit).then(pl.lit(flag)).otherwise(pl.lit(None, pl.String))
            for flag, hit in fired.items()
        )
    ).list.drop_nulls()
    red = pl.any_horizontal(*(fired[f] for f in FLAGS if f in RED))
    any_signal = pl.any_horizontal(*fired.values(), pl.col(DRIFT_COLUMN).list.len() > 0)
    status = (
        pl.when(red)
        .then(pl.lit("off_track"))
        .when(any_signal)
        .then(pl.lit("at_risk"))
        .when(pl.col("enough"))
        .then(pl.lit("on_track"))
        .otherwise(pl.lit("insufficient_data"))
    )
    return joined.select(
        "_c",
        status=status,
        flags=flags,
        signals=pl.concat_list(*per_flag.values(), pl.col(DRIFT_COLUMN)),
    )


def _as_list(sentence: pl.Expr) -> pl.Expr:
    """A nullable sentence as a list of zero or one sentences."""
    return pl.concat_list(sentence).list.drop_nulls()


# -- per measure ------------------------------------------------------------------------


def _safety(instrument: Instrument) -> pl.Expr:
    alerts = pl.col("alerts")
    return pl.when(alerts.list.len() > 0).then(
        pl.format(
            w.SAFETY,
            pl.lit(instrument.name),
            pl.lit(instrument.safety_items[0]),
            w.sessions_expr(alerts),
        )
    )


def _deterioration(instrument: Instrument, rule: str) -> pl.Expr:
    fires = (pl.col("n") >= 2) & (pl.col("reliable_change") == "deteriorated")
    return pl.when(fires).then(
        pl.format(
            w.DETERIORATION,
            pl.lit(instrument.name),
            w.number_expr(pl.col("first")),
            pl.col("first_occasion"),
            w.number_expr(pl.col("last")),
            pl.col("last_occasion"),
            w.signed_expr(pl.col("last") - pl.col("first")),
            pl.lit(rule),
        )
    )


def _course(
    instrument: Instrument, model: CourseModel, thresholds: Thresholds
) -> tuple[pl.Expr, pl.Expr]:
    """The not_on_track sentence and the drifting one (mutually exclusive), as `signals.course`."""
    rule = thresholds.not_on_track
    first, last = pl.col("first"), pl.col("last")
    session = pl.col("last_occasion") - pl.col("first_occasion") + 1
    x = session.cast(pl.Float64).log()
    expected = first + (model.slope + model.slope_by_baseline * (first - model.center)) * x
    spread = (model.residual_sd**2 + (model.slope_sd * x) ** 2).sqrt()
    sign = -1.0 if model.higher_is_better else 1.0

    def limit(probability: float) -> pl.Expr:
        return expected + sign * NormalDist().inv_cdf(probability) * spread

    def worse(bound: pl.Expr) -> pl.Expr:
        return last < bound if model.higher_is_better else last > bound

    numbers = (
        pl.lit(instrument.name),
        w.number_expr(last),
        session,
        w.number_expr(first),
        w.number_expr(expected, places=1),
        pl.lit(w.number(round(rule.probability * 100, 1))),
        w.number_expr(limit(rule.probability), places=1),
        pl.lit("or higher" if model.higher_is_better else "or lower"),
        pl.lit(model.source),
    )
    judged = pl.col("n") >= 2
    off = judged & worse(limit(rule.probability))
    drifting = judged & ~off & worse(limit(rule.drifting_probability))
    return (
        pl.when(off).then(pl.format(w.NOT_ON_TRACK, *numbers)),
        pl.when(drifting).then(pl.format(w.DRIFTING, *numbers)),
    )


def _plateau(instrument: Instrument, thresholds: Thresholds, criteria: ChangeCriteria) -> pl.Expr:
    rule = thresholds.plateau
    recent = pl.col("recent").list.tail(rule.window)
    spread = recent.list.max() - recent.list.min()
    fires = (
        (pl.col("n") >= rule.min_sessions)
        & (pl.col("reliable_change") != "improved")
        & ~criteria.is_reliable(spread)
    )
    return pl.when(fires).then(
        pl.format(
            w.PLATEAU,
            pl.lit(instrument.name),
            pl.col("n"),
            w.number_expr(pl.col("first")),
            w.number_expr(pl.col("last")),
            pl.lit(rule.window),
            recent.list.eval(w.number_expr(pl.element())).list.join(", "),
            w.number_expr(spread),
            pl.lit(w.number(round(criteria.threshold, 2))),
        )
    )


def _rupture(instrument: Instrument, thresholds: Thresholds) -> pl.Expr:
    rule = thresholds.alliance_rupture
    last = pl.col("last")
    before = pl.col("recent").list.get(-2, null_on_oob=True)
    name = pl.lit(instrument.name)
    dropped = (pl.col("n") >= 2) & (before - last >= rule.drop)
    low = (pl.col("n") >= 1) & (last <= rule.floor)
    return (
        pl.when(dropped)
        .then(
            pl.format(
                w.RUPTURE_DROP,
                name,
                w.number_expr(before),
                w.number_expr(last),
                pl.col("last_occasion"),
                pl.lit(w.number(rule.drop)),
            )
        )
        .when(low)
        .then(
            pl.format(
                w.RUPTURE_LOW,
                name,
                w.number_expr(last),
                pl.col("last_occasion"),
                pl.lit(w.number(rule.floor)),
            )
        )
    )


def _feedback_fall(thresholds: Thresholds) -> pl.Expr:
    """The session-feedback reason for a withdrawal risk (the latest against earlier ones)."""
    fall = thresholds.withdrawal_risk.feedback_fall
    last = pl.col("last")
    earlier = (pl.col("total_sum") - last) / (pl.col("n") - 1)
    return pl.when((pl.col("n") >= 3) & (earlier - last >= fall)).then(
        pl.format(
            w.WITHDRAWAL_FEEDBACK,
            w.number_expr(last),
            w.number_expr(earlier, places=1),
            pl.lit(w.number(fall)),
        )
    )


# -- per client: attendance and gaps between sessions -------------------------------------


def _session_reasons(sessions: pl.DataFrame, thresholds: Thresholds) -> pl.DataFrame:
    """The attendance and gap reasons for a withdrawal risk, per client (null when none)."""
    rule = thresholds.withdrawal_risk
    recent = pl.col("attendance").tail(rule.window)
    attendance = sessions.group_by("_c").agg(
        missed=recent.is_in(MISSED).sum(),
        late=(recent == "late").sum(),
        booked=recent.len(),
    )
    missed, late = pl.col("missed"), pl.col("late")
    attendance = attendance.select(
        "_c",
        attendance_reason=pl.when(
            (missed >= rule.missed) | (missed + late >= rule.missed_or_late)
        ).then(
            pl.format(
                w.WITHDRAWAL_ATTENDANCE,
                missed,
                late,
                pl.col("booked"),
                pl.lit(rule.missed),
                pl.lit(rule.missed_or_late),
            )
        ),
    )
    # Gaps between consecutive dated sessions of the same client (sessions are sorted).
    dated = sessions.filter(pl.col("date").is_not_null()).select(
        "_c",
        gap=pl.when(pl.col("_c") == pl.col("_c").shift(1)).then(
            (pl.col("date") - pl.col("date").shift(1)).dt.total_days()
        ),
        is_last=pl.col("_c") != pl.col("_c").shift(-1).fill_null(-1),
    )
    gaps = dated.group_by("_c").agg(
        gaps=pl.col("gap").count(),
        latest=pl.col("gap").drop_nulls().last(),
        usual=pl.col("gap").filter(~pl.col("is_last")).median(),
    )
    latest, usual = pl.col("latest"), pl.col("usual")
    fires = (pl.col("gaps") >= 3) & (
        latest >= pl.max_horizontal(rule.gap_factor * usual, pl.lit(rule.min_gap_days))
    )
    gaps = gaps.select(
        "_c",
        gap_reason=pl.when(fires).then(
            pl.format(
                w.WITHDRAWAL_GAP,
                latest,
                w.number_expr(usual),
                pl.lit(w.number(rule.gap_factor)),
                pl.lit(rule.min_gap_days),
            )
        ),
    )
    return attendance.join(gaps, on="_c", how="left")
