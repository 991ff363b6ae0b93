"""How episodes ended (an outcomes CSV), and fitting the learned dropout model from files.

The outcomes file has one row per client: ``client_id,ended`` with ``ended`` one of
``completed``, ``dropped_out``, ``referred``, ``ongoing``. Only ended episodes train the model;
``dropped_out`` is the outcome it learns.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from unstuck.analysis.csvinput import CsvUnreadable
from unstuck.errors import InvalidRows, MissingColumns, Problem
from unstuck.measures import InstrumentSet
from unstuck.progress.dropout import DropoutModel, dropout_features, fit_dropout_model
from unstuck.progress.summary import observations_by_client, summarise_client

ENDINGS = ("completed", "dropped_out", "referred", "ongoing")


def read_outcomes(path: Path) -> dict[str, str]:
    """client_id -> how the episode ended; every bad row is reported with row and value."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CsvUnreadable(str(path), f"cannot be read ({exc.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = tuple(c for c in ("client_id", "ended") if c not in header)
        if missing:
            raise MissingColumns(missing, tuple(header))
        out: dict[str, str] = {}
        problems: list[Problem] = []
        for row_number, raw in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            client, ended = row["client_id"], row["ended"].lower()
            if not client:
                problems.append(Problem(row_number, "client_id", None, "is empty"))
            elif ended not in ENDINGS:
                problems.append(
                    Problem(
                        row_number, "ended", row["ended"], f"must be one of {', '.join(ENDINGS)}"
                    )
                )
            elif client in out:
                problems.append(Problem(row_number, "client_id", client, "appears twice"))
            else:
                out[client] = ended
    if problems:
        raise InvalidRows(path.name, tuple(problems[:10]), len(problems), len(problems))
    return out


def fit_from_frame(
    frame: pl.DataFrame,
    outcomes: dict[str, str],
    instruments: InstrumentSet,
    *,
    horizon: int,
    seed: int = 0,
) -> DropoutModel:
    """Ended episodes with sessions beyond `horizon`: features up to it, outcome dropped_out."""
    rows, dropped, rule = [], [], []
    for client_id, observations in observations_by_client(frame).items():
        ended = outcomes.get(client_id, "ongoing")
        if ended == "ongoing" or max(o.occasion for o in observations) <= horizon:
            continue
        early = [o for o in observations if o.occasion <= horizon]
        rows.append(dropout_features(early, horizon))
        dropped.append(ended == "dropped_out")
        flags = summarise_client(client_id, early, instruments).flags
        rule.append(1.0 if "withdrawal_risk" in flags else 0.0)
    return fit_dropout_model(rows, dropped, rule=rule, horizon=horizon, seed=seed)
