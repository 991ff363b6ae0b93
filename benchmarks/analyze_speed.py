"""How long does `unstuck analyze` take on a million rows, next to pandas.read_csv?

Target (issue 2): 1,000,000 rows (100,000 clients x 10 sessions) analysed in at most twice
the time `pandas.read_csv` takes to read the same file.

The file is synthetic PHQ-9 data at item level (nine answers per row, so every row is scored,
range-checked and safety-checked), with attendance and dates. Three comparisons are printed:

- analysis, in process: reading and checking every value, then summarising and detecting
  for every client, down to every explanation sentence, held in memory;
- analysis and report, in process: the same, then writing the JSON report (about 100 MB);
- whole command: `unstuck analyze FILE -o report.json` in a fresh process, against a fresh
  process that imports pandas and reads the file.

Each figure is the fastest of several runs (on a shared machine, the least disturbed). The
previous report is deleted before each run, outside the timing (overwriting a 100 MB file
costs the file system, not the analysis).

    python benchmarks/analyze_speed.py [--clients 100000] [--occasions 10] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
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

STAGES = ("read", "check", "summary and detection", "JSON report")


def stages(csv: Path, out: Path) -> dict[str, float]:
    """One in-process run, timed stage by stage."""
    instruments = load_instruments()
    out.unlink(missing_ok=True)
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
    return {name: b - a for name, a, b in zip(STAGES, marks, marks[1:], strict=False)}


def pandas_read(csv: Path) -> float:
    started = time.perf_counter()
    pd.read_csv(csv)
    return time.perf_counter() - started


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

        # Each figure is the fastest of its runs: on a shared machine, the run least disturbed
        # by other work. pandas is timed in runs of its own, before and after unstuck's
        # (taking turns run by run slowed pandas down, as its memory came back from the
        # system after each unstuck run, which would flatter unstuck).
        pandas_read(csv)  # one untimed run of each first, to warm up
        stages(csv, out)
        pandas_runs = [pandas_read(csv) for _ in range(args.repeat)]
        runs = [stages(csv, out) for _ in range(args.repeat)]
        pandas_runs += [pandas_read(csv) for _ in range(args.repeat)]
        pandas_s = min(pandas_runs)
        print(f"\nin process (the fastest of {args.repeat} runs of each):")
        print(f"  pandas.read_csv:                 {pandas_s:6.2f} s")
        for name in STAGES:
            print(f"  unstuck {name + ':':25s}{min(r[name] for r in runs):6.2f} s")
        print(f"  report size: {out.stat().st_size / 1e6:.1f} MB JSON")
        analysis = min(sum(r[name] for name in STAGES[:3]) for r in runs)
        whole = min(sum(r.values()) for r in runs)
        for label, seconds in (("analysis", analysis), ("analysis and JSON report", whole)):
            ratio = seconds / pandas_s
            verdict = "meets" if ratio <= 2.0 else "MISSES"
            print(
                f"  {label}: {seconds:.2f} s, {ratio:.2f} x pandas.read_csv "
                f"({verdict} the target of at most 2.0)"
            )

        command = [sys.executable, "-m", "unstuck.cli", "analyze", str(csv), "-o", str(out)]
        pandas_command = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(csv)!r})"]
        unstuck_runs, pandas_runs = [], []
        for _ in range(args.repeat):
            out.unlink(missing_ok=True)
            unstuck_runs.append(median_time(lambda: subprocess.run(command, check=True), 1))
            pandas_runs.append(median_time(lambda: subprocess.run(pandas_command, check=True), 1))
        print("\nwhole command in a fresh process (start-up and imports included):")
        print(f"  python -c 'import pandas; pandas.read_csv(...)': {min(pandas_runs):6.2f} s")
        print(f"  unstuck analyze FILE -o report.json:             {min(unstuck_runs):6.2f} s")
        print(f"  ratio: {min(unstuck_runs) / min(pandas_runs):.2f}")


if __name__ == "__main__":
    main()
