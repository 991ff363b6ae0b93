"""The demo clinic's outcomes follow the published base rates its docstring cites."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import polars as pl

from unstuck.synth import ClinicParameters, demo_clinic, demo_parameters, generate_long_table


def outcome_shares(params: ClinicParameters) -> dict[str, float]:
    """First against last PHQ-9 (6 points is reliable; caseness 10), dropouts included."""
    clinic = generate_long_table(replace(params, instruments=("phq9",)))
    scored = clinic.observations.filter(pl.col("item_1").is_not_null()).with_columns(
        total=pl.sum_horizontal([f"item_{j}" for j in range(1, 10)])
    )
    per = scored.group_by("client_id").agg(
        first=pl.col("total").sort_by("occasion").first(),
        last=pl.col("total").sort_by("occasion").last(),
    )
    per = per.join(clinic.clients, on="client_id")
    cases = per.filter(pl.col("first") >= 10)
    return {
        "dropout": float(per["dropped_out"].mean()),
        "improved": float(((per["first"] - per["last"]) >= 6).mean()),
        "deteriorated": float(((per["last"] - per["first"]) >= 6).mean()),
        "recovered": float((cases["last"] < 10).mean()),
    }


def test_the_demo_mix_is_near_published_rates() -> None:
    shares = outcome_shares(demo_parameters(clients=4000, seed=11))
    assert 0.15 <= shares["dropout"] <= 0.25  # Swift & Greenberg 2012: 19.7%
    assert 0.58 <= shares["improved"] <= 0.72  # NHS Talking Therapies: ~66-67%
    assert 0.03 <= shares["deteriorated"] <= 0.09  # Lambert 2007; Hansen et al. 2002: 5-8%
    assert 0.45 <= shares["recovered"] <= 0.62  # NHS Talking Therapies: ~50%


def test_the_test_bed_mix_is_not_the_demo_mix() -> None:
    """The default parameters keep their flat third, which the demo must not show."""
    default = outcome_shares(ClinicParameters(clients=4000, seed=11))
    assert default["improved"] < 0.5


def test_the_demo_uses_the_demo_parameters() -> None:
    params = demo_parameters(clients=12, seed=3)
    assert (params.clients, params.seed) == (12, 3)
    assert params.course_mix != ClinicParameters().course_mix


def test_demo_report_analyses_the_clinic_of_the_demo_parameters(tmp_path: Path) -> None:
    """The report reads the clinic as it stands today, as the web demo loads it."""
    from unstuck.cli import main

    out = tmp_path / "demo.csv"
    assert main(["demo", "--report", "--clients", "30", "--format", "csv", "-o", str(out)]) == 0
    report = pl.read_csv(out).filter(pl.col("instrument") == "phq9")
    got = dict(report.select("client_id", "n").iter_rows())
    today = dt.date.today()
    clinic = demo_clinic(clients=30, seed=7, today=today).observations
    scored = clinic.filter((pl.col("instrument") == "phq9") & pl.col("item_1").is_not_null())
    assert got == dict(scored.group_by("client_id").len().iter_rows())
    assert clinic["date"].max() < today


def test_the_demo_clinic_has_clients_at_every_stage() -> None:
    """Ten weekly sessions started over two months, seen on `today`: some have ended the
    course (closed as planned endings in the web demo), some are still coming, some stopped
    without saying so; nothing dated today or later."""
    today = dt.date(2026, 12, 3)
    clinic = demo_clinic(clients=60, seed=7, today=today)
    held = clinic.observations.group_by("client_id").agg(
        pl.col("occasion").max(), last=pl.col("date").max()
    )
    people = clinic.clients.join(held, on="client_id")
    completed = people.filter(pl.col("completed_on").is_not_null())
    coming = people.filter(pl.col("completed_on").is_null() & ~pl.col("dropped_out"))
    assert len(completed) >= 10
    assert len(coming) >= 10
    assert (completed["occasion"] == 10).all()
    assert (completed["completed_on"] == completed["last"]).all()
    assert (coming["occasion"] < 10).all()
    assert (coming["last"] >= today - dt.timedelta(days=14)).all()  # seen lately
    assert clinic.observations["date"].max() < today
