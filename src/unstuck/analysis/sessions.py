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

    `frame` holds the client codes as ``_c`` (`unstuck.progress.runs.client_codes`), and
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
    out = dates_out_of_order(keyed) if session == "occasion" else []
    if any(found):  # the rows to list, with their values as written
        keyed = keyed.join(
            frame.select("row", "client_id", "instrument", session, *shared), on="row"
        )
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


def dates_out_of_order(keyed: pl.DataFrame) -> list[pl.DataFrame]:
    """Rows dated before an earlier session of their client: sessions are numbered in the
    order they happened (two sessions may share a date). A row is compared with the latest
    date of the client's earlier sessions, so that the rows kept without those refused are
    in order; the reason names that session.

    `keyed` is sorted by client, session and instrument, as `session_problems` makes it
    (``row``, ``_c``, ``_s``: the occasion, ``_date``: days). The common case (dates in
    order) is told by comparing each row with the one before it; only when some row is
    dated before it (that row may be of the same session: `session_problems` refuses that)
    are the sessions compared.
    """
    dates = keyed.get_column("_date")
    if dates.null_count() == dates.len():  # no dates: nothing to compare
        return []
    dated = keyed.filter(pl.col("_date").is_not_null()) if dates.has_nulls() else keyed
    same = pl.col("_c") == pl.col("_c").shift(1)
    if not dated.select((same & (pl.col("_date") < pl.col("_date").shift(1))).any()).item():
        return []
    latest = pl.col("_latest")
    earlier = (
        dated.group_by("_c", "_s")
        .agg(pl.col("_date").max().alias("_latest"))
        .sort("_c", "_s")
        .with_columns(
            # The latest date of the earlier sessions, and the (last) session dated so.
            _before=latest.cum_max().shift(1).over("_c"),
            _at=pl.when(latest == latest.cum_max()).then("_s").forward_fill().shift(1).over("_c"),
        )
    )
    late = dated.join(earlier, on=["_c", "_s"]).filter(pl.col("_date") < pl.col("_before"))
    if late.is_empty():
        return []
    return [
        late.select(
            "row",
            pl.lit("date").alias("column"),
            pl.col("_date").cast(pl.Date).cast(pl.String).alias("value"),
            pl.format(
                "is before the date of session {} ({}) of this client: sessions are numbered "
                "in the order they happened; check both dates",
                "_at",
                pl.col("_before").cast(pl.Date),
            ).alias("reason"),
        )
    ]


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
