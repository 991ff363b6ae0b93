"""Reading the cells of a table of measures: text, few-valued categories, dates and numbers.

Part of reading a CSV file of measures (`unstuck.analysis.csvinput`). Every helper keeps the
value as written (``_raw_<column>``) beside the parsed one, so that a bad value is reported
as the person wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl


def as_categories(
    frame: pl.DataFrame, column: str, fix: Callable[[str], str], categories: Sequence[str]
) -> pl.DataFrame:
    """Turn a text column with a few known values (instrument, attendance) into a
    `polars.Enum` of them, keeping the text as ``_raw_<column>``; a value that is not one of
    `categories`, even after `fix`, becomes null. Adds ``_blank_<column>``: no value given.

    `fix` (such as lower-casing) is applied to each distinct value once, instead of once per
    row, and only when some values need it: most files hold only the known values.
    """
    raw = frame.get_column(column)
    known = pl.Enum(categories)
    values = raw.cast(known, strict=False)
    blank = raw.is_null()
    if values.null_count() > raw.null_count():
        unknown = raw.filter(values.is_null() & raw.is_not_null()).unique().to_list()
        tidy = raw.replace({v: fix(v) for v in unknown})
        values = tidy.cast(known, strict=False)
        blank = tidy.is_null() | (tidy.str.len_bytes() == 0)
    return frame.with_columns(
        raw.alias(f"_raw_{column}"), values.alias(column), blank.alias(f"_blank_{column}")
    )


LINE_BREAK = r"[\r\n]"
DAY_MONTH_YEAR = r"^\s*\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
# 2026-12-03T10:00 or 2026-12-03 10:00:00, as record systems export a session's start: the
# date written is the session's. With a time zone (Z, +01:00) it may not be the clinic's day.
DATE_AND_TIME = r"^\s*(\d{4}-\d{2}-\d{2})[T ](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?\s*$"
DATE_THEN_MORE = r"^\s*\d{4}-\d{2}-\d{2}\s*[T ]"
DATE_FORMAT = "date must be a calendar date written YYYY-MM-DD (such as 2026-12-03)"
# Day and month order is never guessed: 03/12/2026 is 3 December in the UK, 12 March in the US.
NOT_GUESSED = (
    "a date like 03/12/2026 could be 3 December or 12 March, so it is not guessed: save the "
    "dates as YYYY-MM-DD in Excel (Format Cells > Custom > yyyy-mm-dd)"
)
MORE_THAN_A_TIME = (
    "a time after the date is read only as HH:MM or HH:MM:SS, without a time zone (which "
    "can change the day): write the date alone"
)


def as_dates(frame: pl.DataFrame) -> pl.DataFrame:
    """Read ``date`` as dates, keeping the text as ``_raw_date``: YYYY-MM-DD, with spaces
    around it forgiven, or followed by a time of day (whose date is taken). Other values
    become null (`date_reason` says why)."""
    raw = pl.col("_raw_date")
    frame = frame.with_columns(
        pl.col("date").alias("_raw_date"),
        pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
    )
    if not frame.select((raw.is_not_null() & pl.col("date").is_null()).any()).item():
        return frame  # every date plain: the usual case, read in one pass
    return frame.with_columns(
        pl.coalesce(
            "date",
            raw.str.strip_chars().str.strptime(pl.Date, "%Y-%m-%d", strict=False),
            raw.str.extract(DATE_AND_TIME, 1).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        )
    )


def date_reason() -> pl.Expr:
    """Why a date `as_dates` could not read is refused, with what to do about it."""
    raw = pl.col("_raw_date")
    return (
        pl.when(raw.str.contains(DAY_MONTH_YEAR))
        .then(pl.lit(f"{DATE_FORMAT}; {NOT_GUESSED}"))
        .when(raw.str.contains(DATE_THEN_MORE))
        .then(pl.lit(f"{DATE_FORMAT}; {MORE_THAN_A_TIME}"))
        .otherwise(pl.lit(DATE_FORMAT))
    )


def line_break_reason(column: str, width: int) -> pl.Expr:
    """Why `column`'s value holding a line break is refused, for a file of `width` columns.

    A quoted value may span lines (a note written with Alt+Enter in Excel), but so does a
    quote mark left open, which joins the rows after it into one value; the two cannot be
    told apart for sure, and rows must never vanish, so either is refused. Which one it
    probably is decides the advice: a line of the value holding a row's worth of separators
    (`width` - 1 commas, semicolons or tabs) is a row swallowed by an open quote.
    """
    gaps = max(width - 1, 1)
    rows = [rf"(?m)^(?:[^{s}\n]*{s}){{{gaps}}}" for s in (",", ";", "\t")]
    swallowed = pl.any_horizontal(pl.col(column).str.contains(r) for r in rows)
    return (
        pl.when(swallowed)
        .then(
            pl.lit(
                'holds a line break: a quote mark (") that is never closed joins the lines '
                "after it into this one value; close the quote or remove it"
            )
        )
        .otherwise(
            pl.lit(
                "holds a line break inside quote marks (a cell written on several lines, as "
                "Alt+Enter makes in Excel); Unstuck reads one line per row, since a line break "
                "cannot always be told from rows joined by a stray quote mark: remove the line "
                "breaks (in Excel, Find and Replace: Ctrl+J in 'Find what', a space in "
                "'Replace with')"
            )
        )
    )


def without_blank_rows(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """The rows that are not blank, and their ``client_id`` without spaces around it.

    A blank line, a line of bare separators and a line of only spaces or tabs hold no row
    (none is refused). Spaces are looked for only in the rows whose client id is blank once
    stripped (`stripped` strips it anyway, and finds cheaply when there is nothing to
    strip), so a file without such lines costs one look at its empty cells.
    """
    columns = [c for c in frame.columns if c != "row"]
    empty = pl.all_horizontal(pl.col(c).is_null() for c in columns)
    if frame.select(empty.any()).item():
        frame = frame.filter(~empty)
    ids = frame.get_column("client_id")
    if ids.dtype != pl.String:
        return frame, ids
    tidy = stripped(ids)
    if tidy is ids and not ids.has_nulls():
        return frame, ids
    maybe = frame.filter(tidy.is_null() | (tidy.str.len_bytes() == 0))
    spaces = pl.all_horizontal(_spaces(c, t) for c, t in maybe.select(columns).schema.items())
    blank = maybe.filter(spaces).get_column("row")
    if blank.is_empty():
        return frame, tidy
    keep = ~frame.get_column("row").is_in(blank.implode())
    return frame.filter(keep), tidy.filter(keep)


def _spaces(column: str, dtype: pl.DataType) -> pl.Expr:
    """Empty, or only spaces and tabs (not line breaks: those come from a quote left open)."""
    if dtype != pl.String:
        return pl.col(column).is_null()
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars(" \t").str.len_bytes() == 0)


def stripped(ids: pl.Series) -> pl.Series:
    """Ids without spaces around them. Each row's id is the first of its run of equal ids,
    so only those (about one per client: files list a client's rows together) are looked
    at; the whole column is stripped only when one of them has spaces to strip."""
    firsts = ids.filter(ids.ne_missing(ids.shift(1)))
    if firsts.str.strip_chars().eq_missing(firsts).all():
        return ids
    return ids.str.strip_chars()


def as_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A value as the person typed it (text columns) or would have (numbers: 4, not 4.0)."""
    if dtype == pl.String:
        return expr
    if dtype.is_float():
        return (
            pl.when(expr == expr.floor())
            .then(expr.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(expr.cast(pl.String))
        )
    return expr.cast(pl.String)


def not_whole_from(column: str, lowest: int) -> pl.Expr:
    """Given, but not a whole number of at least `lowest` (after `_parse_numbers`)."""
    value = pl.col(column)
    return pl.col(f"_raw_{column}").is_not_null() & (value.is_null() | (value < lowest))


def blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.len_bytes() == 0)


def parse_numbers(
    frame: pl.DataFrame, columns: list[str], dtype: type[pl.DataType]
) -> tuple[pl.DataFrame, list[str]]:
    """Parse text columns as numbers, keeping the text as ``_raw_<column>``; returns the
    frame and the columns that were parsed from text (and so may hold values that are not
    numbers). Columns read as numbers already (see `read_raw`) are left as they are.

    Surrounding spaces are tolerated, and NaN or infinity become null (so they are reported
    as "not a number"). Both fixes cost a pass over the column, so they run only on the
    columns that need them: a clean million-row file pays for one cast per column. Whole
    numbers (``dtype`` Int64) may be written with a decimal point, as some programs do ("3.0").
    """
    texts = [c for c in columns if frame.schema[c] == pl.String]
    frame = frame.with_columns(
        *(pl.col(c).alias(f"_raw_{c}") for c in columns),
        *(as_number(pl.col(c), dtype).alias(c) for c in texts),
    )
    if not texts:
        return frame, texts
    needs = frame.select(
        *(
            (pl.col(f"_raw_{c}").is_not_null() & pl.col(c).is_null()).any().alias(f"s{c}")
            for c in texts
        ),
        *((~pl.col(c).is_finite()).any().alias(f"f{c}") for c in texts if dtype == pl.Float64),
    ).row(0, named=True)
    fixes = []
    for c in texts:
        parsed = pl.col(c)
        if needs[f"s{c}"]:
            parsed = pl.coalesce(parsed, as_number(pl.col(f"_raw_{c}").str.strip_chars(), dtype))
        if dtype == pl.Float64 and (needs[f"f{c}"] or needs[f"s{c}"]):
            parsed = pl.when(parsed.is_finite()).then(parsed)
        if parsed is not pl.col(c):
            fixes.append(parsed.alias(c))
    return (frame.with_columns(fixes) if fixes else frame), texts


def as_number(text: pl.Expr, dtype: type[pl.DataType]) -> pl.Expr:
    """Text as a number of `dtype`, or null; a whole number may carry a decimal point."""
    if dtype != pl.Int64:
        return text.cast(dtype, strict=False)
    whole = text.cast(pl.Int64, strict=False)
    number = text.cast(pl.Float64, strict=False)
    written_as_decimal = pl.when(number.is_finite() & (number == number.floor())).then(
        number.cast(pl.Int64, strict=False)
    )
    return pl.coalesce(whole, written_as_decimal)


DECIMAL_COMMA = r"^\s*[-+]?\d+,\d+\s*$"  # 12,5: a number as a decimal-comma locale writes it


def not_a_number_reason(as_written: pl.Expr) -> pl.Expr:
    """Why a cell read as a number is not one, as the file wrote it."""
    return (
        # "12,0" from a European spreadsheet (semicolon-separated): say what is expected
        pl.when(as_written.str.contains(DECIMAL_COMMA))
        .then(
            pl.format(
                "not a number: write decimals with a point ({}), not a comma",
                as_written.str.strip_chars().str.replace(",", ".", literal=True),
            )
        )
        # 1e400: a number, but beyond what a float holds (read as infinity)
        .when(
            as_written.str.contains(r"\d")
            & as_written.str.strip_chars().cast(pl.Float64, strict=False).is_infinite()
        )
        .then(pl.lit("too large a number"))
        .otherwise(pl.lit("not a number"))
    )
