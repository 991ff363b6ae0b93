"""Where the command line writes its files: checked before the work, written whole or not at all.

A report written over the caseload it was made from would destroy the clinic's data with exit
0, and a folder or a missing folder given as the output used to end a long fit in a traceback.
So each command checks its outputs before it starts (`check_output`), and writes each one to a
temporary file beside it that replaces the target only once complete (`write_output`): a full
disk or a crash leaves the old file, never half of a new one. Synthetic data is written only
to a new file (`new`): a caseload's name may be the clinic's real export. The caseload
report's options and its writing (`add_report_options`, `report_format`,
`write_caseload_report`) are shared by `analyze` and `demo --report`; without --format, the
report's format follows the output file's name (`-o report.csv` wrote JSON into the .csv
file).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from unstuck.errors import CannotWrite

if TYPE_CHECKING:  # the heavy modules load only when a command needs them
    from unstuck.analysis.leftout import LeftOut
    from unstuck.measures.model import Instrument
    from unstuck.progress.batch import CaseloadSummary


EXISTS = (
    "the file already exists, and synthetic data is never written over a file (it may be the "
    "clinic's real data): choose another name, or delete that file first. Nothing was written"
)


def check_output(
    path: Path,
    option: str,
    inputs: Iterable[Path | None] = (),
    *,
    screen: bool = False,
    new: bool = False,
) -> None:
    """Refuse, before any work, an output that cannot be written or that is one of `inputs`,
    and with `new` any file that exists already.

    '-' is the screen (standard output) where the command can print there (`screen`). `new`
    is for a command whose output has the shape of the clinic's own data (`unstuck synth`
    writes a caseload and an outcomes file): a file of that name may be the real export, and
    writing over it would destroy it. A report or a fitted model can be made again from its
    input, so writing over an old one is what is asked for.
    """
    shown = str(path)
    if shown == "-" and screen:
        return
    if not shown.strip() or shown == "-":
        raise CannotWrite(option, shown, "give a file name")
    if path.is_dir():
        raise CannotWrite(option, shown, "is a folder; give a file name (in it, if you like)")
    folder = path.parent
    if not folder.is_dir():
        raise CannotWrite(option, shown, f"the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CannotWrite(option, shown, f"this account may not write in {str(folder)!r}")
    if path.exists() and not path.is_file():  # a device or a pipe: never replaced by a file
        raise CannotWrite(option, shown, "is not an ordinary file; give a file name")
    if path.exists() and not os.access(path, os.W_OK):
        raise CannotWrite(option, shown, "the file exists and this account may not change it")
    if new and path.exists():
        raise CannotWrite(option, shown, EXISTS)
    for given in inputs:
        if given is None or str(given) == "-" or not path.exists() or not given.exists():
            continue
        if os.path.samefile(path, given):
            raise CannotWrite(
                option,
                shown,
                f"is the input file {str(given)!r}; writing there would replace it. "
                "Give the output another name",
            )


def write_output(
    path: Path, option: str, write: Callable[[IO[bytes]], object], *, new: bool = False
) -> None:
    """Call `write` with a binary file that becomes `path` only once `write` has finished
    (with `new`, only if no file of that name has appeared meanwhile: see `check_output`)."""
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise _cannot_write(path, option, exc) from None
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(OSError):  # as a new file would be (mkstemp makes it 0600)
            os.chmod(temporary, 0o666 & ~_umask())
        if path.exists() and not path.is_file():  # checked before the work; and again here
            raise CannotWrite(option, str(path), "is not an ordinary file; give a file name")
        if new and path.exists():
            raise CannotWrite(option, str(path), EXISTS)
        os.replace(temporary, path)
    except OSError as exc:
        raise _cannot_write(path, option, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def write_text(path: Path, option: str, text: str) -> None:
    """`write_output` for text, in UTF-8."""
    write_output(path, option, lambda out: out.write(text.encode("utf-8")))


def _cannot_write(path: Path, option: str, exc: OSError) -> CannotWrite:
    return CannotWrite(option, str(path), f"could not be written ({exc.strerror or exc})")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FORMAT_OF_SUFFIX = {".json": "json", ".csv": "csv", ".txt": "text"}


def add_report_options(p: argparse.ArgumentParser, default: str = "json") -> None:
    p.add_argument(
        "--format",
        choices=("json", "csv", "text"),
        help="output format, used whatever the -o file is called; without it, the file's "
        f"name decides (.json, .csv or .txt), otherwise {default}",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write to this file instead of the screen ('-': the screen)",
    )
    p.set_defaults(default_format=default)


def report_format(args: argparse.Namespace) -> str:
    """--format when given (it wins over the file's name); otherwise the format the output
    file's name ends in (.json, .csv, .txt, in any case); otherwise the command's default."""
    if args.format is not None:
        return str(args.format)
    suffix = "" if args.output is None else args.output.suffix.lower()
    return FORMAT_OF_SUFFIX.get(suffix, str(args.default_format))


def write_caseload_report(
    summary: CaseloadSummary,
    fmt: str,
    instruments: Mapping[str, Instrument],
    title: str,
    output: Path | None,
    notes: Sequence[str] = (),
    left_out: LeftOut | None = None,
) -> None:
    from unstuck.analysis.report import write_report

    def write(out: IO[bytes]) -> None:
        write_report(summary, fmt, out, instruments, title=title, notes=notes, left_out=left_out)

    if output is None or str(output) == "-":
        sys.stdout.flush()
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        write_output(output, "--output", write)
