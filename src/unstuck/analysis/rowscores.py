"""Score the item answers of a checked table, and check the totals, in one polars pass.

Part of reading a CSV file of measures (`unstuck.analysis.csvinput`): every instrument in
the file is scored by its own rules (`unstuck.measures.score_expressions`), and every way a
row's answers or total can be wrong is registered as a check with a plain reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unstuck.analysis.columns import ITEM
from unstuck.errors import MissingColumns
from unstuck.measures import Instrument, InstrumentSet, score_expressions
from unstuck.progress.wording import number, number_expr

# An answer headed item_0 (or Q0) is never read as one item or another: which is meant
# cannot be told, so its rows are refused saying so.
FROM_ONE = (
    "items are numbered from 1 (item_1 is the first), so this column should be empty: if "
    "the export numbers them from 0, add 1 to each item column's number"
)
Flag = Callable[[pl.Expr, str, str | pl.Expr], None]  # a check: rows, column, reason


@dataclass(eq=False)
class MissingItemColumns(MissingColumns):
    """Rows answer an instrument item by item, but some of its items have no column: their
    answers cannot be told from skipped ones, so the file is refused rather than every row
    prorated (or its safety item taken as unanswered)."""

    # `missing` and `present` (the item columns the file has) are as in MissingColumns
    instrument: str  # as people know it: "PHQ-9"
    items: int
    row: int  # the first row that gives its answers

    def __str__(self) -> str:
        return (
            f"{self.instrument} answers are given item by item (from row {self.row}), but the "
            f"file has no column {', '.join(self.missing)}: {self.instrument} has {self.items} "
            f"items, item_1 to item_{self.items}, and each needs its column (leave an answer "
            "the client skipped empty)"
        )


def safety_items_only(instrument: Instrument, columns: Sequence[str]) -> bool:
    """Whether the file's item columns for `instrument` are its safety items and no other
    (a total with the risk item beside it, as many record systems export): the total is then
    read from ``score`` and the safety answer from its item."""
    k = len(instrument.items)
    given = {j for j in range(1, k + 1) if f"item_{j}" in columns}
    safety = {j for j, item in enumerate(instrument.items, 1) if item.safety}
    return bool(safety) and given == safety and len(safety) < k


def own_item_columns(instrument: Instrument, columns: Sequence[str]) -> list[str]:
    """The item columns of the file that hold `instrument`'s answers: those of item_1 ..
    item_k. An answer on its rows in another (item_9 on a GAD-7 row, or item_0) is a problem of
    that row (`score_rows`), never a sign that the instrument is answered item by item: an
    instrument none of whose items has a column is given as totals, whatever else the file
    holds."""
    k = len(instrument.items)
    return [c for c in columns if ITEM.match(c) and 1 <= int(c.split("_")[1]) <= k]


def has_item_answers(
    instruments: InstrumentSet, present: set[str], columns: Sequence[str]
) -> pl.Expr:
    """Whether a row answers its instrument item by item: a value in one of its own item
    columns (`own_item_columns`); a row of an unknown instrument, in any item column."""

    def any_of(names: Sequence[str]) -> pl.Expr:
        return (
            pl.any_horizontal(*(pl.col(c).is_not_null() for c in names)) if names else pl.lit(False)
        )

    expr: pl.Expr = any_of([c for c in columns if ITEM.match(c)])
    for instrument in (instruments[i] for i in sorted(present, reverse=True) if i in instruments):
        own = any_of(own_item_columns(instrument, columns))
        expr = pl.when(pl.col("instrument") == instrument.id).then(own).otherwise(expr)
    return expr


def check_item_columns(frame: pl.DataFrame, instruments: InstrumentSet, present: set[str]) -> None:
    """Raise `MissingItemColumns` when rows give an instrument's answers item by item and
    some of its items have no column (for the instrument met first in the file, if several).
    An instrument given only as totals needs none, nor one given as totals with its safety
    items; rows of an instrument with fewer items leave the higher item columns empty (a
    value there is a problem of the row, not of the file: `has_item_answers`).
    `frame` holds ``_has_items``; its rows are looked at only when a column is missing."""
    items = tuple(c for c in frame.columns if ITEM.match(c))
    if not items:  # totals only
        return
    lacking: list[MissingItemColumns] = []
    for instrument in (instruments[i] for i in sorted(present) if i in instruments):
        k = len(instrument.items)
        missing = tuple(f"item_{j}" for j in range(1, k + 1) if f"item_{j}" not in items)
        if missing and not safety_items_only(instrument, items):
            given = pl.col("_has_items") & (pl.col("instrument") == instrument.id)
            first = frame.select(pl.col("row").filter(given).min()).item()
            if first is not None:
                lacking.append(MissingItemColumns(missing, items, instrument.name, k, first))
    if lacking:
        raise min(lacking, key=lambda e: e.row)


def score_rows(
    frame: pl.DataFrame,
    instruments: InstrumentSet,
    item_columns: list[str],
    flag: Flag,
) -> pl.DataFrame:
    """Score item answers and check totals, instrument by instrument, in one polars pass.

    Adds ``total``, ``prorated``, ``safety_alert``, ``safety_unanswered``, ``incomplete``
    and ``_score_given``, and registers a check for every way a row can be wrong.
    """
    present = set(frame.get_column("instrument").unique().drop_nulls().to_list())
    frame = frame.with_columns(
        has_item_answers(instruments, present, item_columns).alias("_has_items")
    )
    has_items = pl.col("_has_items")
    check_item_columns(frame, instruments, present)
    score = pl.col("score")
    outputs: dict[str, list[tuple[pl.Expr, pl.Expr]]] = {
        k: [] for k in ("_items_total", "prorated", "safety_alert", "safety_unanswered")
    }
    outputs["incomplete"] = []
    marks: list[pl.Expr] = []
    shared: list[pl.Expr] = []  # parts of the scoring several outputs read (computed once)
    for instrument in (instruments[i] for i in sorted(present) if i in instruments):
        is_it = pl.col("instrument") == instrument.id
        k = len(instrument.items)
        label = instrument.name
        own = own_item_columns(instrument, item_columns)
        beyond = f"{label} has {k} items, so this column should be empty on its rows" + (
            "" if own else f" (a {label} given as a total in 'score' has no item answers)"
        )
        if not k:
            beyond = f"{label} is score-only; give its total in 'score'"
        for c in item_columns:
            if c not in own:
                reason = FROM_ONE if c == "item_0" else beyond
                flag(is_it & pl.col(f"_raw_{c}").is_not_null(), c, reason)
        # Rows whose total is the one given in 'score': every row without item answers, and
        # every row when the file's only items of this instrument are its safety items.
        safety_only = safety_items_only(instrument, item_columns)
        totals = is_it if safety_only else is_it & ~has_items
        lo = -np.inf if instrument.score_min is None else instrument.score_min
        hi = np.inf if instrument.score_max is None else instrument.score_max
        flag(
            totals & ((score < lo) | (score > hi)),
            "score",
            f"{label} totals run from {number(lo)} to {number(hi)}",
        )
        if instrument.items:
            # Item answers are whole numbers, so a total of an itemised instrument is too
            # (the same rule as `check_total`).
            flag(
                totals & (score != score.floor()),
                "score",
                f"{label} totals are whole numbers",
            )
        if instrument.safety_items:
            # A total alone cannot show how a safety item was answered: say so, never assume 0.
            outputs["safety_unanswered"].append(
                (is_it & ~has_items & score.is_not_null(), pl.lit(True))
            )
        if not k:
            continue
        names = [f"item_{j}" if f"item_{j}" in frame.columns else None for j in range(1, k + 1)]
        scored = score_expressions(instrument, names)
        rows = is_it & has_items
        for item, name, bad in zip(instrument.items, names, scored.invalid, strict=True):
            if name is not None:
                # Kept as a column: scoring needs the same test, so it is made only once.
                mark = f"_bad_{instrument.id}_{name}"
                marks.append((rows & bad).alias(mark))
                allowed = ", ".join(str(o.value) for o in item.options)
                flag(pl.col(mark), name, f"must be one of {allowed}")
        shared += scored.shared
        valid = ~pl.any_horizontal(*scored.invalid)
        if safety_only:
            answered = pl.sum_horizontal(*(pl.col(n) for n in names if n is not None))
            flag(
                rows & (score < answered),
                "score",
                pl.format("is less than the safety item's answer ({})", number_expr(answered)),
            )
            outputs["_items_total"].append((rows, score))
            outputs["prorated"].append((rows, pl.lit(False)))
            # A safety answer without a total is kept for its answer, as a row of too many
            # blanks is below.
            outputs["incomplete"].append((rows, score.is_null() & valid))
        else:
            flag(
                rows & score.is_not_null() & ((score - pl.col("_items_total")).abs() > 1e-9),
                "score",
                pl.format(
                    "does not match the total of the item answers ({})",
                    number_expr(pl.col("_items_total")),
                ),
            )
            outputs["_items_total"].append((rows, scored.total))
            outputs["prorated"].append((rows, scored.prorated))
            # Too many blanks is not an error in the file: the row is kept without a total
            # (never a silent zero), and its answers still count for safety.
            outputs["incomplete"].append((rows, scored.total.is_null() & valid))
        outputs["safety_alert"].append((rows, scored.safety_alert))
        outputs["safety_unanswered"].append((rows, scored.safety_unanswered))
    columns = []
    for name, cases in outputs.items():
        dtype = pl.Float64 if name == "_items_total" else pl.Boolean
        default = pl.lit(None, dtype) if name == "_items_total" else pl.lit(False)
        expr: pl.Expr = default
        if cases:
            chain: Any = pl.when(cases[0][0]).then(cases[0][1])
            for condition, value in cases[1:]:
                chain = chain.when(condition).then(value)
            expr = chain.otherwise(default)
        columns.append(expr.alias(name))
    # Lazily, so that polars computes shared parts (item checks, sums) once for all outputs;
    # only the new columns come out of the lazy engine (in pieces, so they are joined into
    # one chunk each), and the columns already read stay as they were.
    outputs_frame = (
        frame.lazy()
        .with_columns(*shared)
        .with_columns(*columns, *marks)
        .select(
            *(c.meta.output_name() for c in (*columns, *marks)),
            total=pl.when(has_items).then(pl.col("_items_total")).otherwise(score),
            _score_given=has_items | score.is_not_null(),
        )
        .collect()
        .rechunk()
    )
    return frame.hstack(outputs_frame)
