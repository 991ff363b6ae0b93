"""Run `unstuck analyze` exactly as a clinic would, on a frame, and read back each client's status.

The benchmarks call the command's own entry point (`unstuck.cli.main`) on a CSV file and read
its CSV report, so they measure whatever rules the installed Unstuck has, through the same
reading, checking and summarising a clinic's export goes through.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl

from unstuck.cli import main as unstuck

FLAGGED = ("at_risk", "off_track")


def analyze(frame: pl.DataFrame, *options: str) -> pl.DataFrame:
    """client_id, status, flags (a list) and the latest score of each client in `frame`, from
    `unstuck analyze` (the latest score of the first measure listed: use with one measure)."""
    with tempfile.TemporaryDirectory() as tmp:
        source, report = Path(tmp) / "scores.csv", Path(tmp) / "report.csv"
        frame.write_csv(source)
        code = unstuck(["analyze", str(source), "--format", "csv", "-o", str(report), *options])
        if code != 0:
            raise SystemExit(f"unstuck analyze exited with status {code}")
        table = pl.read_csv(report, infer_schema_length=0)
    return (
        table.unique("client_id", keep="first", maintain_order=True)
        .select(
            "client_id",
            "status",
            pl.col("flags").fill_null(""),
            pl.col("last").cast(pl.Float64, strict=False),
        )
        .with_columns(
            pl.col("flags").str.split(";").list.eval(pl.element().filter(pl.element() != ""))
        )
    )


def as_seen_at_each_session(frame: pl.DataFrame, at: pl.DataFrame) -> pl.DataFrame:
    """Each client's rows up to and including each session in `at` (client_id, cut), as one
    frame whose clients are ``<client_id>@<cut>``: what a therapist would have seen then."""
    return (
        frame.join(at, on="client_id")
        .filter(pl.col("occasion") <= pl.col("cut"))
        .with_columns(
            client_id=pl.col("client_id") + "@" + pl.col("cut").cast(pl.String).str.zfill(3)
        )
        .drop("cut")
    )


def split_seen(statuses: pl.DataFrame) -> pl.DataFrame:
    """Undo `as_seen_at_each_session`'s client ids: client_id and cut columns again."""
    parts = pl.col("client_id").str.split("@")
    return statuses.with_columns(cut=parts.list.get(1).cast(pl.Int64), client_id=parts.list.get(0))
