"""How episodes ended (an outcomes CSV), and fitting the learned dropout model from files.

The outcomes file has one row per client: ``client_id,ended`` with ``ended`` one of
``completed``, ``dropped_out``, ``referred``, ``ongoing``. Only ended episodes train the model;
``dropped_out`` is the outcome it learns; ``ongoing`` episodes are scored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from unstuck.analysis.columns import column_name
from unstuck.analysis.rawcsv import NO_ROWS, CsvUnreadable, header_problem, read_file
from unstuck.errors import InvalidRows, MissingColumns, Problem
from unstuck.progress.dropout import (
    ENDINGS,
    DropoutModel,
    dropout_features,
    fit_dropout_model,
    landmark_episodes,
)


def keyed_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a small CSV keyed by client (``client_id,ended``, ``client_id,therapist``),
    each with its row number in the file (the header is row 1): header names and values
    stripped, names lower-cased; blank lines are not rows. The file is read as the caseload
    is (`rawcsv.read_file`: UTF-16, semicolons or tabs, old Mac line endings; a file that is
    not UTF-8 text is refused naming the line). Raises `MissingColumns` when a column of
    `columns` is absent, and `CsvUnreadable` when no row is left.
    """
    try:
        path.open("rb").close()
    except OSError as exc:
        raise CsvUnreadable(str(path), f"cannot be read ({exc.strerror})") from None
    raw = read_file(path)
    problem = header_problem(str(path), raw)
    if problem is not None:
        raise problem
    header = [column_name(c) for c in raw.columns]
    missing = tuple(c for c in columns if c not in header)
    if missing:
        raise MissingColumns(missing, tuple(header))
    text = raw.select(pl.all().cast(pl.String).str.strip_chars().fill_null(""))
    rows = []
    for row_number, values in enumerate(text.iter_rows(), start=2):
        if any(values):
            rows.append((row_number, dict(zip(header, values, strict=True))))
    if not rows:
        raise CsvUnreadable(str(path), NO_ROWS)
    return rows


def by_client(
    path: Path, column: str, what: str, check: Callable[[str], str | None] = lambda _: None
) -> dict[str, str]:
    """client_id -> the value of `column` (a file of ``client_id,<column>``, one row per
    client); every bad row is reported with its row, column and value: an empty cell (to
    be filled with `what`), a value `check` gives a reason against, a client listed twice
    (which row is right cannot be told, so neither is kept in silence)."""
    return {
        client: value for client, (_, value) in rows_by_client(path, column, what, check).items()
    }


def rows_by_client(
    path: Path, column: str, what: str, check: Callable[[str], str | None] = lambda _: None
) -> dict[str, tuple[int, str]]:
    """`by_client` with each client's row number in the file (the header is row 1), for a
    caller that reports a later problem with a row."""
    out: dict[str, tuple[int, str]] = {}
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for row_number, row in keyed_rows(path, ("client_id", column)):
        client, value = row["client_id"], row[column]
        reason = check(value) if value else None
        if not client:
            problems.append(Problem(row_number, "client_id", None, "client_id is empty"))
        elif not value:
            problems.append(Problem(row_number, column, None, f"{column} is empty: write {what}"))
        elif reason is not None:
            problems.append(Problem(row_number, column, value, reason))
        elif client in first:
            problems.append(
                Problem(
                    row_number,
                    "client_id",
                    client,
                    f"appears twice (rows {first[client]} and {row_number}): keep one row "
                    "per client",
                )
            )
        else:
            out[client], first[client] = (row_number, value), row_number
    if problems:
        rows = len({p.row for p in problems})
        raise InvalidRows(path.name, tuple(problems[:10]), len(problems), rows)
    return out


def read_outcomes(path: Path) -> dict[str, str]:
    """client_id -> how the episode ended (one of `ENDINGS`, in any case)."""
    return {client: ended for client, (_, ended) in outcome_rows(path).items()}


def outcome_rows(path: Path) -> dict[str, tuple[int, str]]:
    """`read_outcomes` with each client's row number in the file."""
    rule = f"one of {', '.join(ENDINGS)}"
    endings = rows_by_client(
        path, "ended", rule, lambda v: None if v.lower() in ENDINGS else f"must be {rule}"
    )
    return {client: (row, ended.lower()) for client, (row, ended) in endings.items()}


def fit_and_score(
    frame: pl.DataFrame,
    outcomes: dict[str, str],
    *,
    landmarks: Sequence[int],
    seed: int = 0,
) -> tuple[DropoutModel, pl.DataFrame]:
    """Fit on the ended episodes; score the ongoing ones as of their latest session.

    Returns the model and, for each ``ongoing`` client with rows in `frame`, ``client_id``,
    ``sessions`` and ``probability`` (highest first).
    """
    episodes = landmark_episodes(frame, outcomes, landmarks=landmarks)
    model = fit_dropout_model(episodes, seed=seed)
    ongoing = [c for c, ended in outcomes.items() if ended == "ongoing"]
    current = dropout_features(frame.filter(pl.col("client_id").is_in(ongoing)), horizon=None)
    scored = current.select("client_id", "sessions").with_columns(
        probability=pl.Series(model.probabilities(current), dtype=pl.Float64)
    )
    return model, scored.sort("probability", "client_id", descending=[True, False])
