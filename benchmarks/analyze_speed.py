"""How long does `unstuck analyze` take on a million rows, next to pandas.read_csv?

Target (issue 2): 1,000,000 rows (100,000 clients x 10 sessions) analysed in at most twice
the time `pandas.read_csv` takes to read the same file.

The file is synthetic PHQ-9 data at item level (nine answers per row, so every row is scored,
range-checked and safety-checked), with attendance and dates. Two comparisons are printed:

- in process: reading and checking every value, summarising and detecting for every client,
  and writing the JSON report, against `pandas.read_csv` in the same process (neither pays
  for Python's start-up or its imports);
- whole command: `unstuck analyze FILE -o report.json` in a fresh process, against a fresh
  process that imports pandas and reads the file.

Each figure is the median of several runs.

    python benchmarks/analyze_speed.py [--clients 100000] [--occasions 10] [--repeat 5]
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

from timing import median_time
from unstuck.analysis.csvinput import check_observations, read_raw
from unstuck.analysis.report import write_report
from unstuck.measures import load_instruments
from unstuck.progress.batch import summarise_caseload
from unstuck.synth import ClinicParameters, generate_long_table


def stages(csv: Path, out: Path) -> dict[str, float]:
    """One in-process run, timed stage by stage."""
    instruments = load_instruments()
    marks = [time.perf_counter()]
    raw = read_raw(csv)
    marks.append(time.perf_counter())
    observations = check_observations(raw, instruments)
    marks.append(time.perf_counter())
    summary = summarise_caseload(observations.frame, instruments)
    marks.append(time.perf_counter())
    with out.open("wb") as stream:
        write_report(summary, "json", stream, instruments)
    marks.append(time.perf_counter())
    names = ("read", "check", "summary and detection", "JSON report")
    return {name: b - a for name, a, b in zip(names, marks, marks[1:], strict=False)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--occasions", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
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
        runs = [stages(csv, out) for _ in range(args.repeat)]
        parts = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
        unstuck_s = statistics.median(sum(r.values()) for r in runs)
        print("\nin process (median of each stage):")
        print(f"  pandas.read_csv:                 {pandas_s:6.2f} s")
        for name, seconds in parts.items():
            print(f"  unstuck {name + ':':25s}{seconds:6.2f} s")
        print(f"  unstuck analyze, all stages:     {unstuck_s:6.2f} s")
        ratio = unstuck_s / pandas_s
        verdict = "meets" if ratio <= 2.0 else "MISSES"
        print(f"  ratio: {ratio:.2f} x pandas.read_csv ({verdict} the target of at most 2.0)")

        command = [sys.executable, "-m", "unstuck.cli", "analyze", str(csv), "-o", str(out)]
        whole_s = median_time(lambda: subprocess.run(command, check=True), args.repeat)
        pandas_command = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(csv)!r})"]
        pandas_whole_s = median_time(
            lambda: subprocess.run(pandas_command, check=True), args.repeat
        )
        print("\nwhole command in a fresh process (start-up and imports included):")
        print(f"  python -c 'import pandas; pandas.read_csv(...)': {pandas_whole_s:6.2f} s")
        print(f"  unstuck analyze FILE -o report.json:             {whole_s:6.2f} s")
        print(f"  ratio: {whole_s / pandas_whole_s:.2f}")
        print(f"report size: {out.stat().st_size / 1e6:.1f} MB JSON")


if __name__ == "__main__":
    main()
