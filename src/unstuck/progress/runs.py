"""Arithmetic on runs: rows laid end to end, one run per client (and measure), in order.

The caseload path works on every client at once without a Python loop over clients: a run
is given by where it starts in the flat arrays and how many values it holds.
`client_codes` numbers the clients so that runs can be grouped and sorted fast.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def fitted_change(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Each run's change from its first to its latest value along its least-squares line,
    the values taken as equally spaced (NaN with fewer than two): the change the whole course
    so far shows, which one noisy score moves far less than it moves the first-to-latest
    difference."""
    if not len(starts):
        return np.zeros(0)
    y = values.astype(np.float64)
    x = np.arange(len(y), dtype=np.float64) - np.repeat(starts, counts)  # 0, 1, ... per run
    k = counts.astype(np.float64)
    mean_x, mean_y = (k - 1) / 2, np.add.reduceat(y, starts) / k
    sxy = np.add.reduceat(x * y, starts) - k * mean_x * mean_y
    sxx = k * (k * k - 1) / 12  # the sum of squares of 0..k-1 about their mean
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(counts >= 2, sxy / sxx * (k - 1), np.nan)


def sums_in_order(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The sum of the first `counts` values of each run, added one by one in order."""
    sums = np.zeros(len(starts))
    for j in range(int(counts.max()) if len(counts) else 0):
        more = counts > j
        sums[more] += values[starts[more] + j]
    return sums


def client_codes(ids: pl.Series) -> pl.Series:
    """Whole numbers from 1 that follow the order of client ids (equal ids, equal codes).

    Grouping and sorting on these is much faster than on text. Most files list clients in
    order, and then the codes are a running count of changes of id, which is cheaper than
    ranking text.
    """
    if ids.null_count() == 0 and ids.is_sorted():
        return (ids != ids.shift(1)).fill_null(True).cum_sum().cast(pl.Int64)
    return ids.rank("dense").cast(pl.Int64)
