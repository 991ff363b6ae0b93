"""A refused row's positive safety answer is never dropped.

With ``--skip-invalid``, a row with a problem is left out of the analysis. When that row
also answered a safety item above 0 (PHQ-9 item 9, or a clinic instrument's safety item),
leaving it out would hide a risk answer because of, say, an out-of-range answer on another
item. So such a row comes back as a *safety-only* observation: no score (its total cannot
be trusted), but its positive safety answer, which raises the client's safety flag like any
other; and the list of problems names it first, so the person reading the errors sees it
before anything else.

A positive answer is any number above 0 in the safety item's column, even one outside the
item's options: for safety the product errs towards asking. (A safety item is known by its
instrument; "PHQ-9" and "phq 9" are the PHQ-9, `InstrumentSet.id_for`.) The row comes back
whenever it says whose it is: when its session number or date cannot be read, it comes back
without one (null), the flag is raised all the same, and the safety sentence says that the
session is not known (`unstuck.progress.signals`). A row without a client id is still named
first in the problems, saying that it raises no one's flag.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from unstuck.measures.model import Instrument

KEPT_FOR_SAFETY = (
    "a safety answer above 0: the row is left out, but this answer still raises the "
    "client's safety flag (please check the row and the client)"
)
REFUSED_WITH_SAFETY = (
    "a safety answer above 0 in a row with problems: please check the client, and fix the row"
)
WITHOUT_CLIENT = (
    "a safety answer above 0 in a row without a client_id: it cannot raise any client's "
    "safety flag, so please find whose answer it is and fix the row"
)


def safety_rows(
    refused: pl.DataFrame,
    instruments: Mapping[str, Instrument],
    by_occasion: bool,
    *,
    kept: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Of the refused rows, those with a positive safety answer: the ones that can come back
    as safety-only observations (``total`` null, ``safety_alert`` true; ``occasion`` or
    ``date`` null where it could not be read), and one problem (``row``, ``column``,
    ``value``, ``reason``) per such row, to be listed first; `kept` says whether the rows
    will come back (``--skip-invalid``) or the file is refused."""
    positive = refused.filter(pl.col("safety_alert").fill_null(False))
    named = pl.col("client_id").is_not_null() & (
        pl.col("client_id").cast(pl.String).str.strip_chars().str.len_chars() > 0
    )
    reason = (
        pl.when(named)
        .then(pl.lit(KEPT_FOR_SAFETY if kept else REFUSED_WITH_SAFETY))
        .otherwise(pl.lit(WITHOUT_CLIENT))
    )
    notes = []
    for instrument_id in positive.get_column("instrument").drop_nulls().unique().to_list():
        instrument = instruments[instrument_id]
        if not instrument.safety_items:
            continue
        column = f"item_{instrument.safety_items[0]}"
        raw = f"_raw_{column}" if f"_raw_{column}" in positive.columns else column
        if raw not in positive.columns:
            continue
        notes.append(
            positive.filter(pl.col("instrument") == instrument_id).select(
                "row",
                column=pl.lit(column),
                value=pl.col(raw).cast(pl.String),
                reason=reason,
            )
        )
    back = (
        positive.filter(named & pl.col("instrument").is_not_null())
        .unique(["client_id", "instrument", "occasion" if by_occasion else "date"], keep="first")
        .with_columns(
            total=pl.lit(None, pl.Float64),
            prorated=pl.lit(False),
            safety_unanswered=pl.lit(False),
            incomplete=pl.lit(False),
            markers=pl.lit(None, pl.Int64),
        )
    )
    problems = pl.concat(notes).sort("row") if notes else pl.DataFrame(schema=NOTE_SCHEMA)
    return back, problems


def merge_safety_rows(kept: pl.DataFrame, back: pl.DataFrame, by_occasion: bool) -> pl.DataFrame:
    """The kept rows with the safety-only rows added. Where a kept row already holds the
    same client, instrument and session (a refused duplicate), its ``safety_alert`` is
    raised instead, so there is still one row per client, instrument and session. A row
    whose session could not be read (null) clashes with none: it is added."""
    if back.is_empty():
        return kept
    key = ["client_id", "instrument", "occasion" if by_occasion else "date"]
    clash = kept.join(back.select(key), on=key, how="semi")
    if clash.height:
        hit = pl.struct(key).is_in(clash.select(pl.struct(key)).to_series().implode())
        kept = kept.with_columns(safety_alert=pl.col("safety_alert") | hit)
        back = back.join(clash.select(key), on=key, how="anti")
    return pl.concat([kept, back.select(kept.columns)])


NOTE_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}
