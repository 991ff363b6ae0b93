"""`unstuck report`: the supervisor page's team figures from a caseload CSV, as CSV.

The caseload CSV is the one `unstuck analyze` reads. Who each client's therapist is comes from
an optional `--therapists` CSV (``client_id,therapist``), how episodes ended from an optional
`--outcomes` CSV (``client_id,ended``, as `unstuck fit-dropout` reads). Plans past their review
date live only in the web app, so that column is 0 here; whether a safety alert has been
followed up is recorded only there too, so ``safety_alerts_open`` is left empty (unknown, not
none), and so are ``ended`` and ``ended_early`` without `--outcomes`. `--table retention`
prints the clinic's retention curve instead (`unstuck.analysis.retention`), counting attended
sessions; it needs `--outcomes`, whose `dropped_out` endings are its only events.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from unstuck.cli_tools import input_name
from unstuck.errors import InvalidValue
from unstuck.plural import counted

NOT_GIVEN = "(therapist not given)"


def add_parser(sub: Any) -> None:
    report = sub.add_parser(
        "report",
        help="team figures (improved, recovered, worse, ended early) from a caseload CSV",
        description="Aggregate figures per therapist and for everyone, as the supervisor's "
        "team page shows them, written as CSV (counts; shares below five clients left empty; "
        "safety_open: clients with a safety answer in the file; plans_overdue and "
        "safety_alerts_open, known only to the web app, left empty; ended and ended_early "
        "left empty without --outcomes).",
    )
    report.add_argument(
        "file", type=Path, help="caseload CSV, as for analyze ('-' reads standard input)"
    )
    report.add_argument("--instrument", default="phq9", help="which measure's change (phq9)")
    report.add_argument(
        "--therapists", type=Path, help="CSV with client_id,therapist (a row per client)"
    )
    report.add_argument("--outcomes", type=Path, help="CSV with client_id,ended (a row per client)")
    report.add_argument(
        "--table",
        choices=("therapists", "retention", "quarters", "completion"),
        default="therapists",
        help="therapists: the figures per therapist (default); retention: the clinic's "
        "Kaplan-Meier curve of clients still attending by sessions attended (needs "
        "--outcomes: an ending 'dropped_out' is the event; every other episode counts up to "
        "its last session); "
        "quarters: clients seen, improved, recovered, worse and ended per quarter (needs a "
        "date column; an ending counts in the quarter of the client's last session); "
        "completion: each questionnaire's count of attended sessions with a score",
    )
    report.add_argument(
        "-o", "--output", type=Path, help="write here instead of the screen ('-': the screen)"
    )
    report.set_defaults(run=run_report)


def read_therapists(path: Path) -> dict[str, str]:
    """client_id -> therapist; every bad row is reported with its row number."""
    from unstuck.analysis.outcomes import by_client

    return by_client(path, "therapist", "the therapist's name or code")


def note_not_listed(clients: list[str], therapists: dict[str, str], args: Any) -> None:
    """Name, on standard error, the caseload's clients the --therapists file does not list:
    they are counted under `NOT_GIVEN`, which is easy to miss in a table (a code written
    otherwise in one file, C-17 for C-017, does that)."""
    missing = [c for c in clients if c not in therapists]
    if not missing:
        return
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    print(
        f"unstuck: {counted(len(missing), 'client')} of {input_name(args.file)} "
        f"{'is' if len(missing) == 1 else 'are'} not in {args.therapists} ({shown}), so "
        f"counted under {NOT_GIVEN!r}: add a row for each, or check that the codes are "
        "written the same in both files",
        file=sys.stderr,
    )


def _dated(frame: Any, instrument: str) -> dict[str, dict[str, Any]]:
    """Per client, from the checked long table: attended session dates, dated scores of
    `instrument`, and each questionnaire's count of attended sessions with a score.

    A row with no attendance given counts as attended, as in `unstuck analyze`; a row without
    a date contributes no session date (the quarters table then refuses to run).
    """
    import polars as pl

    from unstuck.progress.attendance import ATTENDED

    # Whole-table steps, then one pass over the clients (a query per client took 24 s for
    # 20,000 clients).
    rows = (
        frame.filter(
            pl.col("attendance").is_null() | pl.col("attendance").cast(pl.String).is_in(ATTENDED)
        )
        .select(
            client=pl.col("client_id").cast(pl.String),
            occasion="occasion",
            date="date",
            total="total",
            instrument=pl.col("instrument").cast(pl.String),
        )
        .sort("client", "occasion", maintain_order=True)
    )
    sessions = (
        rows.unique(["client", "occasion"], keep="first", maintain_order=True)
        .group_by("client", maintain_order=True)
        .agg(pl.col("date").drop_nulls())
    )
    scored = rows.filter(pl.col("total").is_not_null())
    mine = (
        scored.filter((pl.col("instrument") == instrument) & pl.col("date").is_not_null())
        .group_by("client", maintain_order=True)
        .agg("date", "total")
    )
    counts = scored.group_by("client", "instrument").len().sort("client", "instrument")
    out: dict[str, dict[str, Any]] = {
        client: {"sessions": tuple(dates), "scores": (), "completed": ()}
        for client, dates in sessions.iter_rows()
    }
    for client, dates, totals in mine.iter_rows():
        out[client]["scores"] = tuple(zip(dates, map(float, totals), strict=True))
    completed: dict[str, list[tuple[str, int]]] = {}
    for client, name, n in counts.iter_rows():
        completed.setdefault(client, []).append((name, int(n)))
    for client, pairs in completed.items():
        out[client]["completed"] = tuple(pairs)
    return out


def run_report(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from unstuck.analysis import read_observations
    from unstuck.analysis.clinic import Course, team_figures, to_csv
    from unstuck.analysis.clinic_time import (
        completion,
        completion_csv,
        over_time,
        periods_csv,
        stays,
    )
    from unstuck.analysis.outcomes import read_outcomes
    from unstuck.analysis.retention import kaplan_meier
    from unstuck.analysis.retention import to_csv as retention_csv
    from unstuck.cli_output import check_output, write_text
    from unstuck.cli_tools import input_source, instrument_set, named_instrument, note_ignored
    from unstuck.progress.batch import summarise_caseload
    from unstuck.progress.change import criteria_for

    instruments = instrument_set(args)
    name = named_instrument(instruments, args.instrument, "report").id
    criteria = criteria_for(instruments[name])
    if criteria is None:
        raise InvalidValue("--instrument", name, "has no reliable-change rule to judge change")
    if args.table == "retention" and args.outcomes is None:
        raise InvalidValue(
            "--table",
            "retention",
            "needs --outcomes FILE (client_id,ended): the curve counts episodes that ended "
            "early, and without that file none would, so it would show everyone still attending",
        )
    if args.output is not None:
        check_output(
            args.output, "--output", [args.file, args.therapists, args.outcomes], screen=True
        )
    therapists = read_therapists(args.therapists) if args.therapists else {}
    endings = read_outcomes(args.outcomes) if args.outcomes else {}
    observations = note_ignored(read_observations(input_source(args.file), instruments))
    if args.table == "quarters" and observations.frame.get_column("date").null_count() > 0:
        raise InvalidValue("--table", "quarters", "needs a date on every row of the caseload")
    summary = summarise_caseload(observations.frame, instruments, codes=observations.client_codes)
    if args.therapists:
        note_not_listed(summary.clients.get_column("client_id").to_list(), therapists, args)
    dated = _dated(observations.frame, name)
    scores = {
        row["client_id"]: (row["first"], row["last"])
        for row in summary.measures.filter(instrument=name).iter_rows(named=True)
        if row["n"] >= 2  # a change needs two scores
    }
    courses = [
        Course(
            client=row["client_id"],
            therapist=therapists.get(row["client_id"], NOT_GIVEN),
            first=scores.get(row["client_id"], (None, None))[0],
            last=scores.get(row["client_id"], (None, None))[1],
            ended=None
            if endings.get(row["client_id"], "ongoing") == "ongoing"
            else endings[row["client_id"]],
            safety_open="safety" in (row["flags"] or []),
            plans_overdue=None,  # plans and their review dates are known to the web app only
            alerts_open=None,  # whether an alert was followed up is known to the web app only
            attended=(row["attendance"] or {}).get("attended", 0)
            + (row["attendance"] or {}).get("late", 0),
            **dated.get(row["client_id"], {}),
        )
        for row in summary.clients.iter_rows(named=True)
    ]
    if args.table == "retention":
        steps = kaplan_meier(stays(courses))
        text = retention_csv(steps)
    elif args.table == "quarters":
        ended = [
            replace(c, ended_on=c.sessions[-1] if c.ended and c.sessions else None) for c in courses
        ]
        text = periods_csv(over_time(ended, criteria), endings_known=bool(args.outcomes))
    elif args.table == "completion":
        used = sorted({i for c in courses for i, _ in c.completed} - {name})
        text = completion_csv(completion(courses, [name, *used]))
    else:
        text = to_csv(team_figures(courses, criteria), endings_known=bool(args.outcomes))
    if args.output is not None and str(args.output) != "-":
        write_text(args.output, "--output", text)
    else:
        sys.stdout.write(text)
    return 0
