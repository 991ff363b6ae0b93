"""Score questionnaires: totals, the missing-item rule, severity bands and safety items.

Two paths follow the same rules and are tested to agree (hypothesis property tests):

- `score_answers` scores one completed questionnaire (the interactive path, which raises
  `InvalidAnswer` for a bad answer);
- `score_expressions` builds the same rules as polars expressions, for scoring a file inside
  a frame (bad answers are marked per item, for the CSV check to report).

The rules
---------
- A skipped item is never read as 0. When no more than ``instrument.missing.max_missing``
  items are blank, the total is *prorated*: the mean of the answered items times the number of
  items, rounded half up to a whole number. Bands and thresholds are defined on whole-number
  totals (PHQ-9 10 = "moderate"), so a prorated 9.6 has to become a whole number to be read
  against them, and half up (not Python's round-half-to-even) makes 10.5 always 11. With more
  blanks there is no total (``None`` / NaN), never a silent zero.
- A safety item answered above 0 raises ``safety_alert`` (and is listed in
  ``safety_raised``), whatever happens to the total. A
  *blank* safety item is listed in ``safety_unanswered``: it means "risk not checked", which
  a caller must say out loud, never "no risk".
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from unstuck.errors import InvalidAnswer, InvalidValue
from unstuck.measures.model import Instrument, Item


@dataclass(frozen=True)
class Score:
    """The score of one completed questionnaire."""

    total: float | None  # None when too many items are missing: never a silent zero
    answered: int
    missing_items: tuple[int, ...]  # 1-based item numbers
    prorated: bool
    severity: str | None  # band name; None without bands or without a total
    safety_raised: tuple[int, ...]  # safety items answered above 0
    safety_unanswered: tuple[int, ...]  # safety items left blank: never read as "no risk"

    @property
    def safety_alert(self) -> bool:
        """A safety item was answered above 0."""
        return bool(self.safety_raised)


def _allowed_missing(instrument: Instrument) -> int:
    return instrument.missing.max_missing if instrument.missing else 0


def fewest_answers(instrument: Instrument) -> int:
    """How many items a total needs answered (the missing-item rule): all but
    ``max_missing``, and never none. Both scoring paths use it, and the sentence that says a
    questionnaire could not be scored (`unstuck.progress.wording.UNSCORED`) quotes it."""
    return max(len(instrument.items) - _allowed_missing(instrument), 1)


def _no_items(instrument: Instrument, got: object) -> InvalidValue:
    return InvalidValue(
        "answers",
        got,
        f"{instrument.name} is a score-only instrument: it has no items to answer; "
        "give its total instead",
    )


def _is_blank(answer: object) -> bool:
    # None, or NaN as pandas and numpy spell an empty cell.
    return answer is None or (isinstance(answer, float) and math.isnan(answer))


def _check_answer(instrument: Instrument, item: Item, answer: object) -> int:
    values = [o.value for o in item.options]
    if (
        not isinstance(answer, bool)
        and isinstance(answer, int | float | np.integer | np.floating)
        and answer in values
    ):
        return int(answer)
    raise InvalidAnswer(
        f"item_{item.number}",
        answer,
        f"must be one of {', '.join(map(str, values))} "
        f"(the answer options of {instrument.name} item {item.number})",
    )


def prorate(answered_sum: int, answered: int, n_items: int) -> float:
    """Mean of the answered items times the number of items, rounded half up.

    Exact integer arithmetic: floor(s * k / n + 1/2) == (2 s k + n) // (2 n), so 10.5 is
    always 11 and no floating-point error can push a total across a band edge.
    """
    return float((2 * answered_sum * n_items + answered) // (2 * answered))


def score_answers(instrument: Instrument, answers: Sequence[int | None]) -> Score:
    """Score one questionnaire.

    Parameters
    ----------
    instrument
        An instrument with items.
    answers
        One answer per item, in item order; ``None`` (or NaN) marks a skipped item.

    Raises
    ------
    InvalidValue
        ``field="answers"`` when the number of answers is not the number of items, or the
        instrument is score-only.
    InvalidAnswer
        ``field="item_<n>"`` for the first answer that is not one of that item's option
        values (4 or 1.5 on a PHQ-9 item, for example).
    """
    k = len(instrument.items)
    if k == 0:
        raise _no_items(instrument, len(answers))
    if len(answers) != k:
        raise InvalidValue(
            "answers",
            len(answers),
            f"{instrument.name} has {k} items; got {len(answers)} answers",
        )
    given: dict[int, int] = {}
    for item, answer in zip(instrument.items, answers, strict=True):
        if not _is_blank(answer):
            given[item.number] = _check_answer(instrument, item, answer)
    missing = tuple(it.number for it in instrument.items if it.number not in given)
    total: float | None
    if len(given) < fewest_answers(instrument):
        total = None
    elif missing:
        total = prorate(sum(given.values()), len(given), k)
    else:
        total = float(sum(given.values()))
    safety = instrument.safety_items
    return Score(
        total=total,
        answered=len(given),
        missing_items=missing,
        prorated=bool(missing) and total is not None,
        severity=None if total is None else severity_of(instrument, total),
        safety_raised=tuple(n for n in safety if given.get(n, 0) > 0),
        safety_unanswered=tuple(n for n in safety if n not in given),
    )


def severity_of(instrument: Instrument, total: float) -> str | None:
    """The name of the band holding `total`; None without bands or outside them.

    Bands are read by their lower bounds, the way published cut-points are stated ("10 or
    more is moderate"): for whole-number totals this is the same as the inclusive
    ``low..high`` of each band, and a fractional total (a score-only instrument) falls in
    the band whose lower bound it has reached.
    """
    bands = instrument.bands
    if not bands or not math.isfinite(total) or not bands[0].low <= total <= bands[-1].high:
        return None
    return next(band.name for band in reversed(bands) if total >= band.low)


def check_total(
    instrument: Instrument, total: float, *, field: str = "score", row: int | None = None
) -> float:
    """Return `total` if it is a possible total of `instrument`, else raise `InvalidValue`.

    Possible means finite, inside ``[score_min, score_max]`` where the instrument has bounds,
    and a whole number for an instrument with items (its totals are sums of whole-number
    answers, prorated totals included).
    """
    name = instrument.name
    if isinstance(total, bool) or not isinstance(total, int | float | np.integer | np.floating):
        raise InvalidValue(field, total, "must be a number", row)
    if not math.isfinite(total):
        raise InvalidValue(field, total, "must be a finite number", row)
    lo, hi = instrument.score_min, instrument.score_max
    if (lo is not None and total < lo) or (hi is not None and total > hi):
        if lo is not None and hi is not None:
            reason = f"{name} totals run from {lo:g} to {hi:g}"
        elif lo is not None:
            reason = f"{name} totals are at least {lo:g}"
        else:
            reason = f"{name} totals are at most {hi:g}"
        raise InvalidValue(field, total, reason, row)
    if instrument.items and total != math.floor(total):
        raise InvalidValue(field, total, f"{name} totals are whole numbers", row)
    return total


def band_index(instrument: Instrument, totals: np.ndarray) -> np.ndarray:
    """Index into ``instrument.bands`` of each total (int64); -1 for NaN, no bands, or a
    total outside every band. Same reading of the bands as `severity_of`."""
    totals = np.asarray(totals, dtype=np.float64)
    out = np.full(totals.shape, -1, dtype=np.int64)
    if not instrument.bands:
        return out
    lows = np.asarray([b.low for b in instrument.bands], dtype=np.float64)
    inside = (totals >= lows[0]) & (totals <= instrument.bands[-1].high)  # False for NaN
    index = np.searchsorted(lows, totals, side="right") - 1
    out[inside] = index[inside]
    return out


@dataclass(frozen=True)
class ScoreExpressions:
    """`ScoreArrays` as polars expressions, evaluated inside a frame.

    The parts several rules share (each item's validity, the number of blanks, the sum) are
    ``shared`` columns: add them to the frame first (``frame.with_columns(*shared)``), so
    that each is computed once, and then evaluate the others, which read them.
    """

    shared: tuple[pl.Expr, ...]
    total: pl.Expr  # null where too many items are blank or an answer is invalid
    prorated: pl.Expr
    n_missing: pl.Expr
    safety_alert: pl.Expr
    safety_unanswered: pl.Expr
    invalid: tuple[pl.Expr, ...]  # per item: answered but not one of the options


def score_expressions(instrument: Instrument, columns: Sequence[str | None]) -> ScoreExpressions:
    """The scoring rules as polars expressions, for scoring inside a data frame.

    `columns[j]` names the (number) column holding item j + 1, with null for a blank; None
    means the column does not exist, so the item is blank in every row. The shared columns
    are named after the instrument (``_<id>_...``), so several instruments can be scored in
    one frame.
    """
    k = len(instrument.items)
    if k == 0:
        raise _no_items(instrument, len(columns))
    if len(columns) != k:
        raise InvalidValue(
            "columns", len(columns), f"{instrument.name} needs {k} columns, one per item"
        )
    answer = [pl.col(c) if c else pl.lit(None, pl.Float64) for c in columns]
    prefix = f"_{instrument.id}_"
    shared: list[pl.Expr] = []
    for j, (item, a) in enumerate(zip(instrument.items, answer, strict=True)):
        values = sorted(o.value for o in item.options)
        if values == list(range(values[0], values[-1] + 1)):
            bad = (a < values[0]) | (a > values[-1]) | (a != a.floor())
        else:
            bad = ~a.cast(pl.Float64).is_in([float(v) for v in values])
        shared.append(bad.fill_null(False).alias(f"{prefix}invalid_{j}"))
    invalid = tuple(pl.col(f"{prefix}invalid_{j}") for j in range(k))
    shared += [
        pl.sum_horizontal(*(a.is_null() for a in answer)).alias(f"{prefix}missing"),
        # Blanks add nothing. Answers may be read as small integers, so they are added as
        # floats (a sum of small integers could overflow); a plain sum of filled columns is
        # several times faster than `sum_horizontal`.
        functools.reduce(operator.add, (a.fill_null(0).cast(pl.Float64) for a in answer)).alias(
            f"{prefix}sum"
        ),
    ]
    n_missing = pl.col(f"{prefix}missing").cast(pl.Int64)
    sums = pl.col(f"{prefix}sum")
    ok = (k - n_missing >= fewest_answers(instrument)) & ~pl.any_horizontal(*invalid)
    prorated_total = (sums * k / (k - n_missing) + 0.5).floor()
    total = pl.when(ok).then(pl.when(n_missing == 0).then(sums).otherwise(prorated_total))
    safety = [a for item, a in zip(instrument.items, answer, strict=True) if item.safety]
    return ScoreExpressions(
        shared=tuple(shared),
        total=total,
        prorated=ok & (n_missing > 0),
        n_missing=n_missing,
        safety_alert=pl.any_horizontal(*((a > 0).fill_null(False) for a in safety))
        if safety
        else pl.lit(False),
        safety_unanswered=pl.any_horizontal(*(a.is_null() for a in safety))
        if safety
        else pl.lit(False),
        invalid=invalid,
    )
