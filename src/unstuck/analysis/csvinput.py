"""Read and check a long table of measures: one row per client, occasion and instrument.

Every value is read as text first and checked here, so that a bad value is reported with its
row, column and value instead of being guessed at. All checks are column-wise (polars), so a
million-row file is checked in a fraction of a second.

Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import polars as pl

from unstuck.errors import InvalidRows, MissingColumns, Problem, UnstuckError
from unstuck.measures import InstrumentSet, score_matrix
from unstuck.measures.model import Instrument

ATTENDANCE = ("attended", "late", "cancelled", "no_show")
ATTENDED = ("attended", "late")
MAX_LISTED = 50
_ITEM = re.compile(r"item_(\d+)$")

PROBLEM_SCHEMA = pl.Schema(
    {
        "row": pl.Int64,
        "column": pl.String,
        "value": pl.String,
        "reason": pl.String,
    }
)
OBSERVATION_COLUMNS = (
    "row",
    "client_id",
    "instrument",
    "occasion",
    "date",
    "attendance",
    "total",
    "prorated",
    "safety_alert",
    "safety_unanswered",
    "incomplete",
)


@dataclass(frozen=True)
class Observations:
    """Checked observations and, with ``skip_invalid``, what was left out and why."""

    frame: pl.DataFrame  # OBSERVATION_COLUMNS
    skipped: tuple[Problem, ...]  # the first MAX_LISTED problems of the rows left out
    skipped_problems: int
    skipped_rows: int


def read_observations(
    source: str | Path | IO[bytes],
    instruments: InstrumentSet,
    *,
    skip_invalid: bool = False,
) -> Observations:
    """Read a CSV file of measures and check every value (see `check_observations`)."""
    name = source if isinstance(source, str | Path) else getattr(source, "name", "input")
    try:
        raw = pl.read_csv(source, infer_schema=False, truncate_ragged_lines=False)
    except FileNotFoundError as exc:
        raise CsvUnreadable(str(name), "file not found") from exc
    except pl.exceptions.NoDataError as exc:
        raise CsvUnreadable(str(name), "the file is empty") from exc
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CsvUnreadable(str(name), f"not a readable CSV file ({first_line})") from exc
    return check_observations(raw, instruments, source=str(name), skip_invalid=skip_invalid)


@dataclass(eq=False)
class CsvUnreadable(UnstuckError):
    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def check_observations(
    raw: pl.DataFrame,
    instruments: InstrumentSet,
    *,
    source: str = "input",
    skip_invalid: bool = False,
) -> Observations:
    """Check a table of text values and turn it into typed observations.

    Rules (each violation is a `Problem` naming row, column and value):

    - ``client_id`` and ``instrument`` are required; the instrument must be known.
    - ``occasion`` (a whole number from 1) or ``date`` (YYYY-MM-DD) identifies the session;
      with only dates, sessions are numbered in date order per client.
    - ``attendance`` is optional: attended, late, cancelled or no_show. Sessions that were
      not attended may have no score; every other row needs a ``score`` or item answers.
    - ``score`` is a total within the instrument's range; ``item_1..item_k`` are answers
      scored by the instrument's rules. When both are given they must agree. A row with more
      blank items than the instrument's missing-item rule allows is kept, marked
      ``incomplete``, without a total (never a silent zero); its safety answers still count.
    - A client may have one row per instrument and session.

    Without ``skip_invalid`` any problem raises `InvalidRows` and nothing is returned, so a
    partly wrong file never yields a partly right analysis by accident. With it, the rows
    with problems are left out and listed in the result.
    """
    frame = raw.rename({c: c.strip().lstrip("\ufeff").strip().lower() for c in raw.columns})
    columns = set(frame.columns)
    item_columns = sorted(
        (c for c in frame.columns if _ITEM.match(c)), key=lambda c: int(c.split("_")[1])
    )
    missing = [c for c in ("client_id", "instrument") if c not in columns]
    if not {"occasion", "date"} & columns:
        missing.append("occasion (or date)")
    if "score" not in columns and not item_columns:
        missing.append("score (or item_1..item_k)")
    if missing:
        raise MissingColumns(tuple(missing), tuple(frame.columns))

    frame = frame.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    problems: list[pl.DataFrame] = []

    def flag(mask: pl.Expr, column: str, reason: str | pl.Expr) -> None:
        reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
        problems.append(
            frame.filter(mask).select(
                pl.col("row"),
                pl.lit(column).alias("column"),
                pl.col(f"_raw_{column}" if f"_raw_{column}" in frame.columns else column)
                .cast(pl.String)
                .alias("value"),
                reason_expr.alias("reason"),
            )
        )

    # -- text columns -------------------------------------------------------------------
    frame = frame.with_columns(
        pl.col("client_id").str.strip_chars(),
        pl.col("instrument").alias("_raw_instrument"),
        pl.col("instrument").str.strip_chars().str.to_lowercase(),
    )
    flag(_blank("client_id"), "client_id", "client_id is empty")
    known = sorted(instruments)
    flag(_blank("instrument"), "instrument", "instrument is empty")
    flag(
        ~_blank("instrument") & ~pl.col("instrument").is_in(known),
        "instrument",
        f"unknown instrument (known: {', '.join(known)})",
    )

    if "attendance" in columns:
        norm = (
            pl.col("attendance").str.strip_chars().str.to_lowercase().str.replace_all(r"[- ]", "_")
        )
        frame = frame.with_columns(pl.col("attendance").alias("_raw_attendance"), norm)
        flag(
            ~_blank("attendance") & ~pl.col("attendance").is_in(ATTENDANCE),
            "attendance",
            f"attendance must be one of {', '.join(ATTENDANCE)}",
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("attendance"))

    # -- session: occasion and/or date ---------------------------------------------------
    if "date" in columns:
        frame = frame.with_columns(
            pl.col("date").alias("_raw_date"),
            pl.col("date").str.strip_chars().str.to_date("%Y-%m-%d", strict=False),
        )
        flag(
            pl.col("_raw_date").is_not_null() & pl.col("date").is_null(),
            "date",
            "date must be a calendar date written YYYY-MM-DD",
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.Date).alias("date"))
    if "occasion" in columns:
        frame = frame.with_columns(
            pl.col("occasion").alias("_raw_occasion"),
            _number("occasion", pl.Int64),
        )
        flag(
            pl.col("_raw_occasion").is_not_null()
            & (pl.col("occasion").is_null() | (pl.col("occasion") < 1)),
            "occasion",
            "occasion must be a whole number (session number) from 1 up",
        )
        flag(pl.col("_raw_occasion").is_null(), "occasion", "occasion is empty")
    else:
        flag(pl.col("_raw_date").is_null(), "date", "date is empty (needed without occasion)")

    # -- numbers: score and items --------------------------------------------------------
    numeric = (["score"] if "score" in columns else []) + item_columns
    frame = frame.with_columns(
        *(pl.col(c).alias(f"_raw_{c}") for c in numeric),
        *(_number(c, pl.Float64) for c in numeric),
    )
    for c in numeric:
        flag(
            pl.col(f"_raw_{c}").is_not_null() & (pl.col(c).is_null() | ~pl.col(c).is_finite()),
            c,
            "not a number",
        )
        frame = frame.with_columns(
            pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c)
        )
    if "score" not in columns:
        frame = frame.with_columns(pl.lit(None, pl.Float64).alias("score"))

    n = frame.height
    total = frame.get_column("score").to_numpy().astype(np.float64, copy=True)
    prorated = np.zeros(n, dtype=bool)
    safety_alert = np.zeros(n, dtype=bool)
    safety_unanswered = np.zeros(n, dtype=bool)
    incomplete = np.zeros(n, dtype=bool)
    has_items = (
        frame.select(pl.any_horizontal([pl.col(c).is_not_null() for c in item_columns]))
        .to_series()
        .to_numpy()
        if item_columns
        else np.zeros(n, dtype=bool)
    )
    instrument_col = frame.get_column("instrument")
    score_given = ~np.isnan(total)
    item_problems: list[pl.DataFrame] = []
    for instrument_id in instrument_col.unique().drop_nulls().to_list():
        if instrument_id not in instruments:
            continue
        instrument = instruments[instrument_id]
        rows = (instrument_col == instrument_id).to_numpy()
        item_problems.extend(
            _check_instrument(
                frame,
                instrument,
                rows,
                has_items,
                item_columns,
                total,
                prorated,
                safety_alert,
                safety_unanswered,
                incomplete,
            )
        )
    problems.extend(item_problems)
    frame = frame.with_columns(
        pl.Series("total", total, dtype=pl.Float64).fill_nan(None),
        pl.Series("prorated", prorated),
        pl.Series("safety_alert", safety_alert),
        pl.Series("safety_unanswered", safety_unanswered),
        pl.Series("incomplete", incomplete),
        pl.Series("_score_given", score_given | has_items),
    )
    flag(
        ~pl.col("_score_given")
        & ~pl.col("attendance").is_in(("cancelled", "no_show")).fill_null(False),
        "score",
        "no score and no item answers (only cancelled or no_show sessions may have none)",
    )

    # -- one row per client, instrument and session --------------------------------------
    key = ["client_id", "instrument", "occasion" if "occasion" in columns else "date"]
    dup = (
        frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
        .select("row", *key, pl.col("row").min().over(key).alias("_first"))
        .filter(pl.col("row") != pl.col("_first"))
    )
    if dup.height:
        problems.append(
            dup.select(
                pl.col("row"),
                pl.lit(key[2]).alias("column"),
                pl.col(key[2]).cast(pl.String).alias("value"),
                pl.format(
                    "client {} already has a {} row for this session (row {})",
                    pl.col("client_id"),
                    pl.col("instrument"),
                    pl.col("_first"),
                ).alias("reason"),
            )
        )

    # -- one attendance per session: every instrument of a session shares it --------------
    session = ["client_id", key[2]]
    clash = frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in session)).select(
        "row",
        pl.col("attendance"),
        pl.col("attendance").first().over(session, order_by="row").alias("_first"),
        pl.col("row").first().over(session, order_by="row").alias("_first_row"),
    )
    clash = clash.filter(pl.col("attendance").fill_null("") != pl.col("_first").fill_null(""))
    if clash.height:
        problems.append(
            clash.select(
                pl.col("row"),
                pl.lit("attendance").alias("column"),
                pl.col("attendance").alias("value"),
                pl.format(
                    "differs from row {} for the same session ({})",
                    pl.col("_first_row"),
                    pl.col("_first").fill_null("empty"),
                ).alias("reason"),
            )
        )

    found = pl.concat([p.cast(PROBLEM_SCHEMA) for p in problems]) if problems else None
    skipped: tuple[Problem, ...] = ()
    skipped_problems = skipped_rows = 0
    if found is not None and found.height:
        found = found.sort(["row", "column"], maintain_order=True)
        listed = tuple(Problem(**r) for r in found.head(MAX_LISTED).iter_rows(named=True))
        bad_rows = found.get_column("row").unique()
        if not skip_invalid:
            raise InvalidRows(source, listed, found.height, bad_rows.len())
        frame = frame.filter(~pl.col("row").is_in(bad_rows.implode()))
        skipped, skipped_problems, skipped_rows = listed, found.height, bad_rows.len()

    if "occasion" not in columns:
        frame = frame.with_columns(
            pl.col("date").rank("dense").over("client_id").cast(pl.Int64).alias("occasion")
        )
    frame = frame.with_columns(
        pl.when(pl.col("attendance").is_null())
        .then(pl.lit("attended"))
        .otherwise(pl.col("attendance"))
        .alias("attendance")
    ).select(OBSERVATION_COLUMNS)
    return Observations(frame, skipped, skipped_problems, skipped_rows)


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.len_bytes() == 0)


def _number(column: str, dtype: type[pl.DataType]) -> pl.Expr:
    """Parse numbers, tolerating surrounding spaces (the slower strip only where needed)."""
    fast = pl.col(column).cast(dtype, strict=False)
    return (
        pl.when(fast.is_null() & pl.col(column).is_not_null())
        .then(pl.col(column).str.strip_chars().cast(dtype, strict=False))
        .otherwise(fast)
        .alias(column)
    )


def _check_instrument(
    frame: pl.DataFrame,
    instrument: Instrument,
    rows: np.ndarray,
    has_items: np.ndarray,
    item_columns: list[str],
    total: np.ndarray,
    prorated: np.ndarray,
    safety_alert: np.ndarray,
    safety_unanswered: np.ndarray,
    incomplete: np.ndarray,
) -> Iterable[pl.DataFrame]:
    """Score and range-check the rows of one instrument, writing into the shared arrays."""
    label = instrument.name
    k = len(instrument.items)
    row_numbers = frame.get_column("row").to_numpy()
    out: list[pl.DataFrame] = []

    def report(mask: np.ndarray, column: str, reason: str | np.ndarray) -> None:
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        raw = f"_raw_{column}"
        values = (
            frame.get_column(raw).gather(idx).to_list()
            if raw in frame.columns
            else [None] * idx.size
        )
        out.append(
            pl.DataFrame(
                {
                    "row": row_numbers[idx],
                    "column": column,
                    "value": values,
                    "reason": reason if isinstance(reason, str) else reason[idx],
                },
                schema=PROBLEM_SCHEMA,
            )
        )

    extra = [c for c in item_columns if int(c.split("_")[1]) > k]
    for c in extra:
        report(
            rows & (frame.get_column(f"_raw_{c}").is_not_null().to_numpy()),
            c,
            f"{label} has {k} items; this column should be empty"
            if k
            else f"{label} is score-only; give its total in 'score'",
        )

    given = total.copy()
    item_rows = rows & has_items
    if k and item_rows.any():
        idx = np.flatnonzero(item_rows)
        own = [f"item_{j}" for j in range(1, k + 1)]
        answers = np.column_stack(
            [
                frame.get_column(c).to_numpy()[idx].astype(np.float64)
                if c in frame.columns
                else np.full(idx.size, np.nan)
                for c in own
            ]
        )
        scored = score_matrix(instrument, answers)
        for j, c in enumerate(own):
            bad = scored.invalid[:, j]
            if bad.any() and c in frame.columns:
                item = instrument.items[j]
                allowed = ", ".join(str(o.value) for o in item.options)
                full_bad = np.zeros(rows.size, dtype=bool)
                full_bad[idx[bad]] = True
                report(full_bad, c, f"must be one of {allowed}")
        row_invalid = scored.invalid.any(axis=1)
        # Too many blanks is not an error in the file: the row is kept without a total (never
        # a silent zero), and its answers still count for safety.
        incomplete[idx] = np.isnan(scored.total) & ~row_invalid
        mismatch = (
            ~np.isnan(given[idx])
            & ~np.isnan(scored.total)
            & (np.abs(given[idx] - scored.total) > 1e-9)
        )
        if mismatch.any():
            mask = np.zeros(rows.size, dtype=bool)
            mask[idx[mismatch]] = True
            reasons = np.full(rows.size, "", dtype=object)
            reasons[idx[mismatch]] = [
                f"does not match the total of the item answers ({_fmt(t)})"
                for t in scored.total[mismatch]
            ]
            report(mask, "score", reasons)
        total[idx] = scored.total
        prorated[idx] = scored.prorated
        safety_alert[idx] = scored.safety_alert
        safety_unanswered[idx] = scored.safety_unanswered

    score_rows = rows & ~has_items & ~np.isnan(given)
    if score_rows.any():
        lo = -np.inf if instrument.score_min is None else instrument.score_min
        hi = np.inf if instrument.score_max is None else instrument.score_max
        report(
            score_rows & ((given < lo) | (given > hi)),
            "score",
            f"{label} totals run from {_fmt(lo)} to {_fmt(hi)}",
        )
        # A total alone cannot show how a safety item was answered: say so, never assume 0.
        if instrument.safety_items:
            safety_unanswered[score_rows] = True
    return out


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
