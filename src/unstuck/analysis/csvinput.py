"""Read and check a long table of measures: one row per client, occasion and instrument.

Every value is checked here, so that a bad value is reported with its row, column and value
instead of being guessed at (`unstuck.analysis.rawcsv` reads the file: a column is parsed as
numbers while reading only when all of it can be, and is text otherwise). All checks are
column-wise (polars), so a million-row file is checked in a fraction of a second.

Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl

from unstuck.analysis.rawcsv import ITEM, column_name, read_file, repeated_column
from unstuck.analysis.rowscores import score_rows
from unstuck.analysis.sessions import session_problems
from unstuck.errors import InvalidRows, MissingColumns, Problem
from unstuck.measures import InstrumentSet
from unstuck.progress.batch import client_codes
from unstuck.progress.signals import MISSED
from unstuck.progress.summary import ATTENDANCE_KINDS

ATTENDANCE = ATTENDANCE_KINDS  # attended, late, cancelled, no_show
MAX_LISTED = 50
SHOWN_CHARS = 80  # a value in a problem is shown up to this many characters
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # control characters but line breaks

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
    "markers",
)


@dataclass(frozen=True)
class Observations:
    """Checked observations and, with ``skip_invalid``, what was left out and why."""

    # OBSERVATION_COLUMNS; instrument and attendance are `polars.Enum` columns (of the
    # instrument ids in sorted order, and of ATTENDANCE), which compare and group as numbers.
    frame: pl.DataFrame
    # Each row's client as a whole number in client_id order (`progress.batch.client_codes`),
    # made for the checks and passed on to `summarise_caseload`, which needs them too.
    client_codes: pl.Series
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
    raw = read_file(source)
    return check_observations(raw, instruments, source=str(name), skip_invalid=skip_invalid)


def check_observations(
    raw: pl.DataFrame,
    instruments: InstrumentSet,
    *,
    source: str = "input",
    skip_invalid: bool = False,
) -> Observations:
    """Check a table of text values and turn it into typed observations.

    Rules (each violation is a `Problem` naming row, column and value):

    - ``client_id`` and ``instrument`` are required columns; the instrument must be known.
      A row with an attendance and no instrument, score or answers is a session without a
      questionnaire (as exports list a missed appointment), read as that session's
      attendance; any other row with no instrument is refused.
    - ``occasion`` (a whole number from 0: occasion 0 is the intake or baseline, the first
      occasion) or ``date`` (YYYY-MM-DD) identifies the session; with only dates, sessions
      are numbered in date order per client.
    - ``attendance`` is optional: attended, late, cancelled or no_show. Sessions that were
      not attended may have no score; every other questionnaire row needs a ``score`` or
      item answers.
    - ``score`` is a total within the instrument's range; ``item_1..item_k`` are answers
      scored by the instrument's rules. When both are given they must agree. A row with more
      blank items than the instrument's missing-item rule allows is kept, marked
      ``incomplete``, without a total (never a silent zero); its safety answers still count.
    - ``markers`` is optional: how many in-session signs of pulling back the therapist
      noted (a whole number from 0; blank is 0).
    - A client may have one row per instrument and session; the rows of one session share
      its attendance, date and markers.

    Without ``skip_invalid`` any problem raises `InvalidRows` and nothing is returned, so a
    partly wrong file never yields a partly right analysis by accident. With it, the rows
    with problems are left out and listed in the result.
    """
    repeated = repeated_column(source, raw.columns)
    if repeated is not None:
        raise repeated
    frame = raw.rename({c: column_name(c) for c in raw.columns})
    columns = set(frame.columns)
    item_columns = sorted(
        (c for c in frame.columns if ITEM.match(c)), key=lambda c: int(c.split("_")[1])
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
    # Checks are collected and evaluated together at the end, in one parallel pass; the
    # (slower) listing of offending rows is built only for checks that found something.
    checks: list[tuple[pl.Expr, str, pl.Expr]] = []

    def flag(mask: pl.Expr, column: str, reason: str | pl.Expr) -> None:
        checks.append((mask, column, pl.lit(reason) if isinstance(reason, str) else reason))

    # -- text columns -------------------------------------------------------------------
    # A quote mark left open joins the lines after it into one value: that value is refused,
    # never read as one row, or the rows it swallowed would be lost without a word.
    texts = [c for c, t in frame.schema.items() if t == pl.String]
    line_break = r"[\r\n]"
    joined = frame.select(pl.col(texts).str.contains(line_break).any()).row(0) if texts else ()
    for c, hit in zip(texts, joined, strict=True):
        if hit:
            frame = frame.with_columns(pl.col(c).str.contains(line_break).alias(f"_lines_{c}"))
            flag(
                pl.col(f"_lines_{c}"),
                c,
                'holds a line break: a quote mark (") that is never closed joins the lines '
                "after it into this one value",
            )
    if frame.schema["client_id"] == pl.String:
        # Codes are printed in reports and PDFs, where a control character breaks the layout.
        flag(
            pl.col("client_id").str.contains(CONTROL),
            "client_id",
            "client_id holds a control character (such as NUL or a tab); use letters, "
            "digits and marks",
        )
    known = sorted(instruments)
    frame = _categories(frame, "instrument", lambda v: v.strip().lower(), known)
    frame = frame.with_columns(_stripped(frame.get_column("client_id")))
    frame = frame.with_columns(client_codes(frame.get_column("client_id")).alias("_c"))
    flag(_blank("client_id"), "client_id", "client_id is empty")
    flag(
        pl.col("_blank_instrument") & ~pl.col("_no_form"),
        "instrument",
        pl.when(pl.col("_written"))
        .then(pl.lit("instrument is empty: name the questionnaire this score belongs to"))
        .otherwise(
            pl.lit(
                "instrument is empty: a row without a questionnaire needs its attendance "
                f"({', '.join(ATTENDANCE)})"
            )
        ),
    )
    flag(
        ~pl.col("_blank_instrument") & pl.col("instrument").is_null(),
        "instrument",
        f"unknown instrument (known: {', '.join(known)})",
    )

    if "attendance" in columns:
        frame = _categories(
            frame,
            "attendance",
            lambda v: v.strip().lower().replace("-", "_").replace(" ", "_"),
            ATTENDANCE,
        )
        flag(
            ~pl.col("_blank_attendance") & pl.col("attendance").is_null(),
            "attendance",
            f"attendance must be one of {', '.join(ATTENDANCE)}",
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.Enum(ATTENDANCE)).alias("attendance"))

    # -- session: occasion and/or date ---------------------------------------------------
    if "date" in columns:
        frame = frame.with_columns(
            pl.col("date").alias("_raw_date"),
            pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        )
        unparsed = pl.col("_raw_date").is_not_null() & pl.col("date").is_null()
        if frame.select(unparsed.any()).item():  # spaces around a date are forgiven
            frame = frame.with_columns(
                pl.coalesce(
                    "date",
                    pl.col("_raw_date")
                    .str.strip_chars()
                    .str.strptime(pl.Date, "%Y-%m-%d", strict=False),
                )
            )
        flag(unparsed, "date", "date must be a calendar date written YYYY-MM-DD")
    else:
        frame = frame.with_columns(pl.lit(None, pl.Date).alias("date"))
    if "occasion" in columns:
        frame, _ = _parse_numbers(frame, ["occasion"], pl.Int64)
        flag(
            _not_whole_from("occasion", 0),
            "occasion",
            "occasion must be a whole number (session number) from 0 up "
            "(0 is the intake or baseline)",
        )
        flag(pl.col("_raw_occasion").is_null(), "occasion", "occasion is empty")
    else:
        flag(pl.col("_raw_date").is_null(), "date", "date is empty (needed without occasion)")

    if "markers" in columns:
        frame, _ = _parse_numbers(frame, ["markers"], pl.Int64)
        flag(
            _not_whole_from("markers", 0),
            "markers",
            "markers must be a whole number from 0 up (signs of pulling back noted)",
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.Int64).alias("markers"))

    # -- numbers: score and items --------------------------------------------------------
    numeric = (["score"] if "score" in columns else []) + item_columns
    frame, parsed = _parse_numbers(frame, numeric, pl.Float64)
    for c in parsed:  # columns read as numbers hold nothing else
        flag(pl.col(f"_raw_{c}").is_not_null() & pl.col(c).is_null(), c, "not a number")
    if "score" not in columns:
        frame = frame.with_columns(pl.lit(None, pl.Float64).alias("score"))
    frame = score_rows(frame, instruments, item_columns, flag)
    # A row with attendance and no instrument, score or answers is a session without a
    # questionnaire (such as a missed appointment); real exports list them so.
    # A score or answer written but not readable is reported as such, not also as missing.
    written = pl.any_horizontal(pl.col(f"_raw_{c}").is_not_null() for c in numeric)
    given = ~pl.col("_blank_attendance") if "attendance" in columns else pl.lit(False)
    frame = frame.with_columns(written.alias("_written")).with_columns(
        (pl.col("_blank_instrument") & ~pl.col("_written") & given).alias("_no_form")
    )
    flag(
        ~pl.col("_written")
        & ~pl.col("_blank_instrument")
        & ~pl.col("attendance").is_in(MISSED).fill_null(False),
        "score",
        "no score and no item answers (only cancelled or no_show sessions may have none)",
    )

    # -- one row per client, instrument and session; one attendance per session ----------
    problems.extend(session_problems(frame, "occasion" if "occasion" in columns else "date"))
    fired = frame.select(
        [mask.fill_null(False).any().alias(str(i)) for i, (mask, _, _) in enumerate(checks)]
    ).row(0)
    for (mask, column, reason), hit in zip(checks, fired, strict=True):
        if hit:
            value = f"_raw_{column}" if f"_raw_{column}" in frame.columns else column
            problems.append(
                frame.filter(mask).select(
                    "row",
                    pl.lit(column).alias("column"),
                    _as_text(pl.col(value), frame.schema[value]).alias("value"),
                    reason.alias("reason"),
                )
            )

    found = pl.concat([p.cast(PROBLEM_SCHEMA) for p in problems]) if problems else None
    if found is not None:  # a huge value (such as lines joined by a quote) is shown cut
        shown = pl.col("value")
        found = found.with_columns(
            pl.when(shown.str.len_chars() > SHOWN_CHARS)
            .then(pl.concat_str(shown.str.slice(0, SHOWN_CHARS - 3), pl.lit("...")))
            .otherwise(shown)
            .alias("value")
        )
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
    if frame.get_column("_no_form").any():
        frame = _sessions_without_a_form(frame, known)
    frame = frame.with_columns(
        pl.col("attendance").fill_null("attended"), pl.col("markers").fill_null(0)
    )
    codes = frame.get_column("_c")
    return Observations(
        frame.select(OBSERVATION_COLUMNS), codes, skipped, skipped_problems, skipped_rows
    )


def _sessions_without_a_form(frame: pl.DataFrame, known: Sequence[str]) -> pl.DataFrame:
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


def _categories(
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


def _stripped(ids: pl.Series) -> pl.Series:
    """Ids without spaces around them. Each row's id is the first of its run of equal ids,
    so only those (about one per client: files list a client's rows together) are looked
    at; the whole column is stripped only when one of them has spaces to strip."""
    firsts = ids.filter(ids.ne_missing(ids.shift(1)))
    if firsts.str.strip_chars().eq_missing(firsts).all():
        return ids
    return ids.str.strip_chars()


def _as_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
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


def _not_whole_from(column: str, lowest: int) -> pl.Expr:
    """Given, but not a whole number of at least `lowest` (after `_parse_numbers`)."""
    value = pl.col(column)
    return pl.col(f"_raw_{column}").is_not_null() & (value.is_null() | (value < lowest))


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.len_bytes() == 0)


def _parse_numbers(
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
        *(_as_number(pl.col(c), dtype).alias(c) for c in texts),
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
            parsed = pl.coalesce(parsed, _as_number(pl.col(f"_raw_{c}").str.strip_chars(), dtype))
        if dtype == pl.Float64 and (needs[f"f{c}"] or needs[f"s{c}"]):
            parsed = pl.when(parsed.is_finite()).then(parsed)
        if parsed is not pl.col(c):
            fixes.append(parsed.alias(c))
    return (frame.with_columns(fixes) if fixes else frame), texts


def _as_number(text: pl.Expr, dtype: type[pl.DataType]) -> pl.Expr:
    """Text as a number of `dtype`, or null; a whole number may carry a decimal point."""
    if dtype != pl.Int64:
        return text.cast(dtype, strict=False)
    whole = text.cast(pl.Int64, strict=False)
    number = text.cast(pl.Float64, strict=False)
    written_as_decimal = pl.when(number.is_finite() & (number == number.floor())).then(
        number.cast(pl.Int64, strict=False)
    )
    return pl.coalesce(whole, written_as_decimal)
