"""Score questionnaires: totals, severity bands, the missing-item rule and safety items.

Two paths that must agree (a property test checks it): `score_answers` for one completed
questionnaire and `score_matrix` for a million at once (numpy, no loop over rows).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from unstuck.errors import InvalidAnswer, InvalidValue
from unstuck.measures.model import Instrument


@dataclass(frozen=True)
class Score:
    total: float | None  # None when too many items are missing: never a silent zero
    answered: int
    missing_items: tuple[int, ...]
    prorated: bool
    severity: str | None
    safety_alert: bool  # an answered safety item above 0
    safety_unanswered: tuple[int, ...]  # safety items left blank: never read as "no risk"


def _round_half_up(x: float) -> float:
    # Bands are defined on whole numbers, so a prorated total is rounded; half up, not to
    # even, so that 13.5 is 14 whichever way the answers fell.
    return float(math.floor(x + 0.5))


def score_answers(instrument: Instrument, answers: Sequence[int | None]) -> Score:
    """Score one questionnaire. `None` marks a skipped item."""
    k = len(instrument.items)
    if len(answers) != k:
        raise InvalidValue(
            "answers", len(answers), f"{instrument.name} has {k} items; got {len(answers)} answers"
        )
    missing: list[int] = []
    given: list[int] = []
    for item, answer in zip(instrument.items, answers, strict=True):
        if answer is None:
            missing.append(item.number)
            continue
        allowed = [o.value for o in item.options]
        if answer not in allowed or isinstance(answer, bool):
            raise InvalidAnswer(
                f"item_{item.number}", answer, f"must be one of {', '.join(map(str, allowed))}"
            )
        given.append(answer)
    safety_alert = any(
        a is not None and a > 0
        for it, a in zip(instrument.items, answers, strict=True)
        if it.safety
    )
    safety_blank = tuple(n for n in missing if instrument.items[n - 1].safety)
    allowed_missing = instrument.missing.max_missing if instrument.missing else 0
    total: float | None
    if len(missing) > allowed_missing:
        total = None
    elif missing:
        total = _round_half_up(sum(given) / len(given) * k)
    else:
        total = float(sum(given))
    return Score(
        total=total,
        answered=len(given),
        missing_items=tuple(missing),
        prorated=bool(missing) and total is not None,
        severity=None if total is None else severity_of(instrument, total),
        safety_alert=safety_alert,
        safety_unanswered=safety_blank,
    )


def severity_of(instrument: Instrument, total: float) -> str | None:
    for band in instrument.bands:
        if band.low <= total <= band.high:
            return band.name
    return None


def check_total(
    instrument: Instrument, total: float, *, field: str = "score", row: int | None = None
) -> float:
    lo = -math.inf if instrument.score_min is None else instrument.score_min
    hi = math.inf if instrument.score_max is None else instrument.score_max
    if not math.isfinite(total) or not lo <= total <= hi:
        raise InvalidValue(field, total, f"{instrument.name} totals run from {lo:g} to {hi:g}", row)
    return total


@dataclass(frozen=True)
class ScoreArrays:
    total: np.ndarray  # float64; NaN where too many items are missing or an answer is invalid
    prorated: np.ndarray
    n_missing: np.ndarray
    safety_alert: np.ndarray
    safety_unanswered: np.ndarray
    invalid: np.ndarray  # (n, k): an answer that is not one of the item's option values


def score_matrix(instrument: Instrument, answers: np.ndarray) -> ScoreArrays:
    """Score many questionnaires at once; `answers` is float (n, k) with NaN for blanks."""
    answers = np.asarray(answers, dtype=np.float64)
    k = len(instrument.items)
    if answers.ndim != 2 or answers.shape[1] != k:
        raise InvalidValue("answers", answers.shape, f"{instrument.name} needs {k} columns")
    blank = np.isnan(answers)
    invalid = np.zeros(answers.shape, dtype=bool)
    for j, item in enumerate(instrument.items):
        values = sorted(o.value for o in item.options)
        column = answers[:, j]
        if values == list(range(values[0], values[-1] + 1)):
            # Whole numbers from min to max: a range check is enough, and much faster.
            with np.errstate(invalid="ignore"):
                invalid[:, j] = ~blank[:, j] & (
                    (column < values[0]) | (column > values[-1]) | (column != np.floor(column))
                )
        else:
            invalid[:, j] = ~blank[:, j] & ~np.isin(column, np.asarray(values, dtype=float))
    n_missing = blank.sum(axis=1)
    answered = k - n_missing
    sums = np.where(blank, 0.0, answers).sum(axis=1)
    allowed = instrument.missing.max_missing if instrument.missing else 0
    ok = (n_missing <= allowed) & ~invalid.any(axis=1) & (answered > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        prorated_total = np.floor(sums / answered * k + 0.5)
    total = np.where(n_missing == 0, sums, prorated_total)
    total = np.where(ok, total, np.nan)
    safety_cols = [j for j, it in enumerate(instrument.items) if it.safety]
    if safety_cols:
        s = answers[:, safety_cols]
        safety_alert = (~np.isnan(s) & (np.nan_to_num(s) > 0)).any(axis=1)
        safety_unanswered = np.isnan(s).any(axis=1)
    else:
        safety_alert = np.zeros(len(answers), dtype=bool)
        safety_unanswered = np.zeros(len(answers), dtype=bool)
    return ScoreArrays(
        total=total,
        prorated=ok & (n_missing > 0),
        n_missing=n_missing,
        safety_alert=safety_alert,
        safety_unanswered=safety_unanswered,
        invalid=invalid,
    )


def band_index(instrument: Instrument, totals: np.ndarray) -> np.ndarray:
    """Index into `instrument.bands` for each total; -1 for NaN or outside every band."""
    totals = np.asarray(totals, dtype=np.float64)
    out = np.full(totals.shape, -1, dtype=np.int64)
    for i, band in enumerate(instrument.bands):
        out[(totals >= band.low) & (totals <= band.high)] = i
    return out


def score_expressions(instrument: Instrument, columns: Sequence[str | None]) -> ScoreExpressions:
    """The polars twin of `score_matrix`, for scoring inside a data frame.

    `columns[j]` names the column holding item j + 1 (None: the column does not exist, so
    the item is blank). The expressions follow exactly the rules of `score_matrix`; a test
    checks that they agree.
    """
    if len(columns) != len(instrument.items):
        raise ValueError(f"{instrument.name} needs {len(instrument.items)} columns")
    k = len(instrument.items)
    answer = [pl.col(c) if c else pl.lit(None, pl.Float64) for c in columns]
    invalid: list[pl.Expr] = []
    for item, a in zip(instrument.items, answer, strict=True):
        values = sorted(o.value for o in item.options)
        if values == list(range(values[0], values[-1] + 1)):
            bad = (a < values[0]) | (a > values[-1]) | (a != a.floor())
        else:
            bad = ~a.is_in([float(v) for v in values])
        invalid.append(bad.fill_null(False))
    n_missing = pl.sum_horizontal(*(a.is_null().cast(pl.Int32) for a in answer))
    sums = pl.sum_horizontal(*(a.fill_null(0.0) for a in answer))
    allowed = instrument.missing.max_missing if instrument.missing else 0
    ok = (n_missing <= allowed) & ~pl.any_horizontal(*invalid) & (n_missing < k)
    prorated_total = (sums / (k - n_missing) * k + 0.5).floor()
    total = pl.when(ok).then(pl.when(n_missing == 0).then(sums).otherwise(prorated_total))
    safety = [a for item, a in zip(instrument.items, answer, strict=True) if item.safety]
    return ScoreExpressions(
        total=total,
        prorated=ok & (n_missing > 0),
        n_missing=n_missing,
        safety_alert=pl.any_horizontal(*((a > 0).fill_null(False) for a in safety))
        if safety
        else pl.lit(False),
        safety_unanswered=pl.any_horizontal(*(a.is_null() for a in safety))
        if safety
        else pl.lit(False),
        invalid=tuple(invalid),
    )


@dataclass(frozen=True)
class ScoreExpressions:
    total: pl.Expr  # null where too many items are blank or an answer is invalid
    prorated: pl.Expr
    n_missing: pl.Expr
    safety_alert: pl.Expr
    safety_unanswered: pl.Expr
    invalid: tuple[pl.Expr, ...]  # per item: answered but not one of the options
