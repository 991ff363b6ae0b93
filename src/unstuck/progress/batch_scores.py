"""Each client's scores on one instrument, gathered per client for the signals: first and
last, how many, the latest few, the line through them, the sessions with a safety answer, and
those whose questionnaire could not be scored (`scores_per_client`). Part of the caseload
path (`unstuck.progress.batch`), which a one-client update runs too."""

from __future__ import annotations

import numpy as np
import polars as pl

from unstuck.progress.batch_sessions import run_bounds
from unstuck.progress.config import Thresholds
from unstuck.progress.rules import ENGINE
from unstuck.progress.runs import fitted_change, sums_in_order
from unstuck.progress.signals import recent_window


def scores_per_client(rows: pl.DataFrame, thresholds: Thresholds, feedback: bool) -> pl.DataFrame:
    """One instrument's rows (in client and session order) gathered per client: the first
    and last scores and their sessions, how many, the latest few (``recent_1`` the latest,
    ``recent_2`` the one before, ...), the sessions with a safety answer or a blank safety
    item, the sessions whose questionnaire has no total as too many items were left blank
    (``unscored``), and for session feedback the sum of the scores before the last
    (``earlier_sum``).

    The rows are sorted by client, so each client's rows are a run: the first, last and
    latest few are read at the runs' ends with numpy, where a group-by would gather lists.
    """
    every = rows.get_column("_c").to_numpy()
    firsts = run_bounds(every)[0]  # each client's first row: its code and id
    codes = every
    total = rows.get_column("total").to_numpy()
    # Kept without a total, as too many items were left blank: no score, but named.
    unscored = rows.get_column("incomplete").fill_null(False).to_numpy() & np.isnan(total)
    # Only a safety answer of an unknown session has no occasion, and it has no total.
    occasion = rows.get_column("occasion").fill_null(-1).to_numpy()
    if rows.get_column("total").has_nulls():  # scored rows only (a null is NaN in numpy)
        has = ~np.isnan(total)
        codes, total, occasion = codes[has], total[has], occasion[has]
    starts, ends = run_bounds(codes)
    n = ends - starts
    # The j-th latest score is read at each run's end and blanked (in the one query below)
    # where the client has fewer than j scores: few calls into polars, as a one-client
    # update makes many of these.
    back = range(1, recent_window(thresholds) + 1)
    scores = pl.DataFrame(
        {
            "_c": codes[starts],
            "n": n.astype(np.int64),
            "trend": fitted_change(total, starts, n),
            "first_occasion": occasion[starts],
            "last_occasion": occasion[ends - 1],
            # the session of the score before the latest (the drift is confirmed on it)
            "previous_occasion": occasion[np.maximum(ends - 2, starts)],
            "first": total[starts],
            "last": total[ends - 1],
            **{f"recent_{j}": total[np.maximum(ends - j, starts)] for j in back},
            **({"earlier_sum": sums_in_order(total, starts, n - 1)} if feedback else {}),
        }
    ).lazy()
    enough = {
        name: pl.when(pl.col("n") >= j).then(pl.col(name))
        for name, j in (("previous_occasion", 2), *((f"recent_{j}", j) for j in back))
    }
    scores = scores.with_columns(**enough)
    ids = rows.get_column("client_id").gather(firsts)
    if len(firsts) == len(starts):  # every client has a score: one row each, in order already
        scores = scores.select("_c", pl.lit(ids).alias("client_id"), pl.exclude("_c"))
    else:
        keys = pl.DataFrame({"_c": every[firsts], "client_id": ids}).lazy()
        scores = keys.join(scores, on="_c", how="left", maintain_order="left")
    scores = _with_unscored(scores, rows, unscored)  # also of a client with no score
    # Safety answers are rare: list their sessions from the few rows that have them, and
    # for the clients with a positive answer, when the latest was and which later
    # questionnaires answered the item 0 (answered, not above 0). After an answer of an
    # unknown session (the last alert is null) no later answer can be told, so none is.
    occ = pl.col("occasion")
    lists = ("alerts", "blanks", "cleared")
    flagged = (
        rows.get_column("safety_alert").to_numpy() | rows.get_column("safety_unanswered").to_numpy()
    )
    if not flagged.any():  # most clients: no safety answer to list (a one-client update)
        return scores.with_columns(
            pl.col("n").fill_null(0),
            *(pl.lit([], dtype=pl.List(pl.Int64)).alias(name) for name in lists),
            alert_date=pl.lit(None, dtype=rows.schema["date"]),
        ).collect(engine=ENGINE)
    safety = (
        rows.filter(pl.col("safety_alert") | pl.col("safety_unanswered"))
        .group_by(pl.col("_c").set_sorted(), maintain_order=True)
        .agg(
            # an unknown session is a null, after the known ones (rows sort nulls last)
            alerts=occ.filter(pl.col("safety_alert")),
            blanks=occ.filter(pl.col("safety_unanswered")),
            alert_date=pl.col("date").filter(pl.col("safety_alert") & occ.is_not_null()).last(),
        )
    )
    alerted = safety.filter(pl.col("alerts").list.len() > 0).select(
        "_c", last_alert=pl.col("alerts").list.last()
    )
    # Later sessions whose questionnaire answered the safety item 0: a questionnaire there (a
    # total) with the item neither positive nor left blank. A session without one (missed,
    # or nothing given) says nothing about risk and must never read as "answered it 0".
    cleared = (
        rows.lazy()
        .select("_c", "occasion", "safety_alert", "safety_unanswered", "total")
        .join(alerted.lazy(), on="_c", maintain_order="left")
        .filter(
            (occ > pl.col("last_alert"))
            & pl.col("total").is_not_null()
            & ~pl.col("safety_alert")
            & ~pl.col("safety_unanswered")
        )
        .group_by(pl.col("_c").set_sorted(), maintain_order=True)
        .agg(cleared=occ)
        .collect(engine=ENGINE)
        if alerted.height
        else pl.DataFrame(schema={"_c": pl.Int64, "cleared": pl.List(pl.Int64)})
    )
    safety = safety.join(cleared, on="_c", how="left", maintain_order="left")
    return (
        scores.join(safety.lazy(), on="_c", how="left", maintain_order="left")
        .with_columns(
            pl.col("n").fill_null(0),
            pl.col(*lists).fill_null(pl.lit([], dtype=pl.List(pl.Int64))),
        )
        .collect(engine=ENGINE)
    )


def _with_unscored(scores: pl.LazyFrame, rows: pl.DataFrame, unscored: np.ndarray) -> pl.LazyFrame:
    """`scores` with ``unscored``: each client's sessions (in order) where `unscored` marks
    a row, an empty list for most clients."""
    none = pl.lit([], dtype=pl.List(pl.Int64))
    if not unscored.any():  # most caseloads, and a one-client update
        return scores.with_columns(none.alias("unscored"))
    found = (
        rows.lazy()
        .filter(pl.lit(pl.Series(unscored)))
        .group_by(pl.col("_c").set_sorted(), maintain_order=True)
        .agg(unscored=pl.col("occasion"))
    )
    return scores.join(found, on="_c", how="left", maintain_order="left").with_columns(
        pl.col("unscored").fill_null(none)
    )
