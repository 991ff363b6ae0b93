"""How long does `unstuck analyze` take on a million rows, next to pandas.read_csv?

Target (issue 2): 1,000,000 rows (100,000 clients x 10 sessions) analysed in at most twice
the time `pandas.read_csv` takes to read the same file.

The file is synthetic PHQ-9 data at item level (nine answers per row, so every row is scored,
range-checked and safety-checked), with attendance and dates. Three comparisons are printed:

- analysis, in process (the target): reading and checking every value, then summarising and
  detecting for every client, down to every explanation sentence, held in memory;
- analysis and report, in process, for reference: the same, then writing the JSON report
  (about 100 MB; writing it takes about as long as pandas takes to read the file);
- whole command, judged against the target too: `unstuck analyze FILE -o report.json` in a
  fresh process (start-up, imports and the report included), against a fresh process that
  imports pandas and reads the file.

Each figure is a median of several runs; in process, pandas and unstuck take turns, and each
ratio is the median of the turns' ratios (the machine's speed drifts). The previous report
is deleted before each run, outside the timing (overwriting a 100 MB file costs the file
system, not the analysis).

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
from unstuck.analysis.csvinput import check_observations
from unstuck.analysis.rawcsv import read_raw
from unstuck.analysis.report import write_report
from unstuck.measures import load_instruments
from unstuck.progress.batch import summarise_caseload
from unstuck.synth import ClinicParameters, generate_long_table

STAGES = ("read", "check", "summary and detection", "JSON report")
TARGET = 2.0  # times pandas.read_csv (issue 2)


def stages(csv: Path, out: Path) -> dict[str, float]:
    """One in-process run, timed stage by stage."""
    instruments = load_instruments()
    out.unlink(missing_ok=True)
    marks = [time.perf_counter()]
    raw = read_raw(csv)
    marks.append(time.perf_counter())
    observations = check_observations(raw, instruments)
    del raw  # as in `unstuck analyze`: each stage's input is let go once used
    marks.append(time.perf_counter())
    summary = summarise_caseload(observations.frame, instruments, codes=observations.client_codes)
    del observations
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

        # The machine's speed drifts over tens of seconds (it is shared), so pandas and
        # unstuck take turns and each unstuck run is compared with the pandas run just
        # before it. pandas reads twice each turn and the second read is timed: right after
        # an unstuck run its memory comes back from the system, which would flatter unstuck.
        stages(csv, out)  # warm up
        pandas_runs, runs = [], []
        for _ in range(args.repeat):
            pandas_read(csv)
            pandas_runs.append(pandas_read(csv))
            runs.append(stages(csv, out))
        print(f"\nin process (medians of {args.repeat} turns):")
        print(f"  pandas.read_csv:                 {statistics.median(pandas_runs):6.2f} s")
        for name in STAGES:
            print(f"  unstuck {name + ':':25s}{statistics.median(r[name] for r in runs):6.2f} s")
        print(f"  report size: {out.stat().st_size / 1e6:.1f} MB JSON")
        analysis = [sum(r[name] for name in STAGES[:3]) for r in runs]
        whole = [sum(r.values()) for r in runs]
        # The target is on the analysis; writing the report is shown for reference.
        for label, times, judged in (
            ("analysis", analysis, True),
            ("analysis and JSON report", whole, False),
        ):
            ratios = sorted(t / p for t, p in zip(times, pandas_runs, strict=True))
            ratio = statistics.median(ratios)
            verdict = _verdict(ratio) if judged else "for reference, no target"
            print(
                f"  {label}: {statistics.median(times):.2f} s, {ratio:.2f} x pandas.read_csv "
                f"(turns {ratios[0]:.2f}-{ratios[-1]:.2f}; {verdict})"
            )

        command = [sys.executable, "-m", "unstuck.cli", "analyze", str(csv), "-o", str(out)]
        pandas_command = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(csv)!r})"]
        unstuck_runs, pandas_runs = [], []
        for _ in range(args.repeat):  # in turns too
            out.unlink(missing_ok=True)
            pandas_runs.append(median_time(lambda: subprocess.run(pandas_command, check=True), 1))
            unstuck_runs.append(median_time(lambda: subprocess.run(command, check=True), 1))
        ratio = statistics.median(u / p for u, p in zip(unstuck_runs, pandas_runs, strict=True))
        print("\nwhole command in a fresh process (start-up and imports included):")
        print(
            "  python -c 'import pandas; pandas.read_csv(...)': "
            f"{statistics.median(pandas_runs):6.2f} s"
        )
        print(
            f"  unstuck analyze FILE -o report.json:             "
            f"{statistics.median(unstuck_runs):6.2f} s"
        )
        print(f"  ratio: {ratio:.2f} ({_verdict(ratio)})")


def _verdict(ratio: float) -> str:
    return ("meets" if ratio <= TARGET else "MISSES") + f" the target of at most {TARGET}"


if __name__ == "__main__":
    main()
