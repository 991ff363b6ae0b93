"""Read and check a long table of measures: one row per client, occasion and instrument.

Every value is checked here, so that a bad value is reported with its row, column and value
instead of being guessed at (`unstuck.analysis.rawcsv` reads the file: a column is parsed as
numbers while reading only when all of it can be, and is text otherwise). All checks are
column-wise (polars), so a million-row file is checked in a fraction of a second.

Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl

from unstuck.analysis.cells import (
    LINE_BREAK,
    as_categories,
    as_dates,
    as_text,
    blank,
    date_reason,
    line_break_reason,
    not_a_number_reason,
    not_whole_from,
    parse_numbers,
    without_blank_rows,
)
from unstuck.analysis.columns import (
    ITEM,
    check_unread_items,
    frame_names,
    headers_as_written,
    ignored_columns,
)
from unstuck.analysis.leftout import NO_CLIENTS, ClientsLeftOut, clients_left_out
from unstuck.analysis.rawcsv import (
    NO_ROWS,
    PROBLEM_COLUMNS,
    CsvUnreadable,
    RaggedRows,
    header_problem,
    read_file,
    source_name,
)
from unstuck.analysis.refused import merge_safety_rows, safety_rows
from unstuck.analysis.rowscores import score_rows
from unstuck.analysis.sessions import session_problems, sessions_without_a_form
from unstuck.errors import InvalidRows, MissingColumns, Problem
from unstuck.measures import InstrumentSet
from unstuck.progress.attendance import attendance_word, cancelled_by_therapist
from unstuck.progress.runs import client_codes
from unstuck.progress.signals import MISSED
from unstuck.progress.summary import ATTENDANCE_KINDS

ATTENDANCE = ATTENDANCE_KINDS  # attended, late, cancelled, no_show
MAX_LISTED = 50
SHOWN_CHARS = 80  # a value in a problem is shown up to this many characters
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # control characters but line breaks
# README: a session cancelled by the therapist is not the client's missed session.
BY_THERAPIST = (
    "a session the therapist cancelled is not one the client missed, and Unstuck does not "
    "count it: delete this row (writing 'cancelled' instead would count it as the client's "
    "missed session, a sign of pulling away)"
)

PROBLEM_SCHEMA = pl.Schema(PROBLEM_COLUMNS)
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
    # Each row's client as a whole number in client_id order (`progress.runs.client_codes`),
    # made for the checks and passed on to `summarise_caseload`, which needs them too.
    client_codes: pl.Series
    skipped: tuple[Problem, ...]  # the first MAX_LISTED problems of the rows left out
    skipped_problems: int
    skipped_rows: int
    # Columns of the file (as written) that Unstuck does not read, such as notes: named, so
    # that a column meant to be read but spelled otherwise is not lost without a word.
    ignored: tuple[str, ...] = ()
    clients_left_out: ClientsLeftOut = NO_CLIENTS  # every row of theirs left out


def read_observations(
    source: str | Path | IO[bytes],
    instruments: InstrumentSet,
    *,
    skip_invalid: bool = False,
    answers: bool = False,
) -> Observations:
    """Read a CSV file of measures and check every value (see `check_observations`)."""
    name = source_name(source)
    ragged = None
    try:
        raw = read_file(source)
    except RaggedRows as refused:  # listed with the other refused rows
        raw, ragged = refused.frame, refused.rows
    return check_observations(
        raw,
        instruments,
        source=str(name),
        skip_invalid=skip_invalid,
        ragged=ragged,
        answers=answers,
    )


def check_observations(
    raw: pl.DataFrame,
    instruments: InstrumentSet,
    *,
    source: str = "input",
    skip_invalid: bool = False,
    ragged: pl.DataFrame | None = None,
    answers: bool = False,
) -> Observations:
    """Check a table of text values and turn it into typed observations.

    Columns are known by `columns.column_name` (``Client ID`` is ``client_id``; ``Item 1``
    and ``Q1`` are ``item_1``); a problem names a column as the file heads it, and the
    columns not read (such as notes) are listed in ``ignored``; one not read that looks like
    an item answer (``PHQ9_9``, ``Risk (PHQ-9 item 9)``) and holds a value refuses the file
    (`columns.check_unread_items`), so that no answer is lost for its column's name.

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
      its attendance, date and markers, and a later session is not dated before an
      earlier one.
    - `ragged` lists rows read with more fields than the header (`rawcsv.RaggedRows`):
      they are refused like the others, and only for that (their values are misplaced).

    With ``answers`` the frame also keeps the item columns (``item_1`` ..., as numbers), for
    `unstuck import`, which stores answers item by item.

    Without ``skip_invalid`` any problem raises `InvalidRows` and nothing is returned, so a
    partly wrong file never yields a partly right analysis by accident. With it, the rows
    with problems are left out and listed in the result.
    """
    unreadable = header_problem(source, raw)
    if unreadable is not None:
        raise unreadable
    check_unread_items(source, raw, [*instruments, *(i.name for i in instruments.values())])
    frame = raw.rename(frame_names(raw.columns))
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
        raise MissingColumns(tuple(missing), tuple(h.strip().lstrip("\ufeff") for h in raw.columns))

    frame = frame.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    frame, ids = without_blank_rows(frame)  # ids: client_id without spaces around it
    if frame.is_empty():
        raise CsvUnreadable(source, NO_ROWS)
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
    joined = frame.select(pl.col(texts).str.contains(LINE_BREAK).any()).row(0) if texts else ()
    for c, hit in zip(texts, joined, strict=True):
        if hit:
            frame = frame.with_columns(  # the reason now: `c` may be parsed as numbers below
                pl.col(c).str.contains(LINE_BREAK).alias(f"_lines_{c}"),
                line_break_reason(c, raw.width).alias(f"_lines_why_{c}"),
            )
            flag(pl.col(f"_lines_{c}"), c, pl.col(f"_lines_why_{c}"))
    if frame.schema["client_id"] == pl.String:
        # Codes are printed in reports and PDFs, where a control character breaks the layout.
        flag(
            pl.col("client_id").str.contains(CONTROL),
            "client_id",
            "client_id holds a control character (such as NUL or a tab); use letters, "
            "digits and marks",
        )
    known = sorted(instruments)
    # "PHQ-9", "phq 9" and " PHQ9" are the PHQ-9 (`InstrumentSet.id_for`), as clinics write it.
    frame = as_categories(frame, "instrument", lambda v: instruments.id_for(v) or v.strip(), known)
    frame = frame.with_columns(ids)
    frame = frame.with_columns(client_codes(frame.get_column("client_id")).alias("_c"))
    flag(blank("client_id"), "client_id", "client_id is empty")
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
        # No-Show, DNA and Did not attend are no_show
        frame = as_categories(frame, "attendance", attendance_word, ATTENDANCE)
        unknown = ~pl.col("_blank_attendance") & pl.col("attendance").is_null()
        words = frame.filter(unknown).get_column("_raw_attendance").unique().to_list()
        theirs = [w for w in words if cancelled_by_therapist(w)]
        flag(
            unknown,
            "attendance",
            pl.when(pl.col("_raw_attendance").is_in(theirs))
            .then(pl.lit(BY_THERAPIST))
            .otherwise(pl.lit(f"attendance must be one of {', '.join(ATTENDANCE)}")),
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.Enum(ATTENDANCE)).alias("attendance"))

    # -- session: occasion and/or date ---------------------------------------------------
    if "date" in columns:
        frame = as_dates(frame)
        flag(pl.col("_raw_date").is_not_null() & pl.col("date").is_null(), "date", date_reason())
    else:
        frame = frame.with_columns(pl.lit(None, pl.Date).alias("date"))
    if "occasion" in columns:
        frame, _ = parse_numbers(frame, ["occasion"], pl.Int64)
        flag(
            not_whole_from("occasion", 0),
            "occasion",
            "occasion must be a whole number (session number) from 0 up "
            "(0 is the intake or baseline)",
        )
        flag(pl.col("_raw_occasion").is_null(), "occasion", "occasion is empty")
    else:
        flag(pl.col("_raw_date").is_null(), "date", "date is empty (needed without occasion)")

    if "markers" in columns:
        frame, _ = parse_numbers(frame, ["markers"], pl.Int64)
        flag(
            not_whole_from("markers", 0),
            "markers",
            "markers must be a whole number from 0 up (signs of pulling back noted)",
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.Int64).alias("markers"))

    # -- numbers: score and items --------------------------------------------------------
    numeric = (["score"] if "score" in columns else []) + item_columns
    frame, parsed = parse_numbers(frame, numeric, pl.Float64)
    for c in parsed:  # columns read as numbers hold nothing else
        as_written = pl.col(f"_raw_{c}")
        flag(as_written.is_not_null() & pl.col(c).is_null(), c, not_a_number_reason(as_written))
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
    # An attendance written but not known is reported as such: the row may be a session
    # with no questionnaire (a therapist's cancellation), so a missing score is not added.
    flag(
        ~pl.col("_written")
        & ~pl.col("_blank_instrument")
        & ~pl.col("attendance").is_in(MISSED).fill_null(given),
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
                    as_text(pl.col(value), frame.schema[value]).alias("value"),
                    reason.alias("reason"),
                )
            )

    if ragged is not None and ragged.height:
        misplaced = pl.col("row").is_in(ragged.get_column("row").implode())
        problems = [p.filter(~misplaced) for p in problems] + [ragged]
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
    gone = NO_CLIENTS
    if found is not None and found.height:
        found = found.sort(["row", "column"], maintain_order=True)
        bad_rows = found.get_column("row").unique()
        refused = pl.col("row").is_in(bad_rows.implode())
        # A refused row's positive safety answer is named first, and with --skip-invalid
        # it still raises the client's safety flag (analysis/refused.py).
        back, notes = safety_rows(
            frame.filter(refused), instruments, "occasion" in columns, kept=skip_invalid
        )
        if notes.height:
            found = pl.concat([notes.cast(PROBLEM_SCHEMA), found])
        shown_as = headers_as_written(raw.columns)  # "Q9" rather than item_9, as the file says
        if shown_as:
            found = found.with_columns(pl.col("column").replace(shown_as))
        listed = tuple(Problem(**r) for r in found.head(MAX_LISTED).iter_rows(named=True))
        if not skip_invalid:
            raise InvalidRows(source, listed, found.height, bad_rows.len())
        kept = merge_safety_rows(frame.filter(~refused), back, "occasion" in columns)
        gone = clients_left_out(frame.filter(refused), kept, MAX_LISTED)
        frame = kept
        skipped, skipped_problems, skipped_rows = listed, found.height, bad_rows.len()

    if "occasion" not in columns:
        frame = frame.with_columns(
            pl.col("date").rank("dense").over("client_id").cast(pl.Int64).alias("occasion")
        )
    if frame.get_column("_no_form").any():
        frame = sessions_without_a_form(frame, known)
    frame = frame.with_columns(
        pl.col("attendance").fill_null("attended"), pl.col("markers").fill_null(0)
    )
    codes = frame.get_column("_c")
    return Observations(
        frame.select(*OBSERVATION_COLUMNS, *(item_columns if answers else ())),
        codes,
        skipped,
        skipped_problems,
        skipped_rows,
        ignored_columns(raw),
        gone,
    )
