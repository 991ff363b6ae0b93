"""Check that each session of a table of measures is told once and consistently.

Part of reading a CSV file of measures (`unstuck.analysis.csvinput`): a client may have one
row per instrument and session, and the rows of one session must agree on its attendance,
date and markers.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def session_problems(frame: pl.DataFrame, session: str) -> list[pl.DataFrame]:
    """Repeated rows for a client, instrument and session, and sessions whose rows disagree
    on attendance, markers or date (a session has one of each, whatever instruments it has).

    `frame` holds the client codes as ``_c`` (`unstuck.progress.batch.client_codes`), and
    instrument and attendance as `polars.Enum` columns.

    The common case (no problem) is decided on integer keys in client, session and
    instrument order, by comparing each row with the one before it (a session with two
    different values has two neighbouring rows that differ); rows are sorted only when they
    are not in that order already, as most files are. The rows are listed, with the row
    they clash with, only when there is something to list.
    """
    shared = ["attendance", "markers"] + (["date"] if session == "occasion" else [])
    # Codes as they are stored (no copies): Enum and date columns by their integer codes.
    keyed = frame.select(
        "row",
        "_c",
        # A row without a questionnaire (`csvinput`: attendance only) has instrument -1:
        # it sorts first in its session and is never a repeat of a questionnaire row.
        pl.col("instrument").to_physical().cast(pl.Int64).fill_null(-1).alias("_i"),
        pl.col(session).to_physical().alias("_s"),
        pl.col("attendance").to_physical().alias("_attendance"),
        pl.col("markers").fill_null(0).alias("_markers"),  # blank is 0
        pl.col("date").to_physical().alias("_date"),
    )
    if keyed.get_column("_c").has_nulls() or keyed.get_column("_s").has_nulls():
        keyed = keyed.filter(pl.col("_c").is_not_null() & pl.col("_s").is_not_null())
    same = (pl.col("_c") == pl.col("_c").shift(1)) & (pl.col("_s") == pl.col("_s").shift(1))

    def differs(column: str) -> pl.Expr:
        # A blank and a value differ; two blanks agree.
        return (same & pl.col(column).ne_missing(pl.col(column).shift(1))).any().alias(column)

    c, s, i = (pl.col(k).diff() for k in ("_c", "_s", "_i"))
    in_order = (c > 0) | ((c == 0) & ((s > 0) | ((s == 0) & (i >= 0))))
    if not keyed.select(in_order.fill_null(True).all()).item():  # most files are in order
        keyed = keyed.sort("_c", "_s", "_i")
    found = keyed.select(
        (same & (pl.col("_i") == pl.col("_i").shift(1)) & (pl.col("_i") >= 0)).any().alias("dup"),
        *(differs(f"_{c}") for c in shared),
    ).row(0)
    if any(found):  # the rows to list, with their values as written
        keyed = keyed.join(
            frame.select("row", "client_id", "instrument", session, *shared), on="row"
        )
    out: list[pl.DataFrame] = []
    if found[0]:
        first = keyed.with_columns(_first=pl.col("row").min().over("_c", "_s", "_i"))
        out.append(
            first.filter((pl.col("row") != pl.col("_first")) & (pl.col("_i") >= 0)).select(
                "row",
                pl.lit(session).alias("column"),
                pl.col(session).cast(pl.String).alias("value"),
                pl.format(
                    "client {} already has a {} row for this session (row {})",
                    "client_id",
                    "instrument",
                    "_first",
                ).alias("reason"),
            )
        )
    for column, clash in zip(shared, found[1:], strict=True):
        if not clash:
            continue
        code = pl.col(f"_{column}")
        value = pl.col(column).cast(pl.String)
        first = keyed.with_columns(
            _first=pl.col("row").min().over("_c", "_s"),
            _first_code=code.sort_by("row").first().over("_c", "_s"),
            _first_value=value.sort_by("row").first().over("_c", "_s"),
        )
        out.append(
            first.filter(code.ne_missing(pl.col("_first_code"))).select(
                "row",
                pl.lit(column).alias("column"),
                value.alias("value"),
                pl.format(
                    "differs from row {} for the same session ({})",
                    "_first",
                    pl.col("_first_value").fill_null("empty"),
                ).alias("reason"),
            )
        )
    return out


def sessions_without_a_form(frame: pl.DataFrame, known: Sequence[str]) -> pl.DataFrame:
    """Read the rows that give a session's attendance without a questionnaire.

    A session that has questionnaire rows too needs nothing more from them (they were
    checked to agree with it). A session told only so becomes a row of the client's first
    questionnaire (in file order; the first known one for a client with none) with no
    score: how a missed session with an instrument and no score is read already, so every
    count of sessions and attendance downstream sees it, and no score is made up.
    """
    no_form = pl.col("_no_form")
    key = ["_c", "occasion"]
    forms = frame.filter(~no_form)
    own = forms.group_by("_c").agg(pl.col("instrument").first().alias("_own"))
    lone = (
        frame.filter(no_form)
        .unique(subset=key, keep="first", maintain_order=True)
        .join(forms.select(key).unique(), on=key, how="anti")
        .join(own, on="_c", how="left")
        .with_columns(
            pl.coalesce("_own", pl.lit(known[0], frame.schema["instrument"])).alias("instrument")
        )
    )
    return pl.concat([forms, lone.select(frame.columns)]).sort("row")
