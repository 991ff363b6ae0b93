"""What a written report says about the rows `--skip-invalid` left out.

The rows left out were listed only on standard error, so a report file read the next day
said nothing of them: not that a client's first score was missing, nor that a row with a
safety answer above 0 (one without a client id raises no one's flag) was never counted.
So the report records them in every format: how many rows and problems, and each problem
listed (row, column, value, reason), a safety answer's first (`analysis.refused`). A client
every row of whom was left out is named too (`ClientsLeftOut`): such a client is in no figure
and no list of the report, and the count of clients alone did not say that one was missing.

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
class ClientsLeftOut:
    """The clients every row of whom was left out: the first few in client id order, each
    with how many rows it had, and how many such clients in all."""

    listed: tuple[tuple[str, int], ...] = ()
    count: int = 0


NO_CLIENTS = ClientsLeftOut()  # no client left out entirely (a frozen, shared default)


def clients_left_out(refused: pl.DataFrame, kept: pl.DataFrame, most: int) -> ClientsLeftOut:
    """The clients of the `refused` rows (columns ``_c``, client code, and ``client_id``)
    that have no row in `kept` (a client whose refused row held a safety answer above 0
    comes back with it, `analysis.refused`, and so is not left out); `most` are listed."""
    gone = (
        refused.filter(pl.col("client_id").cast(pl.String).str.strip_chars().str.len_chars() > 0)
        .join(kept.select("_c"), on="_c", how="anti")
        .group_by("_c")
        .agg(pl.col("client_id").first().cast(pl.String), rows=pl.len())
        .sort("_c")
    )
    listed = tuple((str(c), int(n)) for c, n in gone.head(most).select("client_id", "rows").rows())
    return ClientsLeftOut(listed, gone.height)


def clients_sentence(clients: ClientsLeftOut) -> str | None:
    """The clients left out entirely, in words, or None when there are none."""
    if not clients.count:
        return None
    names = ", ".join(
        f"{shown_id(c)} ({'its only row' if n == 1 else f'all {n} rows'})"
        for c, n in clients.listed
    )
    unlisted = clients.count - len(clients.listed)
    if unlisted > 0:
        names += f" and {counted(unlisted, 'more client')}"
    return (
        f"{counted(clients.count, 'client')} left out entirely, as every row of theirs has a "
        f"problem: {names}. They are not in this report's figures or its list of clients: please "
        "fix their rows and run the report again."
    )


def shown_id(client_id: str) -> str:
    """A client id as a line of text can show it: quoted, escaped, when it holds a control
    character (such an id is refused, so it can only be a left-out client's)."""
    return repr(client_id) if any(ord(c) < 32 or ord(c) == 127 for c in client_id) else client_id


@dataclass(frozen=True)
class LeftOut:
    """The rows left out: the first problems (a safety answer's first, then in row order),
    how many problems and rows in all, and the clients every row of whom was left out."""

    listed: tuple[Problem, ...]
    problems: int
    rows: int
    clients: ClientsLeftOut = NO_CLIENTS


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
    ordered = in_order(left)
    safety_first = [p for p in ordered if is_safety(p)]
    lines += [Line(f"SAFETY: {p}", True) for p in safety_first]
    gone = clients_sentence(left.clients)
    if gone is not None:  # after the safety answers, before the rows' other problems
        lines.append(Line(gone))
    lines += [Line(str(p)) for p in ordered[len(safety_first) :]]
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
    clients = {
        "clients": left.clients.count,
        "listed": [{"client_id": c, "rows": n} for c, n in left.clients.listed],
        "text": clients_sentence(left.clients),
    }
    skipped = {
        "rows": left.rows,
        "problems": left.problems,
        "listed": listed,
        "clients_left_out": clients,
    }
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
