"""The `unstuck` commands beyond the stable score/analyze contract: fitting models from the
clinic's data, listing instruments and the knowledge base, writing synthetic data.

`unstuck.cli` builds the parser and dispatches here; each function takes the parsed arguments
and returns the exit status. Input errors raise `UnstuckError`, which `cli.main` reports.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from unstuck.cli_output import check_output, write_output, write_text
from unstuck.errors import CannotWrite, UnknownInstrument, UnstuckError
from unstuck.plural import counted

if TYPE_CHECKING:  # measures pulls in numpy and polars: import them only when a command runs
    from unstuck.analysis.csvinput import Observations
    from unstuck.impasse import KnowledgeBase
    from unstuck.measures import Instrument, InstrumentSet

INSTRUMENTS_DIR_ENV = "UNSTUCK_INSTRUMENTS_DIR"
SYNTH_INSTRUMENTS = ("phq9", "gad7", "session_feedback")  # what `unstuck.synth` can generate


STANDARD_INPUT = "-"  # as a command's input file: read standard input


def input_source(path: Path) -> Path | IO[bytes]:
    """What a command reads for its input file argument: standard input's bytes for '-'."""
    return sys.stdin.buffer if str(path) == STANDARD_INPUT else path


def input_name(path: Path) -> str:
    """How a report names its input: "standard input" for '-' (not "-"), else the path."""
    from unstuck.analysis.rawcsv import STANDARD_INPUT_NAME

    return STANDARD_INPUT_NAME if str(path) == STANDARD_INPUT else str(path)


def instrument_set(args: argparse.Namespace) -> InstrumentSet:
    """Built-in instruments plus the clinic's folders (--instruments-dir and the environment)."""
    from unstuck.measures import load_instruments

    dirs = list(args.instruments_dir)
    env = os.environ.get(INSTRUMENTS_DIR_ENV, "")
    dirs += [d for d in env.split(os.pathsep) if d]
    # The same folder named twice (the variable and the option, or "dir" and "./dir/") is
    # read once: its definitions would otherwise clash with themselves.
    unique = list({os.path.realpath(d): d for d in dirs}.values())
    return load_instruments(unique)


def named_instrument(instruments: InstrumentSet, name: str, command: str) -> Instrument:
    """The instrument `name` for a `command` that names one (score, instruments); when it is
    unknown, the message says how to add a clinic's own, with an option `command` takes."""
    try:
        return instruments.get_instrument(name)
    except UnknownInstrument as exc:
        exc.hint = (
            "A clinic's own questionnaire is added with its definition file (TOML): "
            f"unstuck --instruments-dir FOLDER {command} ..."
        )
        raise


def at_least(low: int):  # type: ignore[no-untyped-def]
    """An argparse type: a whole number of `low` or more."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {low} or more")
        return value

    return parse


def synth_instruments(text: str) -> tuple[str, ...]:
    """--instruments for `unstuck synth`: some of `SYNTH_INSTRUMENTS`, comma-separated, each
    found as every command finds an instrument (`InstrumentSet.id_for`: PHQ-9 is phq9)."""
    from unstuck.measures import InstrumentSet, builtin_instruments

    builtin = builtin_instruments()
    can = InstrumentSet({i: builtin[i] for i in SYNTH_INSTRUMENTS})
    names = [name for name in text.split(",") if name.strip()]
    unknown = [name.strip() for name in names if can.id_for(name) is None]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"{', '.join(map(repr, unknown or [text]))}: synthetic data can be made for "
            f"{', '.join(SYNTH_INSTRUMENTS)} only"
        )
    return tuple(dict.fromkeys(str(can.id_for(name)) for name in names))


def note_ignored(observations: Observations) -> Observations:
    """Name the columns of the file that were not read, on standard error."""
    from unstuck.analysis.columns import ignored_notice

    notice = ignored_notice(observations.ignored)
    if notice is not None:
        print(f"unstuck: {notice}", file=sys.stderr)
    return observations


def run_fit(args: argparse.Namespace) -> int:
    from unstuck.analysis import read_observations
    from unstuck.cli_scale import with_scale
    from unstuck.progress.config import default_thresholds
    from unstuck.progress.course import fit_course, models_to_toml

    check_output(args.output, "--output", [args.file])
    instruments = with_scale(args, instrument_set(args))
    frame = note_ignored(read_observations(args.file, instruments)).frame
    alliance = default_thresholds().alliance_rupture.instrument
    fitted = []
    for instrument_id in sorted(set(frame.get_column("instrument").to_list())):
        instrument = instruments[instrument_id]
        if instrument_id == alliance:
            continue
        own = frame.filter(frame.get_column("instrument") == instrument_id)
        try:
            model = fit_course(
                own,
                instrument_id,
                higher_is_better=instrument.higher_is_better,
                min_clients=args.min_clients,
            )
        except ValueError as exc:
            print(f"unstuck: {instrument.name} not fitted: {exc}", file=sys.stderr)
            continue
        fitted.append(model)
        print(model.describe(instrument.name))
    if not fitted:
        raise UnstuckError(
            f"{args.file}: no expected course could be fitted, for the reasons above "
            f"(--min-clients {args.min_clients} is how many clients with two or more scores "
            "each needs)"
        )
    write_text(args.output, "--output", models_to_toml(fitted))
    print(f"wrote {args.output}; use it with: unstuck analyze FILE --models {args.output}")
    return 0


def run_instruments(args: argparse.Namespace) -> int:
    from unstuck.measures import to_fhir_questionnaire

    instruments = instrument_set(args)
    if args.id is None:
        for instrument in instruments.values():
            kind = f"{len(instrument.items)} items" if instrument.items else "score only"
            print(f"{instrument.id:<18} {instrument.name} ({kind})")
        return 0
    instrument = named_instrument(instruments, args.id, "instruments")
    if args.fhir:
        print(json.dumps(to_fhir_questionnaire(instrument), indent=2, ensure_ascii=False))
        return 0
    print(f"{instrument.name} ({instrument.id})\n{instrument.description}\n")
    for item in instrument.items:
        marker = "  [safety]" if item.safety else ""
        print(f"  {item.number}. {item.text}{marker}")
    if instrument.items:
        options = instrument.items[0].options
        print("\n  Answers: " + "; ".join(f"{o.value} = {o.label}" for o in options))
    for band in instrument.bands:
        print(f"  {band.low:g}-{band.high:g}: {band.name}")
    if instrument.license:
        print(f"\nLicence: {instrument.license}")
    for citation in instrument.citations:
        print(f"Source: {citation}")
    return 0


def run_synth(args: argparse.Namespace) -> int:
    import polars as pl

    from unstuck.synth import ClinicParameters, generate_long_table

    params = ClinicParameters(
        clients=args.clients,
        occasions=args.occasions,
        instruments=args.instruments,
        seed=args.seed,
    )
    check_output(args.output, "the output file", new=True)
    if args.outcomes is not None:
        check_output(args.outcomes, "--outcomes", [args.output], new=True)
        if args.outcomes.resolve() == args.output.resolve():
            raise CannotWrite("--outcomes", str(args.outcomes), "is also the caseload's file")
    started = time.perf_counter()
    clinic = generate_long_table(params)
    outcomes = clinic.clients.select(
        "client_id",
        ended=pl.when(pl.col("dropped_out"))
        .then(pl.lit("dropped_out"))
        .otherwise(pl.lit("completed")),
    )
    write_output(args.output, "the output file", clinic.observations.write_csv, new=True)
    if args.outcomes is not None:
        write_output(args.outcomes, "--outcomes", outcomes.write_csv, new=True)
    print(
        f"wrote {counted(clinic.observations.height, 'synthetic row', grouped=True)} for "
        f"{counted(args.clients, 'client', grouped=True)} to "
        f"{args.output} in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


def landmarks_arg(text: str) -> tuple[int, ...]:
    """'3-10' or '4,6,8' -> session numbers (for --landmarks)."""
    try:
        if "-" in text:
            low, high = (int(v) for v in text.split("-", 1))
            sessions = tuple(range(low, high + 1))
        else:
            sessions = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        sessions = ()
    if not sessions or min(sessions) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of session numbers such as 3-10 or 4,6,8"
        )
    return sessions


def run_fit_dropout(args: argparse.Namespace) -> int:
    from unstuck.analysis import read_observations
    from unstuck.analysis.outcomes import fit_and_score, read_outcomes

    check_output(args.output, "--output", [args.file, args.outcomes])
    instruments = instrument_set(args)
    frame = note_ignored(read_observations(args.file, instruments)).frame
    outcomes = read_outcomes(args.outcomes)
    model, ongoing = fit_and_score(frame, outcomes, landmarks=args.landmarks, seed=args.seed)
    print(model.describe())
    if ongoing.height:
        print(f"\nOngoing episodes ({ongoing.height}), as of their latest session:")
        for client_id, sessions, probability in ongoing.iter_rows():
            share = f"{probability:.0%}" if probability >= 0.005 else "under 1%"
            print(f"  {client_id}  session {sessions:.0f}  {share}")
        print(
            "Each is how often clients with a similar pattern ended early in this clinic's "
            "past; it adds to the withdrawal rules and is a prompt for a conversation."
        )
    write_text(args.output, "--output", json.dumps(model.to_dict(), indent=2))
    print(f"\nwrote {args.output}")
    return 0


def _print_situations(kb: KnowledgeBase) -> int:
    """Each seed situation, the strategies its seed pairs with it, and the first five it gets."""
    from unstuck.impasse.situations import TOP, load_situations
    from unstuck.impasse.sources import sources

    failing = 0
    for s in load_situations(kb):
        top = [r.strategy.id for r in s.rank(kb)][:TOP]
        missing = [e for e in s.expects if e not in top]
        failing += bool(missing)
        ratings = ", ".join(f"{k} {v}" for k, v in s.ratings.items())
        print(f"{s.id}  [{s.seed[:3]}, {sources()[s.seed].title}]")
        print(f"  rated: {ratings}; flags: {', '.join(s.flags) or 'none'}")
        print(f"  expects: {', '.join(s.expects)}")
        print(
            f"  first {TOP}: {', '.join(top)}{'  MISSING ' + ', '.join(missing) if missing else ''}"
        )
    print(f"\n{failing} situation(s) miss an expected strategy in the first {TOP}.")
    return 1 if failing else 0


def run_strategies(args: argparse.Namespace) -> int:
    from unstuck.impasse import default_knowledge
    from unstuck.impasse.sources import cite

    kb = default_knowledge()
    if getattr(args, "situations", False):
        return _print_situations(kb)
    if args.json:
        print(json.dumps(kb.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(f"Reasons a client may be stuck ({len(kb.reasons)}):")
    for r in kb.reasons.values():
        print(f"  {r.id:<20} {r.name}  [{'; '.join(c.short for c in cite(r.seeds))}]")
    print(f"\nStrategies ({len(kb.strategies)}):")
    for s in kb.strategies.values():
        fits = ", ".join(f"{k} {v}" for k, v in s.fits.items())
        print(f"  {s.id:<26} {s.name}  ({s.kind}; fits {fits})")
        for caution in s.cautions:
            print(f"  {'':<26} caution: {caution}")
        print(f"  {'':<26} sources: {'; '.join(c.short for c in cite(s.seeds))}")
    print(f"\nIn-session markers ({len(kb.markers)}):")
    for m in kb.markers.values():
        print(f"  {m.id:<26} {m.label}")
    print("\nSources are cited by their titles (impasse/sources.toml); docs/impasse.md explains.")
    return 0
