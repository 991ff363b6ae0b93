"""The learned dropout model beside the withdrawal rule, on seeded synthetic clinics.

For each seed: a synthetic clinic (unstuck.synth), every ended episode still in therapy at a
landmark session 3..10, features from the sessions up to the landmark only
(unstuck.progress.dropout). Prints the held-out AUC (5-fold by client) of the model and the
AUC of the transparent withdrawal rule (how many of its criteria are met) on the same rows,
pooled and within each landmark, and the model's odds ratios.

    .venv/bin/python benchmarks/dropout_model.py [--clients 3000] [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import polars as pl

from unstuck.analysis.csvinput import check_observations
from unstuck.measures import load_instruments
from unstuck.progress.dropout import DropoutModel, fit_dropout_model, landmark_episodes
from unstuck.synth import ClinicParameters, generate_long_table


def synthetic_model(clients: int, seed: int, occasions: int = 12) -> DropoutModel:
    """Fit and validate on one seeded synthetic clinic."""
    clinic = generate_long_table(ClinicParameters(clients=clients, occasions=occasions, seed=seed))
    text = clinic.observations.with_columns(pl.all().cast(pl.String))
    frame = check_observations(text, load_instruments()).frame
    endings = {
        c: "dropped_out" if d else "completed"
        for c, d in clinic.clients.select("client_id", "dropped_out").iter_rows()
    }
    return fit_dropout_model(landmark_episodes(frame, endings), seed=seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    pooled: list[tuple[float, float]] = []
    within: list[tuple[float, float]] = []
    for seed in args.seeds:
        started = time.perf_counter()
        model = synthetic_model(args.clients, seed)
        v = model.validation
        assert v.rule_auc is not None
        assert v.landmark_auc is not None
        assert v.rule_landmark_auc is not None
        pooled.append((v.auc, v.rule_auc))
        within.append((v.landmark_auc, v.rule_landmark_auc))
        print(f"seed {seed} ({time.perf_counter() - started:.1f} s):")
        print("  " + model.describe().replace("\n", "\n  "))
    print(
        f"mean over seeds {args.seeds}: held-out AUC model "
        f"{statistics.fmean(m for m, _ in pooled):.3f}, withdrawal rule "
        f"{statistics.fmean(r for _, r in pooled):.3f}; within each landmark session "
        f"model {statistics.fmean(m for m, _ in within):.3f}, "
        f"rule {statistics.fmean(r for _, r in within):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
