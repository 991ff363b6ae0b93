"""Where a CSV file's rows break its shape, found record by record for the messages.

Polars reads a file fast, but when a row has more fields than the header, or a quote mark
is never closed, it says only *that* the file cannot be read, not *where*. Only then is the
file read again here, with Python's csv module (slow, but only on a file already refused),
to name the rows as a spreadsheet shows them: the header is row 1, the first record row 2,
and a blank line is a row too (`unstuck.analysis.csvinput` numbers rows the same way).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TextIO

import polars as pl

SPACES = " \t"  # what a field holding nothing else is blank of
SHOWN = 80  # characters of a row shown in a message (`csvinput` cuts refused rows so too)
KEPT = 200  # characters of a refused row kept for that


class Longer(NamedTuple):
    """A row with something past the header's last column."""

    row: int
    fields: int
    text: str  # the row as written (its first KEPT characters)
    first: str  # its first value, to check that polars found the same row there


@dataclass(frozen=True)
class Shape:
    """What the record-by-record reading found."""

    width: int  # the header's fields
    rows: int  # the last row's number (the header is row 1)
    records: int  # rows that are not blank, the header left out
    longer: tuple[Longer, ...]
    spare: bool  # some row has fields past the header that are all empty (nothing lost)
    broken_quote: str | None  # where a quote mark breaks the file, and how; then no more is read


def file_shape(source: str | Path | io.BytesIO, separator: str) -> Shape:
    """Read the file (UTF-8 text with line feeds, as `rawcsv` makes it) record by record."""
    longer: list[Longer] = []
    spare = False
    width = records = row = 0
    lines = _Lines(_text(source))
    reader = csv.reader(lines, delimiter=separator, strict=True)
    with _no_field_limit():
        try:
            for fields in reader:
                lines.start()
                if not row and not fields:
                    continue  # blank lines before the header are not rows (nor in polars)
                row += 1
                if row == 1:
                    width = len(fields)
                    continue
                records += any(f.strip(SPACES) for f in fields)
                if len(fields) > width:
                    if any(f.strip(SPACES) for f in fields[width:]):
                        text = separator.join(fields)[:KEPT]
                        longer.append(Longer(row, len(fields), text, fields[0][:KEPT]))
                    else:
                        spare = True
        except csv.Error as exc:
            broken = _quote_reason(row + 1, lines, exc)
            return Shape(width, row, records, tuple(longer), spare, broken)
    return Shape(width, row, records, tuple(longer), spare, None)


def same_rows(frame: pl.DataFrame, shape: Shape) -> bool:
    """Whether polars, reading the file with the fields past the header cut off, found the
    rows where the csv module did. Quote marks inside a value (not around it) can make them
    differ; then a row named here may not be that row of the frame, and none can be left
    out. The count of rows and the first value of every longer row are compared."""
    if frame.height != shape.rows - 1:
        return False
    if not shape.longer or not frame.width or frame.dtypes[0] != pl.String:
        return True
    at = pl.Series([r.row - 2 for r in shape.longer], dtype=pl.Int64)
    mine = pl.Series([r.first for r in shape.longer], dtype=pl.String)
    theirs = frame.to_series(0).gather(at).str.slice(0, KEPT)
    return bool(_tidy(mine).eq_missing(_tidy(theirs)).all())


def _tidy(values: pl.Series) -> pl.Series:
    """Values as both readers agree on them: polars keeps a carriage return the csv module
    reads as a space here, and drops one at the end of a value."""
    text = values.str.replace_all("\r", " ", literal=True).str.strip_chars(SPACES)
    return text.replace("", None)


def longer_reason(fields: int, width: int, separator: str) -> str:
    """Why a row with more fields than the header is refused."""
    mark = {",": "comma", ";": "semicolon", "\t": "tab"}.get(separator, repr(separator))
    return (
        f"has {fields} fields where the header has {width}: probably a {mark} inside a value "
        '(such as a note) without quote marks around it; put the value in quotes ("...") '
        f"or remove the {mark}"
    )


def _quote_reason(row: int, lines: _Lines, exc: csv.Error) -> str:
    """Where the record that broke the csv module's reading starts, and why it broke."""
    where = f"row {row}" if lines.first == row else f"row {row} (line {lines.first} of the file)"
    shown = lines.text.rstrip("\r\n")
    shown = shown if len(shown) <= SHOWN else shown[: SHOWN - 3] + "..."
    if "unexpected end of data" in str(exc) or "field larger than" in str(exc):
        why = (
            'a quote mark (") opens a value that is never closed, so every line after it '
            "would be part of that one value; close the quote or remove it"
        )
    elif "expected after" in str(exc):
        why = (
            "a value in quote marks is followed by more text before the next separator; "
            'a quote mark inside a quoted value is written twice ("")'
        )
    else:
        why = f"the quote marks cannot be read ({exc})"
    return f"{where}, {shown!r}: {why}"


class _Lines:
    """The file's lines, remembering the first line of the record being read."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.count = 0  # lines given so far
        self.first = 1  # the line the record being read starts on
        self.text = ""  # that line

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        if self.count == self.first:
            self.text = line
        return line

    def start(self) -> None:
        """A record was read whole: the next one starts on the next line."""
        self.first = self.count + 1


def _text(source: str | Path | io.BytesIO) -> Iterator[str]:
    """The file's lines as polars splits them: at line feeds only (a carriage return before
    one is dropped; any other is read as a space, where polars keeps it in the value)."""
    handle: TextIO
    if isinstance(source, io.BytesIO):
        handle = io.TextIOWrapper(
            io.BytesIO(source.getvalue()), encoding="utf-8-sig", errors="replace", newline="\n"
        )
    else:
        handle = open(source, encoding="utf-8-sig", errors="replace", newline="\n")  # noqa: SIM115
    with handle:
        for line in handle:
            if line.endswith("\r\n"):
                line = line[:-2] + "\n"
            yield line.replace("\r", " ")


@contextmanager
def _no_field_limit() -> Iterator[None]:
    """A quote left open makes one huge field; the csv module would stop at 128 KB."""
    before = csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(before)
