"""The learned dropout model beside the withdrawal rule, on seeded synthetic clinics.

For each seed: clients still attending at session HORIZON; outcome: they later ended therapy
early. Features come from sessions 1..HORIZON only (unstuck.progress.dropout). Prints the
held-out AUC of the model and of the transparent rule (withdrawal_risk raised by HORIZON) on
the same held-out clients, and the model's odds ratios.

    .venv/bin/python benchmarks/dropout_model.py [--clients 3000] [--seeds 1 2 3] [--horizon 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import polars as pl

from unstuck.analysis.csvinput import check_observations
from unstuck.measures import load_instruments
from unstuck.progress.dropout import dropout_features, fit_dropout_model
from unstuck.progress.summary import observations_by_client, summarise_client
from unstuck.synth import ClinicParameters, generate_long_table


def episodes(clients: int, seed: int, horizon: int):  # type: ignore[no-untyped-def]
    instruments = load_instruments()
    clinic = generate_long_table(ClinicParameters(clients=clients, occasions=12, seed=seed))
    text = clinic.observations.with_columns(pl.all().cast(pl.String))
    by_client = observations_by_client(check_observations(text, instruments).frame)
    meta = clinic.clients
    outcome = dict(zip(meta["client_id"], meta["dropped_out"], strict=True))
    last = dict(zip(meta["client_id"], meta["last_attended"], strict=True))
    rows, dropped, rule = [], [], []
    for client_id, observations in by_client.items():
        if last[client_id] <= horizon:
            continue
        early = [o for o in observations if o.occasion <= horizon]
        rows.append(dropout_features(early, horizon))
        dropped.append(bool(outcome[client_id]))
        flags = summarise_client(client_id, early, instruments).flags
        rule.append(1.0 if "withdrawal_risk" in flags else 0.0)
    return rows, dropped, rule


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--horizon", type=int, default=5)
    args = parser.parse_args()
    model_aucs, rule_aucs = [], []
    for seed in args.seeds:
        started = time.perf_counter()
        rows, dropped, rule = episodes(args.clients, seed, args.horizon)
        model = fit_dropout_model(rows, dropped, rule=rule, horizon=args.horizon, seed=seed)
        model_aucs.append(model.heldout_auc)
        rule_aucs.append(model.rule_auc or float("nan"))
        print(
            f"seed {seed}: {model.episodes} episodes still attending at session "
            f"{args.horizon}, {model.dropouts} later dropped out; held-out AUC model "
            f"{model.heldout_auc:.3f}, rule {model.rule_auc:.3f} "
            f"({time.perf_counter() - started:.1f} s)"
        )
        print(
            "  odds ratios per SD: "
            + ", ".join(f"{k} {v:.2f}" for k, v in model.odds_ratios().items())
        )
    print(
        f"mean held-out AUC: model {statistics.fmean(model_aucs):.3f}, "
        f"withdrawal rule {statistics.fmean(rule_aucs):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
