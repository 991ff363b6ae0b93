"""Mutated measure files for fuzzing `unstuck analyze`, and an independent judge of a run.

Shared by the property-based test (tests/analysis/test_fuzz_analyze.py, where hypothesis
draws the mutations) and benchmarks/fuzz_analyze.py (where a seeded `random.Random` does).

A mutation is a tuple ``(kind, a, b, c)`` of small integers that `apply` reduces modulo the
sizes it needs, so any tuple is valid and hypothesis can shrink it. Table mutations work on
the cells (deleting, repeating or blanking cells, rows and columns, odd values); byte
mutations then work on the written file (line endings, byte-order marks, encodings, stray
or NUL bytes, truncation, another separator).

The judge (`judge`) does not use Unstuck's reader: it counts the records and client ids
with Python's own csv module, and a run that exits 0 without listing what it left out must
report exactly those clients, having read exactly that many rows.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from unstuck.analysis.columns import column_name
from unstuck.analysis.rawcsv import read_file

Mutation = tuple[int, int, int, int]

BASES = (
    # totals, attendance, dates, markers, two instruments, an intake at occasion 0
    "client_id,occasion,date,instrument,score,attendance,markers\n"
    "SYN-001,0,2026-01-05,phq9,19,attended,0\n"
    "SYN-001,0,2026-01-05,gad7,14,attended,0\n"
    "SYN-001,1,2026-01-12,phq9,17,attended,1\n"
    "SYN-001,2,2026-01-19,phq9,,no_show,0\n"
    "SYN-001,3,2026-01-26,,,cancelled,0\n"
    "SYN-001,4,2026-02-02,phq9,12,late,0\n"
    "SYN-002,1,2026-01-06,phq9,8,attended,0\n"
    "SYN-002,2,2026-01-13,phq9,9,attended,2\n"
    "SYN-003,1,2026-01-07,gad7,16,attended,0\n"
    "SYN-003,2,2026-01-14,gad7,18,attended,0\n"
    "SYN-003,3,2026-01-21,gad7,20,attended,0\n",
    # item answers, dates only
    "client_id,date,instrument,item_1,item_2,item_3,item_4,item_5,item_6,item_7,item_8,item_9\n"
    "SYN-101,2026-02-02,phq9,2,2,3,1,2,2,1,1,0\n"
    "SYN-101,2026-02-09,phq9,1,2,2,1,2,1,1,1,1\n"
    "SYN-101,2026-02-16,phq9,1,1,2,1,1,1,1,0,0\n"
    "SYN-102,2026-02-03,gad7,3,3,2,2,1,1,2,,\n"
    "SYN-102,2026-02-10,gad7,2,2,2,1,1,1,1,,\n",
)

ODD_VALUES = (
    "",
    " ",
    "NaN",
    "inf",
    "-inf",
    "-1",
    "1e308",
    "1e-320",
    "9" * 5000,
    "-" + "9" * 40,
    "0x10",
    "\uff11\uff12",  # full-width digits
    "\u0663",  # an Arabic-Indic digit
    "\x00",
    "SYN-\x00",
    "\u00e9",
    '"',
    '"a,b"',
    "3.5",
    "-0",
    "null",
    "N/A",
    "\t5",
    " 5 ",
    "2026-02-30",
    "9999-99-99",
    "phq9",
    "PHQ9",
    "attended",
    "no-show",
    "\u202e",
    "a\rb",
    "a\nb",
    "\ufeff",
    "score",
    "client_id",
)

TABLE_KINDS = (
    "blank cell",
    "odd cell",
    "delete cell",
    "repeat cell",
    "delete row",
    "repeat row",
    "swap rows",
    "delete column",
    "repeat column",
    "recase header",
    "odd header",
)
BYTE_KINDS = (
    "CRLF",
    "CR only",
    "byte-order mark",
    "UTF-16",
    "Latin-1",
    "stray byte",
    "NUL byte",
    "truncate",
    "semicolons",
    "blank lines",
    "no final newline",
    "line of spaces",
)
KINDS = TABLE_KINDS + BYTE_KINDS


def apply(base: int, mutations: Sequence[Mutation]) -> bytes:
    """The base file with the mutations applied in order: table ones to the cells, then
    byte ones to the written file (each mutation's kind decides which)."""
    table = list(csv.reader(io.StringIO(BASES[base % len(BASES)], newline="")))
    byte_mutations = []
    for mutation in mutations:
        kind = KINDS[mutation[0] % len(KINDS)]
        if kind in TABLE_KINDS:
            table = _mutate_table(table, kind, *mutation[1:])
        else:
            byte_mutations.append((kind, *mutation[1:]))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(table)
    text = out.getvalue()
    data = text.encode("utf-8")
    for kind, a, b, _ in byte_mutations:
        data = _mutate_bytes(data, kind, a, b)
    return data


def _mutate_table(table: list[list[str]], kind: str, a: int, b: int, c: int) -> list[list[str]]:
    rows = [list(r) for r in table]
    if not rows:
        return rows
    body = len(rows) - 1
    r = 1 + a % body if body else 0  # a data row (the header when there is none)
    width = max(len(row) for row in rows) or 1
    col = b % width
    odd = ODD_VALUES[c % len(ODD_VALUES)]
    if kind in ("blank cell", "odd cell", "delete cell", "repeat cell") and col < len(rows[r]):
        if kind == "blank cell":
            rows[r][col] = ""
        elif kind == "odd cell":
            rows[r][col] = odd
        elif kind == "delete cell":
            del rows[r][col]
        else:
            rows[r].insert(col, rows[r][col])
    elif kind == "delete row" and body:
        del rows[r]
    elif kind == "repeat row":
        rows.insert(r, list(rows[r]))
    elif kind == "swap rows" and body:
        s = 1 + c % body
        rows[r], rows[s] = rows[s], rows[r]
    elif kind == "delete column":
        rows = [row[:col] + row[col + 1 :] for row in rows]
    elif kind == "repeat column":
        rows = [row[: col + 1] + row[col:] for row in rows]
    elif kind == "recase header" and col < len(rows[0]):
        rows[0][col] = rows[0][col].upper() if c % 2 else f" {rows[0][col].title()} "
    elif kind == "odd header" and col < len(rows[0]):
        rows[0][col] = odd
    return rows


def _mutate_bytes(data: bytes, kind: str, a: int, b: int) -> bytes:
    at = a % (len(data) + 1)
    if kind == "CRLF":
        return data.replace(b"\n", b"\r\n")
    if kind == "CR only":
        return data.replace(b"\n", b"\r")
    if kind == "byte-order mark":
        return b"\xef\xbb\xbf" + data
    if kind == "UTF-16":
        return data.decode("utf-8", "replace").encode("utf-16")
    if kind == "Latin-1":
        return data.decode("utf-8", "replace").encode("latin-1", "replace") + b"\xe9"
    if kind == "stray byte":
        return data[:at] + bytes([b % 256]) + data[at:]
    if kind == "NUL byte":
        return data[:at] + b"\x00" + data[at:]
    if kind == "truncate":
        return data[:at]
    if kind == "semicolons":
        return data.replace(b",", b";")
    if kind == "blank lines":
        return data[:at] + b"\n\n" + data[at:]
    if kind == "line of spaces":  # a blank-looking line is no row either
        end = data.find(b"\n", at)
        return data + b" \t \n" if end < 0 else data[: end + 1] + b" \t \n" + data[end + 1 :]
    return data.rstrip(b"\n")  # no final newline


# -- the judge ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    kind: str  # "accepted", "refused", "dropped rows" or "traceback"
    detail: str


@dataclass(frozen=True)
class Expected:
    records: int
    sessions: dict[str, int]  # client id: how many sessions (distinct occasions or dates)


def expected(data: bytes) -> Expected | None:
    """The data records and each client's sessions, by Python's csv module; None when the
    file is not text Unstuck promises to read (it must then be refused)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff")
    header_line = text.replace("\r", "\n").lstrip("\n").split("\n", 1)[0]
    separator = ","
    if "," not in header_line:
        separator = next((s for s in (";", "\t") if s in header_line), ",")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    while records and not records[0]:  # blank lines before the header
        records.pop(0)
    if not records:
        return Expected(0, {})
    names = [column_name(h) for h in records[0]]
    rows = [r for r in records[1:] if any(cell.strip(" \t") for cell in r)]  # blank: no row
    sessions: dict[str, set[str]] = {}
    key = next((names.index(k) for k in ("occasion", "date") if k in names), None)
    if "client_id" in names and key is not None:
        at = names.index("client_id")
        for r in rows:
            if at < len(r) and key < len(r):
                sessions.setdefault(r[at].strip(), set()).add(_session(r[key]))
    return Expected(len(rows), {c: len(s) for c, s in sessions.items()})


def _session(value: str) -> str:
    """A session number or date as Unstuck reads it ("2.0" and " 2" are session 2)."""
    try:
        return str(int(float(value)))
    except (ValueError, OverflowError):
        return value.strip()


def judge(data: bytes, folder: Path, *, skip_invalid: bool = False) -> Outcome:
    """Run `unstuck analyze` in process on the file and say what happened."""
    from unstuck.cli import main

    path = folder / "fuzz.csv"
    path.write_bytes(data)
    argv = ["analyze", str(path), "--format", "json"] + (["--skip-invalid"] if skip_invalid else [])
    written = io.BytesIO()  # the report is written to sys.stdout.buffer
    out, err = io.TextIOWrapper(written, encoding="utf-8"), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
            out.flush()
    except BaseException:  # anything escaping main is a traceback for the person
        return Outcome("traceback", traceback.format_exc(limit=-3))
    report = written.getvalue().decode("utf-8")
    message = err.getvalue()
    if code not in (0, 2) or "Traceback" in message:
        return Outcome("traceback", f"exit {code}: {message[-2000:]}")
    if code == 2:
        if not message.startswith("unstuck: ") or report:
            return Outcome("traceback", f"unclear refusal: {message[:300]!r}")
        return Outcome("refused", message.splitlines()[0][:200])
    truth = expected(data)
    if truth is None:
        return Outcome("dropped rows", "undecodable file accepted")
    if "left out" in message:  # --skip-invalid said what it left out
        return Outcome("accepted", "with rows left out and listed")
    read = read_file(path).height - _blank_rows(path)
    clients = json.loads(report or "[]")
    if skip_invalid:  # an object: the clients beside what was left out
        clients = clients["clients"]
    reported = {c["client_id"]: sum(c["attendance"].values()) for c in clients}
    if read != truth.records or reported != truth.sessions:
        return Outcome(
            "dropped rows",
            f"{truth.records} records, sessions {truth.sessions}; read {read}, "
            f"reported sessions {reported}",
        )
    return Outcome("accepted", f"{truth.records} rows, {len(truth.sessions)} clients")


def _blank_rows(path: Path) -> int:
    """Rows of the file that are blank lines (or only separators, spaces and tabs): not
    records."""
    import polars as pl

    raw = read_file(path)
    if not raw.width:
        return 0
    cell = pl.all().cast(pl.String).str.strip_chars(" \t")
    return int(raw.select(pl.all_horizontal(cell.is_null() | (cell == "")).sum()).item())
