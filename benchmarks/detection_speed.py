"""Detection speed: one client's update, a whole caseload, and fitting the expected course.

Targets (issue 3; issue 13 for one client): updating one client's status after a new
measure <= 25 ms (it runs the caseload code on a one-client frame); recomputing 100,000
clients x 20 sessions reported with time and memory, next to the time needed just to read
the data; fitting the expected course on 1,000,000 rows in under a minute.

    python benchmarks/detection_speed.py [--clients 100000] [--occasions 20]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import polars as pl

from timing import median_time
from unstuck.analysis import analyze_file
from unstuck.analysis.csvinput import read_observations
from unstuck.measures import load_instruments
from unstuck.progress.course import fit_course
from unstuck.progress.summary import observations_by_client, summarise_client
from unstuck.synth import ClinicParameters, generate_long_table


def one_client(instruments) -> float:  # type: ignore[no-untyped-def]
    clinic = generate_long_table(ClinicParameters(clients=1, occasions=20, seed=4, dropout_share=0))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "one.csv"
        clinic.observations.write_csv(path)
        frame = read_observations(path, instruments).frame
    rows = observations_by_client(frame)["SYN-000001"]
    times = []
    for _ in range(300):
        started = time.perf_counter()
        summarise_client("SYN-000001", rows, instruments)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--occasions", type=int, default=20)
    args = parser.parse_args()
    instruments = load_instruments()

    per_client = one_client(instruments)
    print(
        f"one client, 20 sessions x 3 instruments: {per_client * 1000:.2f} ms per update "
        f"(target <= 25 ms, issue 13)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "caseload.csv"
        params = ClinicParameters(
            clients=args.clients,
            occasions=args.occasions,
            instruments=("phq9",),
            dropout_share=0.0,
            seed=2,
        )
        generate_long_table(params).observations.write_csv(path)
        rows = args.clients * args.occasions
        analyze_s = median_time(lambda: analyze_file(path, instruments))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        polars_s = median_time(lambda: pl.read_csv(path))
        pandas_s = median_time(lambda: pd.read_csv(path))
        print(f"caseload: {args.clients:,} clients x {args.occasions} sessions = {rows:,} rows")
        print(
            f"  just reading the file: polars.read_csv {polars_s:.2f} s, "
            f"pandas.read_csv {pandas_s:.2f} s"
        )
        print(
            f"  reading, checking, summarising and detecting: {analyze_s:.2f} s "
            f"({analyze_s / polars_s:.1f} x polars' read, {analyze_s / pandas_s:.1f} x pandas'); "
            f"peak memory {peak_mb:,.0f} MB"
        )
        frame = read_observations(path, instruments).frame
        first_million = frame.filter(pl.col("occasion") <= 10)
        started = time.perf_counter()
        model = fit_course(first_million, "phq9")
        fit_s = time.perf_counter() - started
        print(
            f"fitting the expected course on {first_million.height:,} rows: {fit_s:.2f} s "
            f"(target < 60 s); held-out coverage {model.coverage:.1%}"
        )


if __name__ == "__main__":
    main()
