"""How does `unstuck analyze` take mutated files? Counts of each outcome (issue 15).

Runs N files (default 1,000), each a valid synthetic file with one to four random mutations
(cells, rows and columns deleted, repeated or made odd; line endings, byte-order marks,
encodings, stray and NUL bytes, truncation, semicolons: `tests/analysis/csv_mutations.py`),
through the CLI entry point in process, and prints how many ended in

- a traceback (an exception escaping `main`, or an exit code other than 0 and 2),
- exit 0 with dropped rows (exit 0 without listing what was left out, but the rows read or
  the clients reported differ from what Python's csv module finds in the file),
- a clean refusal (exit 2 with a message), or
- acceptance (exit 0, every row read and every client reported).

With --skip-invalid each file is run that way too and counted apart.

    python benchmarks/fuzz_analyze.py [-n 1000] [--seed 15] [--show 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "analysis"))

from csv_mutations import BASES, KINDS, apply, judge

OUTCOMES = ("traceback", "dropped rows", "refused", "accepted")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="how many mutated files")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--show", type=int, default=5, help="examples shown per bad outcome")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counts: dict[bool, Counter[str]] = {False: Counter(), True: Counter()}
    shown: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.n):
            base = rng.randrange(len(BASES))
            mutations = [
                (rng.randrange(len(KINDS)), *(rng.randrange(1 << 16) for _ in range(3)))
                for _ in range(rng.randint(1, 4))
            ]
            data = apply(base, mutations)
            for skip in (False, True):
                outcome = judge(data, Path(folder), skip_invalid=skip)
                counts[skip][outcome.kind] += 1
                bad = outcome.kind in ("traceback", "dropped rows")
                if bad and sum(s.startswith(outcome.kind) for s in shown) < args.show:
                    names = [KINDS[m[0] % len(KINDS)] for m in mutations]
                    shown.append(f"{outcome.kind}: base {base}, {names}: {outcome.detail}")
    seconds = time.perf_counter() - started
    print(f"{args.n} mutated files (seed {args.seed}), {seconds:.1f} s")
    for skip in (False, True):
        mode = "with --skip-invalid" if skip else "default"
        print(f"  {mode}:")
        for kind in OUTCOMES:
            print(f"    {kind:14} {counts[skip][kind]:5}")
    for line in shown:
        print(line)
    bad = sum(counts[s][k] for s in (False, True) for k in ("traceback", "dropped rows"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
