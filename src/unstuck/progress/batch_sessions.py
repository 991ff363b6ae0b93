"""Per-client counts over sessions for the caseload path: attendance, resistance markers
and the gaps between dated sessions, for the withdrawal signal (`signals`), from one row per
session (`session_rows`).

Sessions come sorted by client code ``_c``, so each client's sessions are a run of rows:
counts are taken with `numpy.bincount` over codes, and the latest few sessions are read at
the runs' ends, a few passes over clients instead of over every session.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from unstuck.progress.attendance import ATTENDANCE_KINDS, MISSED
from unstuck.progress.config import Thresholds


def session_rows(observations: pl.DataFrame, *, several_instruments: bool) -> pl.DataFrame:
    """One row per session (``_c``, ``occasion``, ``attendance``, ``date``, ``markers``): the
    first of its rows, as they share attendance, date and markers; with one instrument, each
    row is a session of its own. Rows with no occasion (a safety answer of an unknown session)
    or no attendance (answers given ahead of a session not yet recorded) are no session."""
    sessions = observations.select("_c", "occasion", "attendance", "date", "markers")
    if sessions.get_column("occasion").has_nulls() or sessions.get_column("attendance").has_nulls():
        sessions = sessions.filter(
            pl.col("occasion").is_not_null() & pl.col("attendance").is_not_null()
        )
    if several_instruments:
        c, o = pl.col("_c"), pl.col("occasion")
        sessions = sessions.filter((c != c.shift(1)) | (o != o.shift(1)) | c.shift(1).is_null())
    return sessions


def session_counts(sessions: pl.DataFrame, thresholds: Thresholds) -> pl.DataFrame:
    """Per client code ``_c``: sessions of each attendance kind (all, and within the
    withdrawal rule's window of the latest ones), and markers noted in that window.

    Sessions are sorted by client, so each client's sessions are a run: all of them are
    counted with one `numpy.bincount` over codes, and the latest few are read at the runs'
    ends (a few passes over clients, not over sessions).
    """
    window = thresholds.withdrawal_risk.window
    c = sessions.get_column("_c").to_numpy()
    kinds = len(ATTENDANCE_KINDS)
    if not len(c):
        return pl.DataFrame(
            schema={
                "_c": pl.Int64,
                "attendance": pl.Struct({k: pl.Int64 for k in ATTENDANCE_KINDS}),
                **dict.fromkeys(("missed", "late", "booked", "noticed"), pl.Int64),
            }
        )
    kind = sessions.get_column("attendance").cast(pl.Enum(ATTENDANCE_KINDS)).to_physical()
    kind_codes = kind.to_numpy().astype(np.int64)
    starts, ends = run_bounds(c)
    clients = c[starts]
    every = np.bincount(c * kinds + kind_codes, minlength=(int(c.max()) + 1) * kinds)
    every = every.reshape(-1, kinds)[clients]
    markers = sessions.get_column("markers").to_numpy()
    runs = np.arange(len(starts))
    latest_keys, noticed = [], np.zeros(len(starts), dtype=np.int64)
    for back in range(1, window + 1):  # the latest session, the one before, ...
        at = ends - back
        held = at >= starts
        latest_keys.append(runs[held] * kinds + kind_codes[at[held]])
        noticed[held] += markers[at[held]]
    latest = np.bincount(np.concatenate(latest_keys), minlength=len(starts) * kinds)
    latest = latest.reshape(-1, kinds)
    return pl.DataFrame(
        {
            "_c": clients,
            "attendance": pl.DataFrame(
                {k: every[:, i] for i, k in enumerate(ATTENDANCE_KINDS)}
            ).to_struct(),
            "missed": latest[:, [ATTENDANCE_KINDS.index(k) for k in MISSED]].sum(axis=1),
            "late": latest[:, ATTENDANCE_KINDS.index("late")],
            "booked": latest.sum(axis=1),
            "noticed": noticed,
        },
        schema_overrides={"_c": pl.Int64},
    )


def run_bounds(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal codes begins and ends (one past its last), in sorted codes."""
    if not len(codes):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.append(True, codes[1:] != codes[:-1]))
    return starts, np.append(starts[1:], len(codes))


def gaps(sessions: pl.DataFrame, thresholds: Thresholds) -> pl.DataFrame:
    """Clients with at least three gaps between dated sessions whose latest gap is long
    enough to be a candidate for the gap rule, with that latest gap and the usual gap (the
    median of the earlier ones). The median is taken only for these few candidates."""
    rule = thresholds.withdrawal_risk
    none = pl.DataFrame(schema={"_c": pl.Int64, "latest": pl.Int64, "usual": pl.Float64})
    dated = (
        sessions.filter(pl.col("date").is_not_null()) if sessions["date"].has_nulls() else sessions
    )
    c = dated.get_column("_c").to_numpy()
    day = dated.get_column("date").to_physical().to_numpy().astype(np.int64)
    starts, ends = run_bounds(c)
    # Three gaps or more: four dated sessions or more. The latest gap ends the run.
    enough = np.flatnonzero(ends - starts >= 4)
    latest = day[ends[enough] - 1] - day[ends[enough] - 2]
    long = latest >= rule.min_gap_days
    chosen, latest = enough[long], latest[long]
    if not len(chosen):
        return none
    # The earlier gaps of the chosen clients: from each run's start to before its last gap.
    counts = ends[chosen] - starts[chosen] - 2
    first = np.repeat(starts[chosen] - np.cumsum(counts) + counts, counts)
    at = first + np.arange(counts.sum())
    earlier = pl.DataFrame({"_c": c[at], "gap": day[at + 1] - day[at]})
    usual = earlier.group_by("_c").agg(usual=pl.col("gap").median())
    return pl.DataFrame(
        {"_c": c[starts[chosen]], "latest": latest},
        schema={"_c": pl.Int64, "latest": pl.Int64},
    ).join(usual, on="_c")
