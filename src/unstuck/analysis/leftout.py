"""What a written report says about the rows `--skip-invalid` left out.

The rows left out were listed only on standard error, so a report file read the next day
said nothing of them: not that a client's first score was missing, nor that a row with a
safety answer above 0 (one without a client id raises no one's flag) was never counted.
So the report records them in every format: how many rows and problems, and each problem
listed (row, column, value, reason), a safety answer's first (`analysis.refused`).

- text: a block of lines at the top, before the overview;
- JSON: with ``--skip-invalid`` the report is an object, ``{"skipped": {...}, "notes":
  [...], "clients": [...]}`` (without it, the list of clients as before);
- CSV: the same lines as the text, one a row, above the clients' rows, with ``status``
  ``row_left_out`` (or ``note``, for the file's other notes) and ``flags`` ``safety`` on a
  safety answer's row, the line in ``explanation``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from unstuck.analysis.refused import KEPT_FOR_SAFETY, REFUSED_WITH_SAFETY, WITHOUT_CLIENT
from unstuck.errors import Problem
from unstuck.plural import counted

SAFETY_REASONS = frozenset({KEPT_FOR_SAFETY, REFUSED_WITH_SAFETY, WITHOUT_CLIENT})
LEFT_OUT = "row_left_out"  # the CSV's status of a line about the rows left out
NOTE = "note"  # ... and of the file's other notes (such as its columns not read)


@dataclass(frozen=True)
class LeftOut:
    """The rows left out: the first problems (a safety answer's first, then in row order),
    and how many problems and rows in all."""

    listed: tuple[Problem, ...]
    problems: int
    rows: int


@dataclass(frozen=True)
class Line:
    text: str
    safety: bool = False


def is_safety(problem: Problem) -> bool:
    """Whether the problem is a left-out row's safety answer above 0."""
    return problem.reason in SAFETY_REASONS


def in_order(left: LeftOut) -> list[Problem]:
    """The listed problems, a safety answer's first (the reader must not miss them)."""
    return sorted(left.listed, key=lambda p: not is_safety(p))


def left_out_lines(left: LeftOut) -> list[Line]:
    """The lines that say which rows were left out (none when every row was read): a
    heading, then one line per problem listed."""
    if not left.rows:
        return []
    lines = [
        Line(
            f"Rows left out of this report: {counted(left.rows, 'row')} of the file, with "
            f"{counted(left.problems, 'problem')}. Their scores are not in the figures "
            "below, so a client's first or latest score may be missing (a safety answer "
            "above 0 in a row that names its client still raises that client's safety "
            "flag). Please fix these rows and run the report again."
        )
    ]
    for problem in in_order(left):
        safety = is_safety(problem)
        lines.append(Line(f"{'SAFETY: ' if safety else ''}{problem}", safety))
    unlisted = left.problems - len(left.listed)
    if unlisted > 0:
        lines.append(Line(f"... and {counted(unlisted, 'more problem')} not listed here."))
    return lines


def left_out_text(left: LeftOut) -> list[str]:
    """`left_out_lines` as the text report shows them: the problems indented."""
    lines = [line.text for line in left_out_lines(left)]
    return lines[:1] + [f"  {line}" for line in lines[1:]]


def json_head(left: LeftOut, notes: Sequence[str]) -> bytes:
    """The start of the JSON report's object: everything before the list of clients."""
    listed = [
        {
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "reason": p.reason,
            "safety": is_safety(p),
        }
        for p in in_order(left)
    ]
    skipped = {"rows": left.rows, "problems": left.problems, "listed": listed}
    head = json.dumps({"skipped": skipped, "notes": list(notes)}, ensure_ascii=False)
    return (head[:-1] + ',"clients":\n').encode("utf-8")


def csv_rows(left: LeftOut, notes: Sequence[str], schema: pl.Schema) -> pl.DataFrame:
    """The CSV's rows about the file (other columns empty), to go above the clients'."""
    lines = [(line.text, LEFT_OUT, line.safety) for line in left_out_lines(left)]
    lines += [(note, NOTE, False) for note in notes]
    rows = pl.DataFrame(
        {
            "status": [status for _, status, _ in lines],
            "flags": ["safety" if safety else "" for _, _, safety in lines],
            "explanation": [text for text, _, _ in lines],
        },
        schema={"status": pl.String, "flags": pl.String, "explanation": pl.String},
    )
    return rows.select(
        pl.col(name) if name in rows.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
    )
