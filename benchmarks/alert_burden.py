"""Alert burden: how often the flags fire on clients whose course is known. Seeded, re-runnable.

Courses come from `unstuck.synth.independent`, a generator with assumptions of its own (not
`unstuck.synth.clinic`, whose log-linear curves match the expected course the flags use).
Four kinds of client: clearly improving, recovered (ends below the cutoff), deteriorating and
flat-severe; 12 weekly sessions; about one session in ten missed.

The status "at an assessment" is what `unstuck analyze` says when given the client's rows up to
and including that session, as the therapist would have seen it then. An assessment is a
session with a PHQ-9 score and a status (the second score on: one score gives no status).
Yellow is ``at_risk``, red is ``off_track``, flagged is either.

Printed per kind: per session number and overall, the share of assessments and of clients
flagged yellow and red; how often each flag was raised, and how many plateau flags came with
a latest PHQ-9 already below 10; then the targets of issue 13 with PASS or FAIL (plus its rule
that plateau never fires out of the clinical range), the share of the demo caseload
(`unstuck demo --report`) flagged, and the outcome mix of the demo's generator.

    python benchmarks/alert_burden.py [--clients 4000] [--seed 13]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import polars as pl

from run_analyze import FLAGGED, analyze, as_seen_at_each_session, split_seen
from unstuck.cli import main as unstuck
from unstuck.synth import demo_parameters, generate_long_table
from unstuck.synth.independent import KINDS, generate_courses

SESSIONS = 12
CUTOFF = 10  # PHQ-9 caseness (Kroenke, Spitzer & Williams, 2001)


def statuses_over_time(clients_per_kind: int, seed: int) -> pl.DataFrame:
    """One row per client and assessment: kind, session (cut), status, flags."""
    courses = generate_courses(clients_per_kind, sessions=SESSIONS, seed=seed)
    frame = courses.observations
    at = (
        frame.filter(pl.col("attendance") == "attended")
        .select("client_id", cut=pl.col("occasion"))
        .unique()
    )
    seen = split_seen(analyze(as_seen_at_each_session(frame, at)))
    return seen.join(courses.truth.select("client_id", "kind"), on="client_id").filter(
        pl.col("status") != "insufficient_data"
    )


def share(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "     -"


def per_kind_table(rows: pl.DataFrame, kind: str) -> dict[str, float]:
    mine = rows.filter(pl.col("kind") == kind)
    yellow, red = pl.col("status") == "at_risk", pl.col("status") == "off_track"
    print(f"\n{kind}: {mine['client_id'].n_unique()} clients, {len(mine)} assessments")
    print("  session  assessments  yellow     red  flagged")
    by_session = (
        mine.group_by("cut")
        .agg(n=pl.len(), y=yellow.sum(), r=red.sum())
        .sort("cut")
        .iter_rows(named=True)
    )
    for s in by_session:
        n = s["n"]
        print(
            f"  {s['cut']:7d}  {n:11d}  {share(s['y'], n)}  {share(s['r'], n)}  "
            f"{share(s['y'] + s['r'], n)}"
        )
    n = len(mine)
    y, r = int(mine.select(yellow.sum()).item()), int(mine.select(red.sum()).item())
    print(f"  overall  {n:11d}  {share(y, n)}  {share(r, n)}  {share(y + r, n)}  (assessments)")
    ever = mine.group_by("client_id").agg(
        y=yellow.any(),
        r=red.any(),
        f=pl.col("status").is_in(FLAGGED).any(),
        first_red=pl.col("cut").filter(red).min(),
        flags=pl.col("flags").list.explode(keep_nulls=False, empty_as_null=False).unique(),
    )
    c = len(ever)
    ey, er, ef = (int(ever[k].sum()) for k in ("y", "r", "f"))
    print(f"  clients  {c:11d}  {share(ey, c)}  {share(er, c)}  {share(ef, c)}  (ever)")
    counts = ever.explode("flags").drop_nulls("flags").group_by("flags").len().sort("flags")
    raised = ", ".join(f"{f} {share(k, c).strip()}" for f, k in counts.iter_rows())
    print(f"  clients ever given each flag: {raised or 'none'}")
    plateau = mine.filter(pl.col("flags").list.contains("plateau"))
    below = int((plateau["last"] < CUTOFF).sum())
    print(
        f"  plateau at {len(plateau)} assessments, {below} of them with the latest PHQ-9 below "
        f"{CUTOFF} (out of the clinical range)"
    )
    first_red = ever["first_red"].drop_nulls()
    return {
        "assessments_flagged": (y + r) / n if n else float("nan"),
        "clients_flagged": ef / c if c else float("nan"),
        "clients_red": er / c if c else float("nan"),
        "plateau_clients": float(ever["flags"].list.contains("plateau").sum()),
        "plateau_below_cutoff": float(below),
        "mean_first_red": float(first_red.mean()) if len(first_red) else float("nan"),
    }


def demo_share(clients: int, seed: int) -> tuple[int, int, dict[str, int]]:
    """Clients the demo flags: `unstuck demo --report` analyses the clinic `unstuck demo` loads."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo.csv"
        argv = ["demo", "--report", "--clients", str(clients), "--seed", str(seed)]
        if unstuck([*argv, "--format", "csv", "-o", str(out)]) != 0:
            raise SystemExit("unstuck demo --report failed")
        table = pl.read_csv(out, infer_schema_length=0).unique("client_id")
    by_status = dict(table.group_by("status").len().iter_rows())
    flagged = sum(by_status.get(s, 0) for s in FLAGGED)
    return flagged, len(table), by_status


def demo_outcomes(clients: int, seed: int) -> str:
    """The outcome mix of the demo's generator on many clients, judged by `unstuck analyze`
    (first against last PHQ-9, as NHS Talking Therapies judges them; dropouts included)."""
    params = replace(demo_parameters(clients=clients, seed=seed), instruments=("phq9",))
    clinic = generate_long_table(params)
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "demo.csv", Path(tmp) / "report.csv"
        clinic.observations.write_csv(source)
        if unstuck(["analyze", str(source), "--format", "csv", "-o", str(out)]) != 0:
            raise SystemExit("unstuck analyze failed on the demo clinic")
        report = pl.read_csv(out, infer_schema_length=0).filter(pl.col("instrument") == "phq9")
    report = report.join(clinic.clients.select("client_id", "dropped_out"), on="client_id")
    n = len(report)
    change = dict(report.group_by("reliable_change").len().iter_rows())
    cases = report.filter(pl.col("recovered").is_not_null())
    return (
        f"demo outcome mix ({n} clients from demo_parameters, seed {seed}): ended early "
        f"{report['dropped_out'].mean():.1%} (published ~20%), reliable improvement "
        f"{change.get('improved', 0) / n:.1%} (~66-67%), no reliable change "
        f"{change.get('unchanged', 0) / n:.1%}, reliable deterioration "
        f"{change.get('deteriorated', 0) / n:.1%} (5-8%); of the {len(cases)} who started in the "
        f"clinical range, recovered {(cases['recovered'] == 'true').mean():.1%} (~50%), "
        f"reliably recovered {(cases['reliably_recovered'] == 'true').mean():.1%} (~47%)"
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4000, help="clients in all (default 4000)")
    parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")
    parser.add_argument("--demo-clients", type=int, default=60, help="as `unstuck demo` (60)")
    parser.add_argument("--demo-seed", type=int, default=7, help="as `unstuck demo` (7)")
    parser.add_argument(
        "--demo-mix-clients", type=int, default=20000, help="for the demo's outcome mix (20000)"
    )
    args = parser.parse_args()
    per_kind = max(1, args.clients // len(KINDS))
    began = time.perf_counter()
    rows = statuses_over_time(per_kind, args.seed)
    print(
        f"alert burden: {per_kind} clients of each kind, {SESSIONS} weekly sessions, "
        f"seed {args.seed} (unstuck.synth.independent)"
    )
    figures = {kind: per_kind_table(rows, kind) for kind in KINDS}
    imp, rec = figures["improving"], figures["recovered"]
    det, flat = figures["deteriorating"], figures["flat_severe"]
    print("\ntargets (issue 13):")
    checks = [
        (
            f"improving: {imp['assessments_flagged']:.1%} of assessments flagged (<= 5%)",
            imp["assessments_flagged"] <= 0.05,
        ),
        (
            f"improving: {imp['clients_flagged']:.1%} of clients ever flagged (<= 15%)",
            imp["clients_flagged"] <= 0.15,
        ),
        (
            f"recovered: {rec['plateau_clients']:.0f} clients flagged plateau (none)",
            rec["plateau_clients"] == 0,
        ),
        (
            f"deteriorating: {det['clients_red']:.1%} flagged red (>= 95%)",
            det["clients_red"] >= 0.95,
        ),
        (
            f"deteriorating: first red at session {det['mean_first_red']:.1f} on average (<= 5)",
            det["mean_first_red"] <= 5,
        ),
        (
            f"flat-severe: {flat['clients_flagged']:.1%} flagged (>= 95%)",
            flat["clients_flagged"] >= 0.95,
        ),
    ]
    below = sum(f["plateau_below_cutoff"] for f in figures.values())
    checks.append(
        (
            f"plateau while the latest PHQ-9 is below {CUTOFF}: {below:.0f} assessments (none)",
            below == 0,
        )
    )
    for text, ok in checks:
        print(f"  {verdict(ok)}  {text}")
    flagged, total, by_status = demo_share(args.demo_clients, args.demo_seed)
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(by_status.items()))
    print(
        f"\ndemo caseload (unstuck demo --report --clients {args.demo_clients} --seed "
        f"{args.demo_seed}): {flagged} of {total} clients flagged ({flagged / total:.0%}; "
        f"{statuses})"
    )
    print(demo_outcomes(args.demo_mix_clients, 1))
    print(f"({time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main()
