"""How long does `unstuck analyze` take on a million rows, next to pandas.read_csv?

Target (issue 2): 1,000,000 rows (100,000 clients x 10 sessions) analysed in at most twice
the time `pandas.read_csv` takes to read the same file.

The file is synthetic PHQ-9 data at item level (nine answers per row, so every row is scored,
range-checked and safety-checked), with attendance and dates. `unstuck analyze` is timed as
the real command in a fresh process, end to end: start-up, reading, checking every value,
summarising every client and writing the JSON report. Each figure is the median of several
runs.

    python benchmarks/analyze_speed.py [--clients 100000] [--occasions 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from unstuck.synth import ClinicParameters, generate_long_table


def median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--occasions", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "caseload.csv"
        out = Path(tmp) / "report.json"
        params = ClinicParameters(
            clients=args.clients,
            occasions=args.occasions,
            instruments=("phq9",),
            dropout_share=0.0,
            seed=1,
        )
        generate_long_table(params).observations.write_csv(csv)
        rows = args.clients * args.occasions
        print(f"file: {rows:,} rows, {csv.stat().st_size / 1e6:.1f} MB (synthetic PHQ-9 items)")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

        pandas_s = median_time(lambda: pd.read_csv(csv), args.repeat)
        command = [sys.executable, "-m", "unstuck.cli", "analyze", str(csv), "-o", str(out)]
        unstuck_s = median_time(lambda: subprocess.run(command, check=True), args.repeat)
        import_s = median_time(
            lambda: subprocess.run(
                [sys.executable, "-c", "import unstuck.analysis, unstuck.cli"], check=True
            ),
            args.repeat,
        )
        print(f"pandas.read_csv:                    {pandas_s:6.2f} s")
        print(f"unstuck analyze (whole command):    {unstuck_s:6.2f} s")
        print(f"  of which Python start-up/imports: {import_s:6.2f} s")
        print(f"report size: {out.stat().st_size / 1e6:.1f} MB JSON")
        ratio = unstuck_s / pandas_s
        verdict = "meets" if ratio <= 2.0 else "MISSES"
        print(f"ratio: {ratio:.2f} x pandas.read_csv ({verdict} the target of at most 2.0)")


if __name__ == "__main__":
    main()
