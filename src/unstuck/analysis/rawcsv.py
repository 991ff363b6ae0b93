"""Read a CSV file of measures into a frame, as fast as its contents allow.

Number columns (score, item answers, occasion) are parsed while reading when the whole file
allows it; otherwise the file is read again as text, so that `unstuck.analysis.csvinput` can
name every value that is wrong. Nothing is checked here beyond that.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl

from unstuck.analysis.columns import DUPLICATED, ITEM, column_name, unnamed, without_blanks
from unstuck.analysis.csvrows import Shape, file_shape, longer_reason, same_rows
from unstuck.errors import UnstuckError
from unstuck.plural import counted

CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
SNIFFED_BYTES = 1 << 16  # the first rows, looked at to choose how to read item answers
# Excel's separator hint, a first line such as `sep=;` (in quotes when a spreadsheet wrote it
# as a cell, then followed by the separators of the row's empty cells)
SEPARATOR_HINT = re.compile(
    rb'(?:\xef\xbb\xbf)?"?sep=([,;\t|])"?\1*[ \t]*(?:\r?\n|$)', re.IGNORECASE
)
ANY_HINT = re.compile(rb'(?:\xef\xbb\xbf)?"?sep=', re.IGNORECASE)
# A file with a header and no row under it is refused: an empty report would read as a clinic
# with no clients (or no endings, no therapists), where a wrong or cut file is more likely.
NO_ROWS = (
    "the file has a header but no rows under it: check that this is the file you meant (an "
    "export of an empty list, or of the wrong sheet, looks like this)"
)
PROBLEM_COLUMNS = {"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}


STANDARD_INPUT_NAME = "standard input"  # how messages and titles name it ('-', "<stdin>")


def source_name(source: str | Path | IO[bytes]) -> str:
    """How a message names what was read: the path, or "standard input" for the stream a
    command reads for '-' (Python names it "<stdin>")."""
    if isinstance(source, str | Path):
        return str(source)
    name = getattr(source, "name", "input")
    return STANDARD_INPUT_NAME if name in ("<stdin>", 0) else str(name)


def read_file(source: str | Path | IO[bytes]) -> pl.DataFrame:
    """Read a CSV file (a path or an open binary stream); `CsvUnreadable` when it cannot be.

    Files as spreadsheets write them are read too: old Mac line endings (CR only, Excel's
    "CSV (Macintosh)"), UTF-16 with its byte-order mark ("Unicode text"), and values
    separated by semicolons or tabs (where the comma is the decimal mark) when the header
    has no comma, or as a first line `sep=;` (Excel's separator hint, which Excel reads and
    hides: the header is row 1 there, and here too) says. Each of these is recognised from the
    first bytes, so a plain file costs nothing more.
    """
    name = source_name(source)
    try:
        readable = _readable(source)
        readable, separator = _spreadsheet_dialect(readable, name)  # read twice below if need be
        try:
            return read_raw(readable, separator)
        except pl.exceptions.ComputeError as exc:
            return _misshapen(name, readable, separator, exc)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        reason = "file not found" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise CsvUnreadable(name, reason or type(exc).__name__) from exc
    except pl.exceptions.NoDataError as exc:
        raise CsvUnreadable(name, "the file is empty") from exc
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError) as exc:
        if "utf-8" in str(exc).lower():
            raise CsvUnreadable(name, _not_utf8(readable)) from exc
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CsvUnreadable(name, f"not a readable CSV file ({first_line})") from exc
    except UnicodeDecodeError as exc:  # a UTF-16 byte-order mark on something else
        raise CsvUnreadable(name, f"not readable as UTF-16 text ({exc.reason})") from exc
    except OSError as exc:  # e.g. a device that cannot be read
        raise CsvUnreadable(name, f"cannot be read ({exc.strerror or exc})") from exc


def _readable(source: str | Path | IO[bytes]) -> str | Path | io.BytesIO:
    """A path to a regular file as it is (read, and read again, from the disk); anything
    else in memory: an open stream, or a path to a pipe or device (``<(command)``,
    ``/dev/stdin``, ``/dev/null``), which can be read only once and from the start."""
    if not isinstance(source, str | Path):
        return io.BytesIO(source.read())
    path = Path(source)
    if path.is_file() or not path.exists() or path.is_dir():  # the usual errors follow
        return source
    with open(path, "rb") as stream:
        return io.BytesIO(stream.read())


def _misshapen(
    name: str, source: str | Path | io.BytesIO, separator: str, exc: Exception
) -> pl.DataFrame:
    """A file polars refused: a row with more fields than the header is named (`RaggedRows`,
    holding the file read without the extra fields, for `--skip-invalid`), and so is the row
    where a quote mark breaks the file; any other failure is raised as it was."""
    if "utf-8" in str(exc).lower():
        raise exc
    shape = file_shape(source, separator)
    if shape.broken_quote:
        raise CsvUnreadable(name, shape.broken_quote) from exc
    if not (shape.longer or shape.spare):
        raise exc
    if len(shape.longer) == shape.records > 1:  # the header, not the rows, lacks a column
        first = shape.longer[0]
        raise CsvUnreadable(
            name,
            f"every row has more fields than the header (row {first.row} has {first.fields}, "
            f"the header {shape.width}): give every column a name in the header (row 1)",
        ) from exc
    if isinstance(source, io.BytesIO):
        source.seek(0)
    reason = _longer_rows(shape, separator)
    try:
        frame = read_raw(source, separator, ragged=True)  # fields past the header cut off
    except pl.exceptions.ComputeError:  # quote marks inside values polars cannot follow
        raise CsvUnreadable(name, reason) from exc
    aligned = same_rows(frame, shape)  # else which row of the frame is which is uncertain
    if aligned and not shape.longer:  # only empty fields past the header: nothing is lost
        return frame
    if not aligned:
        raise CsvUnreadable(name, reason) from exc
    rows = pl.DataFrame(
        [
            (r.row, "(whole row)", r.text, longer_reason(r.fields, shape.width, separator))
            for r in shape.longer
        ],
        schema=PROBLEM_COLUMNS,
        orient="row",
    )
    raise RaggedRows(name, reason, frame, rows) from exc


def _longer_rows(shape: Shape, separator: str) -> str:
    """The first row with more fields than the header, and how many more there are."""
    if not shape.longer:
        return "its rows cannot be told apart: check the quote marks in its values"
    first, more = shape.longer[0], len(shape.longer) - 1
    also = f" (and {counted(more, 'more row')} like it)" if more else ""
    return f"row {first.row} {longer_reason(first.fields, shape.width, separator)}{also}"


def _spreadsheet_dialect(
    source: str | Path | io.BytesIO, name: str
) -> tuple[str | Path | io.BytesIO, str]:
    """The file as comma- (or semicolon-, tab-) separated UTF-8 text with line feeds, without
    a separator hint, and its separator; the file is read into memory only when its bytes
    need changing."""
    head = _head(source)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark
        source = io.BytesIO(_all_bytes(source).decode("utf-16").encode("utf-8"))
        head = _head(source)
    if b"\r" in head and b"\n" not in head:  # old Mac line endings: CR only
        source = io.BytesIO(_all_bytes(source).replace(b"\r", b"\n"))
        head = _head(source)
    hint = SEPARATOR_HINT.match(head)
    if hint is not None:
        source = io.BytesIO(_all_bytes(source)[hint.end() :])
        head = _head(source)
    elif ANY_HINT.match(head):
        line = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        raise CsvUnreadable(
            name,
            f"the first line ({line!r}) is a separator hint for Excel that Unstuck cannot "
            "read: delete that line, so that the header (client_id, ...) is the first line",
        )
    header = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    try:  # polars would read a bad byte in a header as another column name, and ignore it
        header.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut at the end is forgiven only where the read cut it (a header longer
        # than SNIFFED_BYTES); at the end of a file, the byte is the file's own.
        if b"\n" in head or exc.end < len(header) or len(head) < SNIFFED_BYTES:
            raise pl.exceptions.ComputeError("invalid utf-8 in the header") from None
    if hint is not None:
        return source, hint.group(1).decode()
    separator = ","
    if b"," not in header:
        separator = next((s for s in (";", "\t") if s.encode() in header), ",")
    return source, separator


def _head(source: str | Path | io.BytesIO) -> bytes:
    if isinstance(source, io.BytesIO):
        return source.getvalue()[:SNIFFED_BYTES]
    with open(source, "rb") as stream:
        return stream.read(SNIFFED_BYTES)


def _all_bytes(source: str | Path | io.BytesIO) -> bytes:
    if isinstance(source, io.BytesIO):
        return source.getvalue()
    return Path(source).read_bytes()


def _not_utf8(source: str | Path | io.BytesIO) -> str:
    """Where the first byte that is not UTF-8 text is, as a person can find it."""
    data = _all_bytes(source)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return (
            f"line {line} holds a byte that is not UTF-8 text ({data[exc.start : exc.start + 1]!r}"
            "); save the file as CSV UTF-8"
        )
    return "not UTF-8 text; save the file as CSV UTF-8"


@dataclass(eq=False)
class CsvUnreadable(UnstuckError):
    """The file is missing, empty or not CSV at all (as opposed to holding bad values)."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(eq=False)
class RaggedRows(CsvUnreadable):
    """Rows with more fields than the header (a comma in a value without quote marks, most
    often): which column each value belongs to cannot be told, so those rows are refused.
    Reading a file of measures lists them with the other refused rows (`--skip-invalid`
    leaves them out); read on its own, the file is refused (``reason`` names the first)."""

    frame: pl.DataFrame  # the file read with the fields past the header cut off
    rows: pl.DataFrame  # row, column, value, reason (PROBLEM_COLUMNS), one per such row


@dataclass(eq=False)
class RepeatedColumn(UnstuckError):
    """The header names one column twice (perhaps in other capitals): which one holds the
    values cannot be told, so the file is refused rather than one of them ignored."""

    source: str
    name: str
    headers: tuple[str, ...]  # as written
    positions: tuple[int, ...]  # 1-based, as a spreadsheet counts columns

    def __str__(self) -> str:
        where = " and ".join(
            f"column {p} ({h!r})" for h, p in zip(self.headers, self.positions, strict=True)
        )
        return (
            f"{self.source}: the header names the column {self.name!r} more than once "
            f"({where}); keep one and rename or delete the other"
        )


@dataclass(eq=False)
class BadHeader(UnstuckError):
    """A column name holds a quote mark, a line break or another control character: the
    file's lines or quotes are broken there, so which values belong to which column cannot be
    trusted (a stray quote in the header makes the reader take every row after it as one
    quoted value, and none is read)."""

    source: str
    header: str
    position: int  # 1-based

    def __str__(self) -> str:
        return (
            f"{self.source}: column {self.position} of the header ({self.header!r}) holds a "
            "quote mark, a line break or another control character; check the file's quote marks"
        )


@dataclass(eq=False)
class UnnamedColumn(UnstuckError):
    """A column with no name in the header holds values: what they are cannot be told, and a
    column meant to be read (a safety answer, say) must not be passed over for want of a
    name. An empty one (what separators ending a spreadsheet's header make) is no column."""

    source: str
    position: int  # 1-based
    row: int  # the first row holding a value, and the value
    value: str
    rows: int  # how many rows hold one

    def __str__(self) -> str:
        more = f" (and {counted(self.rows - 1, 'more row')})" if self.rows > 1 else ""
        return (
            f"{self.source}: column {self.position} has no name in the header but holds "
            f"values, such as {self.value!r} in row {self.row}{more}: give it a name in the "
            "header (row 1), such as notes, or delete the column"
        )


def header_problem(source: str, frame: pl.DataFrame) -> UnstuckError | None:
    """Why the header cannot be read as it stands (a control character in a name, a name
    given twice, a column with no name that holds values), if it cannot."""
    headers = frame.columns
    for i, h in enumerate(headers):
        if CONTROL_CHARACTER.search(h) or '"' in h:
            return BadHeader(source, h, i + 1)
    return repeated_column(source, headers) or unnamed_column(source, frame)


def repeated_column(source: str, headers: list[str]) -> RepeatedColumn | None:
    """The first column the header names twice, if any (`column_name` decides sameness; polars
    reads an exact repeat as ``NAME_duplicated_N``). Columns with no name are not repeats of
    each other (`unnamed_column`)."""
    names = [column_name(DUPLICATED.sub("", h)) for h in headers]
    for name in dict.fromkeys(n for n in names if n):
        at = [i for i, n in enumerate(names) if n == name]
        if len(at) > 1:
            shown = tuple(DUPLICATED.sub("", headers[i]) for i in at)
            return RepeatedColumn(source, name, shown, tuple(i + 1 for i in at))
    return None


def unnamed_column(source: str, frame: pl.DataFrame) -> UnnamedColumn | None:
    """The first column with no name in the header that holds a value (not only spaces)."""
    for position, header in enumerate(frame.columns, start=1):
        if not unnamed(header):
            continue
        values = without_blanks(frame.get_column(header))
        if values.null_count() == values.len():
            continue
        held = values.is_not_null().arg_true()
        first = int(held[0])
        return UnnamedColumn(source, position, first + 2, str(values[first]), held.len())
    return None


def read_raw(
    source: str | Path | io.BytesIO, separator: str = ",", *, ragged: bool = False
) -> pl.DataFrame:
    """Read the file, parsing number columns while reading when the whole file allows it.

    Parsing while reading is much faster, but a single bad value makes it fail; then the
    file is read again as text so that `unstuck.analysis.csvinput` can name every bad value.
    Item answers are whole numbers in every instrument, so they are read as small integers
    (a quarter of the memory of floats) unless the first rows show other numbers, such as
    "2.0" from a program that writes whole numbers with a decimal point. With `ragged`,
    fields past the header's last column are cut off (`_misshapen` has named those rows).
    """
    head = _first_rows(source, separator)
    numbers: dict[str, type[pl.DataType]] = {}
    for column in head.columns:
        name = column_name(column)
        if name == "score":
            numbers[column] = pl.Float64
        elif ITEM.match(name):
            whole = head.get_column(column).drop_nulls().str.contains(r"^-?\d{1,4}$").all()
            numbers[column] = pl.Int16 if whole else pl.Float64
        elif name == "occasion":
            numbers[column] = pl.Int64
    if isinstance(source, io.BytesIO):
        source.seek(0)
    try:
        typed = pl.read_csv(
            source,
            infer_schema=False,
            schema_overrides=numbers,
            separator=separator,
            truncate_ragged_lines=ragged,
        )
        floats = [c for c, t in numbers.items() if t == pl.Float64]
        # "nan" and "inf" parse as numbers; read as text to report them as the person wrote them.
        if (
            not floats
            or not typed.select(
                pl.any_horizontal((~pl.col(c).is_finite()).any() for c in floats)
            ).item()
        ):
            return typed
    except pl.exceptions.ComputeError:
        pass
    if isinstance(source, io.BytesIO):
        source.seek(0)
    return pl.read_csv(
        source, infer_schema=False, separator=separator, truncate_ragged_lines=ragged
    )


def _first_rows(source: str | Path | io.BytesIO, separator: str) -> pl.DataFrame:
    """The header and the rows in the first `SNIFFED_BYTES` of the file, as text."""
    if isinstance(source, io.BytesIO):
        data = source.getvalue()[:SNIFFED_BYTES]
    else:
        with open(source, "rb") as stream:
            data = stream.read(SNIFFED_BYTES)
    if len(data) == SNIFFED_BYTES:
        data = data[: data.rfind(b"\n") + 1]  # whole lines only
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False, separator=separator)
    except pl.exceptions.PolarsError:  # e.g. a quoted value running past the cut
        if isinstance(source, io.BytesIO):
            source.seek(0)
        return pl.read_csv(source, n_rows=0, infer_schema=False, separator=separator)
