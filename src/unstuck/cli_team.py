"""`unstuck report`: the supervisor page's team figures from a caseload CSV, as CSV.

The caseload CSV is the one `unstuck analyze` reads. Who each client's therapist is comes from
an optional `--therapists` CSV (``client_id,therapist``), how episodes ended from an optional
`--outcomes` CSV (``client_id,ended``, as `unstuck fit-dropout` reads). Plans past their review
date live only in the web app, so that column is 0 here. `--table retention` prints the
clinic's retention curve instead (`unstuck.analysis.retention`), counting attended sessions.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from unstuck.errors import InvalidRows, InvalidValue, MissingColumns, Problem

NOT_GIVEN = "(therapist not given)"


def add_parser(sub: Any) -> None:
    report = sub.add_parser(
        "report",
        help="team figures (improved, recovered, worse, ended early) from a caseload CSV",
        description="Aggregate figures per therapist and for everyone, as the supervisor's "
        "team page shows them, written as CSV (counts; shares below five clients left empty).",
    )
    report.add_argument("file", type=Path, help="caseload CSV, as for analyze")
    report.add_argument("--instrument", default="phq9", help="which measure's change (phq9)")
    report.add_argument("--therapists", type=Path, help="CSV with client_id,therapist")
    report.add_argument("--outcomes", type=Path, help="CSV with client_id,ended")
    report.add_argument(
        "--table",
        choices=("therapists", "retention"),
        default="therapists",
        help="therapists: the figures per therapist (default); retention: the clinic's "
        "Kaplan-Meier curve of clients still attending by sessions attended (an ending "
        "'dropped_out' is the event; every other episode counts up to its last session)",
    )
    report.add_argument("--output", type=Path, help="write here instead of standard output")
    report.set_defaults(run=run_report)


def read_therapists(path: Path) -> dict[str, str]:
    """client_id -> therapist; every bad row is reported with its row number."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidValue("--therapists", str(path), f"cannot be read ({exc.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = tuple(c for c in ("client_id", "therapist") if c not in header)
        if missing:
            raise MissingColumns(missing, tuple(header))
        out: dict[str, str] = {}
        problems: list[Problem] = []
        for row_number, raw in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            if not row["client_id"] or not row["therapist"]:
                problems.append(Problem(row_number, "client_id/therapist", None, "is empty"))
            else:
                out[row["client_id"]] = row["therapist"]
    if problems:
        raise InvalidRows(path.name, tuple(problems[:10]), len(problems), len(problems))
    return out


def run_report(args: argparse.Namespace) -> int:
    from unstuck.analysis import analyze_file
    from unstuck.analysis.clinic import Course, team_figures, to_csv
    from unstuck.analysis.clinic_time import stays
    from unstuck.analysis.outcomes import read_outcomes
    from unstuck.analysis.retention import kaplan_meier, to_rows
    from unstuck.cli_tools import instrument_set
    from unstuck.progress.change import criteria_for

    instruments = instrument_set(args)
    name = args.instrument.strip().lower()
    if name not in instruments:
        raise InvalidValue("--instrument", args.instrument, "is not a known instrument")
    criteria = criteria_for(instruments[name])
    if criteria is None:
        raise InvalidValue("--instrument", name, "has no reliable-change rule to judge change")
    therapists = read_therapists(args.therapists) if args.therapists else {}
    endings = read_outcomes(args.outcomes) if args.outcomes else {}
    summary = analyze_file(args.file, instruments).summary
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
            plans_overdue=0,
            attended=(row["attendance"] or {}).get("attended", 0)
            + (row["attendance"] or {}).get("late", 0),
        )
        for row in summary.clients.iter_rows(named=True)
    ]
    if args.table == "retention":
        steps = kaplan_meier(stays(courses))
        text = "".join(",".join(line) + "\n" for line in to_rows(steps))
    else:
        text = to_csv(team_figures(courses, criteria))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
