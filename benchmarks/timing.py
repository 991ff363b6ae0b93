"""Shared by the benchmark scripts: the median wall time of a few runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[], object], repeat: int = 3) -> float:
    """Seconds, the median of `repeat` runs of `fn` (the median resists a slow outlier)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
