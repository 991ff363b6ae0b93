"""Score a matrix of answers with `score_expressions` (the polars rules the CSV path uses),
for tests that compare it with `score_answers` (the one-questionnaire path)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from unstuck.measures import Instrument, score_expressions


@dataclass(frozen=True)
class FrameScores:
    total: np.ndarray  # float64, NaN where there is no total
    prorated: np.ndarray
    n_missing: np.ndarray
    safety_alert: np.ndarray
    safety_unanswered: np.ndarray
    invalid: np.ndarray  # (n, k)


def score_frame(instrument: Instrument, answers: np.ndarray) -> FrameScores:
    """One row per questionnaire, one column per item, NaN for a blank."""
    answers = np.asarray(answers, dtype=np.float64)
    names = [f"item_{i.number}" for i in instrument.items]
    frame = pl.DataFrame(
        {n: pl.Series(answers[:, j]).fill_nan(None) for j, n in enumerate(names)},
        schema=dict.fromkeys(names, pl.Float64),
    )
    exprs = score_expressions(instrument, names)
    out = frame.with_columns(*exprs.shared).select(
        exprs.total.alias("total"),
        exprs.prorated.alias("prorated"),
        exprs.n_missing.alias("n_missing"),
        exprs.safety_alert.alias("alert"),
        exprs.safety_unanswered.alias("blank"),
        *(bad.alias(f"bad_{j}") for j, bad in enumerate(exprs.invalid)),
    )
    return FrameScores(
        total=out["total"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
        prorated=out["prorated"].to_numpy(),
        n_missing=out["n_missing"].to_numpy().astype(np.int64),
        safety_alert=out["alert"].to_numpy(),
        safety_unanswered=out["blank"].to_numpy(),
        invalid=out.select(f"bad_{j}" for j in range(len(names))).to_numpy().astype(bool),
    )
