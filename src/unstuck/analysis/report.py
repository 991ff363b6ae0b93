"""Render a caseload summary as JSON, CSV or a readable text report.

JSON and CSV are built column-wise by polars (no Python loop over clients) and written
straight to the output stream.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO

import polars as pl

from unstuck.measures.model import Instrument
from unstuck.progress.batch import MEASURE_KEYS, CaseloadSummary
from unstuck.synth import SYNTHETIC_PREFIX

FORMATS = ("json", "csv", "text")


def write_report(
    summary: CaseloadSummary,
    fmt: str,
    out: IO[bytes],
    instruments: Mapping[str, Instrument],
    *,
    title: str = "",
) -> None:
    """Write the report as UTF-8 to a binary stream (a file, or standard output's buffer).

    JSON and CSV go from polars straight to the stream: a report of 100,000 clients is
    about 100 MB, and passing it through one Python string would copy it several times.
    """
    if fmt == "json":
        write_json(summary, out)
    elif fmt == "csv":
        write_csv(summary, out)
    elif fmt == "text":
        out.write(render_text(summary, instruments, title=title).encode("utf-8"))
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render(
    summary: CaseloadSummary,
    fmt: str,
    instruments: Mapping[str, Instrument],
    *,
    title: str = "",
) -> str:
    """The report as one string (for small caseloads and tests; see `write_report`)."""
    buffer = io.BytesIO()
    write_report(summary, fmt, buffer, instruments, title=title)
    return buffer.getvalue().decode("utf-8")


def render_json(summary: CaseloadSummary) -> str:
    return render(summary, "json", {})


def write_json(summary: CaseloadSummary, out: IO[bytes]) -> None:
    """A JSON list with one object per client (one client per line, for easy diffing)."""
    clients = summary.clients
    if clients.height == 0:
        out.write(b"[]\n")
        return
    head = pl.struct("client_id", "status", "flags", "explanations").struct.json_encode()
    lines = clients.select(
        pl.concat_str(
            head.str.head(-1),
            pl.lit(',"measures":'),
            pl.col("measures_json"),
            pl.lit(',"attendance":'),
            pl.col("attendance").struct.json_encode(),
            pl.lit("}"),
        )
    )
    # Each line is finished JSON: written as it is, never quoted; a comma ends all but the last.
    out.write(b"[\n")
    lines.head(-1).write_csv(out, include_header=False, quote_style="never", line_terminator=",\n")
    lines.tail(1).write_csv(out, include_header=False, quote_style="never")
    out.write(b"]\n")


def write_csv(summary: CaseloadSummary, out: IO[bytes]) -> None:
    """One row per client and instrument (clients without scores get one row of their own)."""
    measures = summary.measures.select(
        "client_id", "instrument", *MEASURE_KEYS, pl.col("sentence").alias("explanation")
    )
    clients = summary.clients.select(
        "client_id", "status", pl.col("flags").list.join(";").alias("flags")
    )
    table = clients.join(measures, on="client_id", how="left", maintain_order="left")
    table.write_csv(out)


def render_text(
    summary: CaseloadSummary, instruments: Mapping[str, Instrument], *, title: str = ""
) -> str:
    """A report a clinician can read: an overview first, then each client in turn."""
    clients = summary.clients
    measures = summary.measures
    lines: list[str] = []
    if title:
        lines += [title, "=" * len(title), ""]
    ids = clients.get_column("client_id")
    if ids.len() and ids.str.starts_with(SYNTHETIC_PREFIX).all():
        lines += ["SYNTHETIC DATA: every client below is made up (ids start with SYN-).", ""]
    statuses = clients.group_by("status").len().sort("status")
    lines.append(f"Clients: {clients.height}")
    for status, count in statuses.iter_rows():
        lines.append(f"  {status.replace('_', ' ')}: {count}")
    safety = measures.filter(pl.col("safety_alert")).get_column("client_id").unique()
    if safety.len():
        lines.append(f"  with a safety answer to check: {safety.len()}")
    lines.append("")
    judged = measures.filter(pl.col("n") >= 2)
    if judged.height:
        lines.append("Change from first to last score, by measure:")
        overview = judged.group_by("instrument").agg(
            clients=pl.len(),
            improved=(pl.col("reliable_change") == "improved").sum(),
            deteriorated=(pl.col("reliable_change") == "deteriorated").sum(),
            recovered=pl.col("recovered").sum(),
            cases=pl.col("recovered").is_not_null().sum(),
            reliably_recovered=pl.col("reliably_recovered").sum(),
        )
        for row in overview.sort("instrument").iter_rows(named=True):
            name = instruments[row["instrument"]].name
            part = (
                f"  {name}: {row['clients']} clients with 2+ scores; "
                f"reliably improved {_pct(row['improved'], row['clients'])}, "
                f"reliably deteriorated {_pct(row['deteriorated'], row['clients'])}"
            )
            if row["cases"]:
                part += (
                    f"; of {row['cases']} who started in the clinical range, recovered "
                    f"{_pct(row['recovered'], row['cases'])}, reliably recovered "
                    f"{_pct(row['reliably_recovered'], row['cases'])}"
                )
            lines.append(part)
        lines.append("")
    if summary.models:
        lines.append("Expected course in use (for 'not on track'):")
        lines.extend(f"  {m.describe(instruments[i].name)}" for i, m in summary.models.items())
        lines.append("")
    # Safety first, then off track, at risk, on track, not enough data: the order of attention.
    rank = {"off_track": 1, "at_risk": 2, "on_track": 3, "insufficient_data": 4}
    ordered = clients.with_columns(
        _safety=~pl.col("flags").list.contains("safety"),
        _rank=pl.col("status").replace_strict(rank, return_dtype=pl.Int8),
    ).sort(["_safety", "_rank", "client_id"])
    for client_id, status, flags, explanations in ordered.select(
        "client_id", "status", "flags", "explanations"
    ).iter_rows():
        shown = f"  flags: {', '.join(flags)}" if flags else ""
        lines.append(f"{client_id}  [{status.replace('_', ' ')}]{shown}")
        lines.extend(f"  - {sentence}" for sentence in explanations)
        lines.append("")
    return "\n".join(lines)


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0"
