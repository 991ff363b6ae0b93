"""Read a CSV file of measures into a frame, as fast as its contents allow.

Number columns (score, item answers, occasion) are parsed while reading when the whole file
allows it; otherwise the file is read again as text, so that `unstuck.analysis.csvinput` can
name every value that is wrong. Nothing is checked here beyond that.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl

from unstuck.errors import UnstuckError

ITEM = re.compile(r"item_(\d+)$")  # an item answer column, once named by `column_name`
SNIFFED_BYTES = 1 << 16  # the first rows, looked at to choose how to read item answers


def read_file(source: str | Path | IO[bytes]) -> pl.DataFrame:
    """Read a CSV file (a path or an open binary stream); `CsvUnreadable` when it cannot be."""
    name = source if isinstance(source, str | Path) else getattr(source, "name", "input")
    if not isinstance(source, str | Path):
        source = io.BytesIO(source.read())  # read twice below if need be
    try:
        return read_raw(source)
    except FileNotFoundError as exc:
        raise CsvUnreadable(str(name), "file not found") from exc
    except pl.exceptions.NoDataError as exc:
        raise CsvUnreadable(str(name), "the file is empty") from exc
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CsvUnreadable(str(name), f"not a readable CSV file ({first_line})") from exc


@dataclass(eq=False)
class CsvUnreadable(UnstuckError):
    """The file is missing, empty or not CSV at all (as opposed to holding bad values)."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def column_name(header: str) -> str:
    """A header as the checks know it: no byte-order mark, no spaces around, lower case."""
    return header.strip().lstrip("\ufeff").strip().lower()


def read_raw(source: str | Path | io.BytesIO) -> pl.DataFrame:
    """Read the file, parsing number columns while reading when the whole file allows it.

    Parsing while reading is much faster, but a single bad value makes it fail; then the
    file is read again as text so that `unstuck.analysis.csvinput` can name every bad value.
    Item answers are whole numbers in every instrument, so they are read as small integers
    (a quarter of the memory of floats) unless the first rows show other numbers, such as
    "2.0" from a program that writes whole numbers with a decimal point.
    """
    head = _first_rows(source)
    numbers: dict[str, type[pl.DataType]] = {}
    for column in head.columns:
        name = column_name(column)
        if name == "score":
            numbers[column] = pl.Float64
        elif ITEM.match(name):
            whole = head.get_column(column).drop_nulls().str.contains(r"^-?\d{1,4}$").all()
            numbers[column] = pl.Int16 if whole else pl.Float64
        elif name == "occasion":
            numbers[column] = pl.Int64
    if isinstance(source, io.BytesIO):
        source.seek(0)
    try:
        typed = pl.read_csv(source, infer_schema=False, schema_overrides=numbers)
        floats = [c for c, t in numbers.items() if t == pl.Float64]
        # "nan" and "inf" parse as numbers; read as text to report them as the person wrote them.
        if (
            not floats
            or not typed.select(
                pl.any_horizontal((~pl.col(c).is_finite()).any() for c in floats)
            ).item()
        ):
            return typed
    except pl.exceptions.ComputeError:
        pass
    if isinstance(source, io.BytesIO):
        source.seek(0)
    return pl.read_csv(source, infer_schema=False)


def _first_rows(source: str | Path | io.BytesIO) -> pl.DataFrame:
    """The header and the rows in the first `SNIFFED_BYTES` of the file, as text."""
    if isinstance(source, io.BytesIO):
        data = source.getvalue()[:SNIFFED_BYTES]
    else:
        with open(source, "rb") as stream:
            data = stream.read(SNIFFED_BYTES)
    if len(data) == SNIFFED_BYTES:
        data = data[: data.rfind(b"\n") + 1]  # whole lines only
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False)
    except pl.exceptions.PolarsError:  # e.g. a quoted value running past the cut
        if isinstance(source, io.BytesIO):
            source.seek(0)
        return pl.read_csv(source, n_rows=0, infer_schema=False)
