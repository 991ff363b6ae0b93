"""CSV files we write are opened in spreadsheets: no text cell may run there as a formula.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by
Excel, LibreOffice and Google Sheets as a formula, so a client id or a therapist's name such as
``=HYPERLINK("http://...")`` in a clinic's export would become a live link or worse in the
report we hand back (CSV injection, OWASP). Text cells that begin so are written with a
leading apostrophe, which spreadsheets show as the text itself; numbers are left alone, so a
change of -2 stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value, with an apostrophe before text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_text_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """`safe_cell` on every text column of `frame` (one vectorised pass per column)."""
    texts = [name for name, kind in frame.schema.items() if kind == pl.String]
    return frame.with_columns(
        pl.when(pl.any_horizontal(pl.col(name).str.starts_with(s) for s in FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in texts
    )


class SafeWriter:
    """`csv.writer` whose rows go through `safe_cell`."""

    def __init__(self, out: IO[str]) -> None:
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])
