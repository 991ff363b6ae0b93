"""A clinic's score-only scale named on the command line, for `unstuck analyze` and `unstuck fit`.

``--instrument NAME --reliability R --sd SD [--cutoff C] [--higher-is-better]`` describes a
scale the file holds totals of. Both commands take the options from `add_scale_options` and
read them with `with_scale`, so a fit made with them is used by an analysis given the same
ones: the scale gets the same id in both (``--instrument BDI-II`` is ``bdi_ii``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from unstuck.errors import InvalidValue

if TYPE_CHECKING:  # measures pulls in numpy and polars: import them only when a command runs
    from unstuck.measures import InstrumentSet


def add_scale_options(parser: argparse.ArgumentParser) -> None:
    custom = parser.add_argument_group(
        "a score-only instrument of your own",
        "Name an instrument that appears in the file with totals only (from 0 to 1,000,000), "
        "and the figures its reliable change and recovery are judged by (Jacobson & Truax, "
        "1991). Give the same options to 'unstuck fit' and 'unstuck analyze'.",
    )
    custom.add_argument(
        "--instrument",
        metavar="NAME",
        help="its name as written in the file, e.g. BDI-II (found in any case, with or without "
        "spaces and hyphens)",
    )
    custom.add_argument("--reliability", type=float, help="reliability, between 0 and 1")
    custom.add_argument("--sd", type=float, help="standard deviation of pre-treatment scores")
    custom.add_argument("--cutoff", type=float, help="caseness cutoff (optional)")
    custom.add_argument("--higher-is-better", action="store_true", help="higher scores are better")


def with_scale(args: argparse.Namespace, instruments: InstrumentSet) -> InstrumentSet:
    """`instruments`, plus the scale the options describe if they name one.

    Raises `InvalidValue` naming the option: a number out of bounds
    (`unstuck.measures.limits`), an option missing, or a name that is already an instrument
    (whose change rule its definition gives).
    """
    from unstuck.measures import score_only_instrument
    from unstuck.measures.loader import COMMAND_LINE

    given = [args.reliability is not None, args.sd is not None]
    if args.instrument is None:
        if any(given) or args.cutoff is not None or args.higher_is_better:
            raise InvalidValue(
                "--instrument",
                None,
                "--reliability, --sd, --cutoff and --higher-is-better describe a scale of "
                "your own and need --instrument NAME (its name in the file)",
            )
        return instruments
    if not all(given):
        raise InvalidValue("--instrument", args.instrument, "also give --reliability and --sd")
    known = instruments.id_for(args.instrument)
    if known is not None:
        raise InvalidValue(
            "--instrument",
            args.instrument,
            f"is already an instrument ({known}, {instruments.origin(known)}), whose "
            "reliable change and cutoff its definition gives: leave out --instrument, "
            "--reliability, --sd and --cutoff",
        )
    scale = score_only_instrument(
        args.instrument,
        reliability=args.reliability,
        sd=args.sd,
        cutoff=args.cutoff,
        higher_is_better=args.higher_is_better,
    )
    return instruments.with_instrument(scale, COMMAND_LINE)
