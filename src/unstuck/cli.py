"""The `unstuck` command: score questionnaires and analyse a caseload from a CSV file.

`unstuck score` and `unstuck analyze` are a stable contract that other tools call: their JSON
output keeps its keys, bad input exits with status 2 and a message naming row, column and
value, and nothing is ever printed as a traceback for input a person can correct. With
--skip-invalid, analyze's JSON is an object: the list of clients under "clients", beside
"skipped" and "notes" (`unstuck.analysis.leftout`), so that a report file says what it lacks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from unstuck import __version__, cli_team, cli_tools
from unstuck.cli_import import add_import_command
from unstuck.cli_ops import add_ops_commands
from unstuck.cli_output import (
    add_report_options,
    check_output,
    report_format,
    write_caseload_report,
)
from unstuck.cli_scale import add_scale_options, with_scale
from unstuck.cli_tools import INSTRUMENTS_DIR_ENV, instrument_set
from unstuck.cli_web import add_demo_command, add_web_commands
from unstuck.errors import InvalidRows, InvalidValue, UnstuckError
from unstuck.plural import counted

if TYPE_CHECKING:  # the heavy modules load only when a command needs them
    from unstuck.measures.model import Instrument

INPUT_ERROR = 2
# Only `analyze` has --skip-invalid: the rows' problems (from the core) never name it.
SKIP_INVALID_HINT = (
    "fix these rows, or add --skip-invalid to analyse the others (a left-out row's safety "
    "answer above 0 still raises its client's safety flag)"
)

CSV_HELP = """\
The CSV file has one row per client, session and instrument:
  client_id     required  a pseudonymous code, never a name
  occasion      session number 0 (intake), 1, 2, ... (or 'date' as YYYY-MM-DD; or both)
  instrument    phq9, gad7, session_feedback, or a clinic's own instrument id
                (in any case, with or without spaces and hyphens: PHQ-9 is phq9;
                empty, with no score, for a session without a questionnaire)
  score         the total, or instead the answers item_1 .. item_k
                (headed 'Item 1' or 'Q1' too; columns not read are named, and one
                named like an item, such as PHQ9_9, refuses the file until renamed)
  attendance    optional: attended, late, cancelled, no_show (missed sessions need no score)
                (DNA and 'Did not attend' are no_show; a session the therapist
                cancelled is no missed session of the client's: delete its row)
  markers       optional: signs of pulling back you noted in the session (0, 1, 2, ...)

examples:
  unstuck analyze caseload.csv                       JSON, one object per client
  unstuck analyze caseload.csv --format text         a readable report
  unstuck analyze caseload.csv -o report.csv         CSV: the format follows the file's name
  unstuck analyze scores.csv --instrument BDI-II --reliability 0.9 --sd 10 --cutoff 14
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command == "manage":  # Django's own options, e.g. `manage --help`
        args.args, unknown = [*unknown, *args.args], []
    if unknown:  # said by the command's own parser, so its usage line is the one shown
        args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        code: int = args.run(args)
    except UnstuckError as exc:
        print(f"unstuck: {exc}", file=sys.stderr)
        return INPUT_ERROR
    except BrokenPipeError:  # e.g. `unstuck analyze big.csv | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unstuck",
        description=(
            "Unstuck helps therapists notice clients who are not progressing. "
            "All data stays on this machine."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'unstuck COMMAND --help' for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"unstuck {__version__}")
    parser.add_argument(
        "--instruments-dir",
        action="append",
        default=[],
        metavar="DIR",
        help=f"a folder of the clinic's own instrument definitions (*.toml); may be repeated; "
        f"also read from ${INSTRUMENTS_DIR_ENV}",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    score = sub.add_parser(
        "score",
        help="score one completed questionnaire",
        description="Score one completed questionnaire: total, severity band and safety.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  unstuck score phq9 --answers 1,2,0,3,1,0,2,1,0 --json\n"
        "Leave an answer empty (1,2,,3,...) for an item the client skipped.",
    )
    score.add_argument("instrument", help="instrument id, e.g. phq9, gad7, session_feedback")
    score.add_argument(
        "--answers", required=True, help="answers in item order, separated by commas"
    )
    score.add_argument("--json", action="store_true", help="print JSON instead of text")
    score.set_defaults(run=_run_score)

    analyze = sub.add_parser(
        "analyze",
        help="analyse a caseload CSV: change, recovery and safety per client",
        description="Analyse a long CSV of measures and report on every client.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=CSV_HELP,
    )
    analyze.add_argument("file", type=Path, help="the CSV file ('-' reads standard input)")
    add_report_options(analyze)
    analyze.add_argument(
        "--skip-invalid",
        action="store_true",
        help="analyse the good rows; the bad ones, and any client all of whose rows are bad, "
        "are listed on standard error and in the report (without it, any bad row stops the "
        "analysis and nothing is reported)",
    )
    add_scale_options(analyze)
    _add_detection_options(analyze)
    analyze.set_defaults(run=_run_analyze)

    fit = sub.add_parser(
        "fit",
        help="fit the expected course to the clinic's own data",
        description="Fit the expected-course model (score by session given the first score) "
        "to a caseload CSV, print the parameters, and write them to a file that 'unstuck "
        "analyze --models FILE' uses. The course is stated up to the last session the data "
        "reach (with scores from enough clients; beyond it the course is extrapolated, and "
        "the output says so), and the share of held-out clients' scores inside its band is "
        "judged against the share the band aims for (too narrow, too wide, or close).",
    )
    fit.add_argument("file", type=Path, help="the CSV file (same format as analyze)")
    fit.add_argument("-o", "--output", type=Path, required=True, help="where to write the models")
    fit.add_argument(
        "--min-clients",
        type=cli_tools.at_least(2),
        default=50,
        help="clients with 2+ scores needed (default 50)",
    )
    add_scale_options(fit)
    fit.set_defaults(run=cli_tools.run_fit)

    instruments = sub.add_parser(
        "instruments",
        help="list instruments, show one, or export one as FHIR",
        description="List the instruments in use, or export one as a FHIR R4 Questionnaire.",
    )
    instruments.add_argument("id", nargs="?", help="show this instrument")
    instruments.add_argument(
        "--fhir", action="store_true", help="print the instrument as FHIR R4 Questionnaire JSON"
    )
    instruments.set_defaults(run=cli_tools.run_instruments)

    add_demo_command(sub)
    add_web_commands(sub)
    add_ops_commands(sub)
    add_import_command(sub)

    dropout = sub.add_parser(
        "fit-dropout",
        help="fit a learned dropout model from ended episodes (beside the withdrawal rules)",
        description="Fit a logistic-regression dropout model on the clinic's ended episodes: "
        "at each landmark session, the episodes still in therapy, their attendance, feedback "
        "and progress so far, and whether they later ended early ('dropped_out'). Prints its "
        "odds ratios, its held-out AUC (5-fold by client) next to the withdrawal rule's on the "
        "same clients, and an estimate for each ongoing episode. It never replaces the rules.",
    )
    dropout.add_argument("file", type=Path, help="the measures CSV (as for analyze)")
    dropout.add_argument(
        "--outcomes",
        type=Path,
        required=True,
        help="CSV with client_id,ended (completed, dropped_out, referred, ongoing)",
    )
    dropout.add_argument(
        "--landmarks",
        type=cli_tools.landmarks_arg,
        default=(3, 4, 5, 6, 7, 8, 9, 10),
        help="landmark sessions, e.g. 3-10 (the default) or 4,6,8",
    )
    dropout.add_argument("--seed", type=int, default=0, help="seeds the folds (default 0)")
    dropout.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("dropout-model.json"),
        help="where to write the model (default dropout-model.json)",
    )
    dropout.set_defaults(run=cli_tools.run_fit_dropout)

    strategies = sub.add_parser(
        "strategies",
        help="the impasse knowledge base: reasons, strategies, markers (for clinical review)",
        description="Print the knowledge base the impasse review uses: every reason a client "
        "may be stuck, every strategy with when it fits and its cautions, and the source "
        "document each comes from.",
    )
    strategies.add_argument("--json", action="store_true", help="print everything as JSON")
    strategies.add_argument(
        "--situations",
        action="store_true",
        help="the seeds' situations: what each expects and the first five suggestions it gets",
    )
    strategies.set_defaults(run=cli_tools.run_strategies)
    cli_team.add_parser(sub)

    synth = sub.add_parser(
        "synth",
        help="write a synthetic caseload CSV (for trying things out and benchmarks)",
        description="Write a synthetic caseload in the analyze CSV format. Every client is "
        "made up; ids start with SYN-.",
    )
    synth.add_argument(
        "output", type=Path, help="where to write the CSV (a new file: an existing one is refused)"
    )
    synth.add_argument(
        "--clients", type=cli_tools.at_least(1), default=60, help="how many clients (default 60)"
    )
    synth.add_argument(
        "--occasions",
        type=cli_tools.at_least(1),
        default=10,
        help="sessions per client at most (default 10; some end early)",
    )
    synth.add_argument(
        "--instruments",
        type=cli_tools.synth_instruments,
        default=cli_tools.SYNTH_INSTRUMENTS,
        help="comma-separated, of " + ",".join(cli_tools.SYNTH_INSTRUMENTS) + " (default all)",
    )
    synth.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    synth.add_argument(
        "--outcomes",
        type=Path,
        help="also write how each episode ended, for fit-dropout (a new file too)",
    )
    synth.set_defaults(run=cli_tools.run_synth)
    for command in sub.choices.values():
        command.set_defaults(parser=command)
    return parser


def _add_detection_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--thresholds", type=Path, help="detection thresholds file (default: the shipped one)"
    )
    p.add_argument(
        "--models", type=Path, help="expected-course models from 'unstuck fit' (default: shipped)"
    )


def _detection_settings(  # type: ignore[no-untyped-def]
    args: argparse.Namespace, instruments: Mapping[str, Instrument]
):
    from unstuck.progress.config import clinic_course_models, load_thresholds

    thresholds = load_thresholds(args.thresholds) if args.thresholds else None
    directions = {i.id: i.higher_is_better for i in instruments.values()}
    models = clinic_course_models(args.models, directions) if args.models else None
    return models, thresholds


def _run_score(args: argparse.Namespace) -> int:
    from unstuck.measures import score_answers

    instrument = cli_tools.named_instrument(instrument_set(args), args.instrument, "score")
    answers: list[int | None] = []
    for position, text in enumerate(args.answers.split(","), start=1):
        text = text.strip()
        if not text:
            answers.append(None)
            continue
        try:
            answers.append(int(text))
        except ValueError:
            raise _bad_answer(position, text, "not a whole number") from None
    try:
        result = score_answers(instrument, answers)
    except InvalidValue as exc:  # the core names a file's columns (item_7): say the option
        item = exc.field.removeprefix("item_")
        if item.isdigit():
            raise _bad_answer(int(item), exc.value, exc.reason) from None
        raise InvalidValue("--answers", None, exc.reason) from None
    if args.json:
        out = {
            "instrument": instrument.id,
            "total": result.total,
            "severity": result.severity,
            "safety_alert": result.safety_alert,
            "safety_raised": list(result.safety_raised),
            "answered": result.answered,
            "missing_items": list(result.missing_items),
            "prorated": result.prorated,
            "safety_unanswered": list(result.safety_unanswered),
        }
        print(json.dumps(out))
        return 0
    lines = [
        f"SAFETY: item {n} was answered above 0. Please check on safety with the client now."
        for n in result.safety_raised
    ]
    if result.total is None:
        lines.append(
            f"{instrument.name}: {counted(len(result.missing_items), 'item')} unanswered, too "
            "many for "
            "a total."
        )
    else:
        band = f" ({result.severity})" if result.severity else ""
        scale = "" if instrument.score_max is None else f" of {instrument.score_max:g}"
        prorated = " (prorated for unanswered items)" if result.prorated else ""
        lines.append(f"{instrument.name}: total {result.total:g}{scale}{band}{prorated}.")
    for n in result.safety_unanswered:
        lines.append(f"Item {n} (safety) was not answered, so risk could not be checked.")
    print("\n".join(lines))
    return 0


def _bad_answer(item: int, value: object, reason: str) -> InvalidValue:
    return InvalidValue("--answers", None, f"the answer to item {item}, {value!r}: {reason}")


def _run_analyze(args: argparse.Namespace) -> int:
    from unstuck.analysis import analyze_file
    from unstuck.analysis.columns import ignored_notice
    from unstuck.analysis.leftout import clients_sentence

    instruments = with_scale(args, instrument_set(args))
    source = cli_tools.input_source(args.file)
    if args.output is not None:
        check_output(
            args.output, "--output", [args.file, args.thresholds, args.models], screen=True
        )
    models, limits = _detection_settings(args, instruments)
    try:
        analysis = analyze_file(
            source, instruments, skip_invalid=args.skip_invalid, models=models, thresholds=limits
        )
    except InvalidRows as refused:
        print(f"unstuck: {refused}\nunstuck: {SKIP_INVALID_HINT}", file=sys.stderr)
        return INPUT_ERROR
    left_out = analysis.skipped_problems
    if analysis.skipped_rows:
        print(
            f"unstuck: left out {counted(analysis.skipped_rows, 'row')} with "
            f"{counted(left_out, 'problem')}:",
            file=sys.stderr,
        )
        for problem in analysis.skipped:
            print(f"  {problem}", file=sys.stderr)
        if left_out > len(analysis.skipped):
            print(f"  ... and {left_out - len(analysis.skipped)} more", file=sys.stderr)
        gone = clients_sentence(analysis.clients_left_out)
        if gone is not None:
            print(f"unstuck: {gone}", file=sys.stderr)
        if analysis.summary.clients.is_empty():  # an empty report would read as "no one"
            print("unstuck: every row was left out, so there is no report.", file=sys.stderr)
            return INPUT_ERROR
    notes = []
    ignored = ignored_notice(analysis.ignored_columns)
    if ignored is not None:  # a column meant to be read, but named otherwise, shows
        notes.append(ignored)
        print(f"unstuck: {ignored}", file=sys.stderr)
    title = f"Unstuck report: {cli_tools.input_name(args.file)}"
    fmt, skipped = report_format(args), analysis.left_out if args.skip_invalid else None
    write_caseload_report(
        analysis.summary, fmt, instruments, title, args.output, notes=notes, left_out=skipped
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
