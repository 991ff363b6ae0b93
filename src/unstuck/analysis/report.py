"""Render a caseload summary as JSON, CSV or a readable text report.

JSON and CSV are built column-wise by polars (no Python loop over clients) and written
straight to the output stream. Every format lists the clients in the same order, the order
of attention (`in_order_of_attention`): a client with a safety answer to check comes first,
in a 500-row CSV opened in a spreadsheet as in the text. With ``--skip-invalid`` every
format also records the rows left out (`unstuck.analysis.leftout`).
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Mapping, Sequence
from typing import IO

import polars as pl

from unstuck.analysis.leftout import LeftOut, csv_rows, json_head, left_out_text
from unstuck.analysis.spreadsheet import safe_text_columns
from unstuck.measures.model import Instrument
from unstuck.progress.batch import MEASURE_KEYS, CaseloadSummary
from unstuck.progress.signals import STATUS_RANK
from unstuck.progress.summary import ATTENDANCE_KINDS
from unstuck.progress.wording import FLAG_NAMES, NO_COURSE
from unstuck.synth import SYNTHETIC_PREFIX

FORMATS = ("json", "csv", "text")


def write_report(
    summary: CaseloadSummary,
    fmt: str,
    out: IO[bytes],
    instruments: Mapping[str, Instrument],
    *,
    title: str = "",
    notes: Sequence[str] = (),
    left_out: LeftOut | None = None,
) -> None:
    """Write the report as UTF-8 to a binary stream (a file, or standard output's buffer).

    JSON and CSV go from polars straight to the stream: a report of 100,000 clients is
    about 100 MB, and passing it through one Python string would copy it several times.

    `notes` are about the file (such as its columns not read); `left_out` is what
    ``--skip-invalid`` left out, None without it. The text always shows the notes; JSON and
    CSV carry them, and the rows left out, only when `left_out` is given, so that without
    ``--skip-invalid`` their shape is the one other tools already read.
    """
    if fmt == "json":
        if left_out is None:
            write_json(summary, out)
        else:
            out.write(json_head(left_out, notes))
            write_json(summary, out)
            out.write(b"}\n")
    elif fmt == "csv":
        write_csv(summary, out, left_out=left_out, notes=notes)
    elif fmt == "text":
        text = render_text(summary, instruments, title=title, notes=notes, left_out=left_out)
        out.write(text.encode("utf-8"))
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
    """A JSON list with one object per client, one client per line (for easy diffing).

    Each line is put together from its parts as text: short text is quoted (and escaped
    where it holds a character JSON must escape), numbers and booleans are written as they
    are. Polars' streaming engine builds and writes the lines batch by batch, so the lines
    of a ~100 MB report (100,000 clients) are never all held in memory at once.
    """
    clients = in_order_of_attention(summary.clients)
    if clients.height == 0:
        out.write(b"[]\n")
        return
    # Batches of a few thousand lines (about 10 MB) keep the memory the lines pass through
    # small and reused; polars' default batches are several times larger here. Each line is
    # finished JSON: written as it is, never quoted.
    with pl.Config(streaming_chunk_size=LINES_PER_BATCH):
        _lines(clients, _measures_json(summary.measures)).sink_csv(
            out, include_header=False, quote_style="never", engine="streaming"
        )


LINES_PER_BATCH = 10_000


def _lines(clients: pl.DataFrame, by_client: pl.DataFrame) -> pl.LazyFrame:
    """Each client's line of the JSON report (one column of text). The list's brackets go
    on the first and last lines; a comma ends every other line."""
    counts = pl.col("attendance").struct
    attendance = pl.concat_str(
        *(
            piece
            for i, k in enumerate(ATTENDANCE_KINDS)
            for piece in (pl.lit(("," if i else "") + f'"{k}":'), counts.field(k))
        )
    )
    row = pl.col("_row")
    return (
        clients.with_row_index("_row")
        .lazy()
        .join(by_client.lazy(), on="_c", how="left", maintain_order="left")
        .select(
            pl.concat_str(
                pl.when(row == 0).then(pl.lit("[")).otherwise(pl.lit("")),
                pl.lit('{"client_id":'),
                _json_value(clients, "client_id"),
                pl.lit(',"status":"'),
                pl.col("status"),
                pl.lit('","flags":'),
                _json_value(clients, "flags"),
                pl.lit(',"explanations":'),
                _json_value(clients, "explanations"),
                pl.lit(',"measures":'),
                pl.col("measures").fill_null("{}"),
                pl.lit(',"attendance":{'),
                attendance,
                pl.lit("}}"),
                pl.when(row == clients.height - 1).then(pl.lit("]")).otherwise(pl.lit(",")),
            )
        )
    )


def _measures_json(measures: pl.DataFrame) -> pl.DataFrame:
    """Each client's measures as one JSON object (``_c``, ``measures``), e.g.
    ``{"phq9":{"first":12.0,...}}``, built from text pieces.

    Most fields hold a few possible values (labels, true/false/null): each run of such
    fields is written once per combination and looked up, so that only numbers are
    written row by row.
    """
    parts: list[pl.Expr] = [_json_value(measures, "instrument"), pl.lit(":{")]
    run: dict[str, list[object]] = {}  # few-valued fields not yet written, with their values
    combinations = 1

    def write_run() -> None:
        nonlocal combinations
        if run:
            parts.append(_json_fields(measures, run, first=next(iter(run)) == MEASURE_KEYS[0]))
        run.clear()
        combinations = 1

    for key in MEASURE_KEYS:
        values = _few_values(measures, key)
        if values is not None:
            if combinations * (len(values) + 1) > _TABLE:
                write_run()
            run[key] = values
            combinations *= len(values) + 1  # and null
            continue
        write_run()
        comma = "," if key != MEASURE_KEYS[0] else ""
        parts += [pl.lit(f'{comma}"{key}":'), _json_value(measures, key)]
    write_run()
    measure = pl.concat_str(*parts, pl.lit("}"))
    c = pl.col("_c")
    if measures.select((c.diff() != 0).all()).item():  # one measure per client
        return measures.select(c, measures=pl.concat_str(pl.lit("{"), measure, pl.lit("}")))
    return (
        measures.select(c.set_sorted(), measure.alias("measure"))
        .group_by("_c", maintain_order=True)
        .agg("measure")
        .select(
            "_c",
            measures=pl.concat_str(pl.lit("{"), pl.col("measure").list.join(","), pl.lit("}")),
        )
    )


_FEW = 64  # at most this many values (null included) make a field few-valued
_TABLE = 4096  # the most combinations one lookup table holds


def _few_values(frame: pl.DataFrame, key: str) -> list[object] | None:
    """The values (null aside) a few-valued field takes: true and false, or a few labels;
    None for other fields."""
    dtype = frame.schema[key]
    if dtype == pl.Boolean:
        return [False, True]
    if dtype == pl.String:
        names: list[object] = sorted(frame.get_column(key).drop_nulls().unique().to_list())
        return names if len(names) < _FEW else None
    return None


def _json_fields(frame: pl.DataFrame, fields: dict[str, list[object]], *, first: bool) -> pl.Expr:
    """``"key":value`` for each of `fields` (comma-separated, and after a comma unless
    `first`), looked up by the combination of values: each column's values (as listed in
    `fields`) get small codes, and the codes together pick the text from a table of every
    possible combination."""
    code: pl.Expr = pl.lit(0, pl.Int64)
    for key, values in fields.items():
        column = frame.get_column(key)
        if column.dtype == pl.Boolean:
            index = column.cast(pl.Int64)
        else:
            labels = [str(v) for v in values]
            index = column.cast(pl.Enum(labels)).to_physical().cast(pl.Int64)
        code = code * (len(values) + 1) + pl.lit(index.fill_null(len(values)))
    texts = [
        ",".join(f'"{k}":{_json_text(v)}' for k, v in zip(fields, chosen, strict=True))
        for chosen in itertools.product(*([*values, None] for values in fields.values()))
    ]
    table = pl.Series(texts if first else ["," + t for t in texts], dtype=pl.String)
    return pl.lit(table).gather(code)


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_csv(
    summary: CaseloadSummary,
    out: IO[bytes],
    *,
    left_out: LeftOut | None = None,
    notes: Sequence[str] = (),
) -> None:
    """One row per client and instrument (clients without scores get one row of their own),
    in the order of attention; no text cell can run as a spreadsheet formula
    (`unstuck.analysis.spreadsheet`). With `left_out`, rows about the file come first
    (`unstuck.analysis.leftout.csv_rows`).

    ``explanation`` is the row's measure's sentence; ``client_explanations``, on each of the
    client's rows, holds the client's other sentences in the JSON's order: the safety
    sentence and every other flag's or note's, and a safety item left unanswered. Together
    they are the JSON's ``explanations``."""
    measures = summary.measures.select(
        "_c", "instrument", *MEASURE_KEYS, pl.col("sentence").alias("explanation")
    )
    clients = in_order_of_attention(summary.clients).select(
        "_c", "client_id", "status", pl.col("flags").list.join(";").alias("flags")
    )
    table = clients.join(measures, on="_c", how="left", maintain_order="left")
    sentences = _client_sentences(summary)
    table = table.join(sentences, on="_c", how="left", maintain_order="left").drop("_c")
    if left_out is not None:
        table = pl.concat([csv_rows(left_out, notes, table.schema), table])
    safe_text_columns(table).write_csv(out)


def _client_sentences(summary: CaseloadSummary) -> pl.DataFrame:
    """Per client code ``_c``, the client's explanations that are not a measure's sentence,
    in order, joined by spaces (each is a whole sentence) as ``client_explanations``."""
    sentences = (
        summary.clients.select("_c", text="explanations")
        .explode("text")
        .filter(pl.col("text").is_not_null())
    )
    own = summary.measures.select("_c", text="sentence").filter(pl.col("text").is_not_null())
    return (
        sentences.join(own, on=["_c", "text"], how="anti", maintain_order="left")
        .group_by("_c", maintain_order=True)
        .agg(client_explanations=pl.col("text").str.join(" "))
    )


def render_text(
    summary: CaseloadSummary,
    instruments: Mapping[str, Instrument],
    *,
    title: str = "",
    notes: Sequence[str] = (),
    left_out: LeftOut | None = None,
) -> str:
    """A report a clinician can read: an overview first, then each client in turn."""
    clients = summary.clients
    measures = summary.measures
    lines: list[str] = []
    if title:
        lines += [title, "=" * len(title), ""]
    if left_out is not None and left_out.rows:  # a left-out safety answer first of all
        lines += [*left_out_text(left_out), ""]
    if notes:  # about the file, such as its columns not read
        lines += [*notes, ""]
    ids = clients.get_column("client_id")
    if ids.len() and ids.str.starts_with(SYNTHETIC_PREFIX).all():
        lines += ["SYNTHETIC DATA: every client below is made up (ids start with SYN-).", ""]
    statuses = clients.group_by("status").len().sort("status")
    gone = 0 if left_out is None else left_out.clients.count
    lines.append(
        f"Clients: {clients.height} in this report, and {gone} left out entirely (named above)"
        if gone
        else f"Clients: {clients.height}"
    )
    for status, count in statuses.iter_rows():
        lines.append(f"  {status.replace('_', ' ')}: {count}")
    # Every client with the flag, also one whose only safety answer has no score beside it
    # (a refused row's, kept for the flag): such a client has no row in `measures`.
    safety = clients.select(pl.col("flags").list.contains("safety").sum()).item()
    if safety:
        lines.append(f"  with a safety answer to check: {safety}")
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
            plural = "" if row["clients"] == 1 else "s"
            part = (
                f"  {name}: {row['clients']} client{plural} with 2+ scores; "
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
    if summary.models or summary.without_course:
        lines.append("Expected course in use (for 'not on track'):")
        lines.extend(f"  {m.describe(instruments[i].name)}" for i, m in summary.models.items())
        lines.extend(f"  {NO_COURSE.format(instruments[i].name)}" for i in summary.without_course)
        lines.append("")
    ordered = in_order_of_attention(clients)
    for client_id, status, flags, explanations in ordered.select(
        "client_id", "status", "flags", "explanations"
    ).iter_rows():
        shown = f"  flags: {'; '.join(FLAG_NAMES.get(f, f) for f in flags)}" if flags else ""
        lines.append(f"{client_id}  [{status.replace('_', ' ')}]{shown}")
        lines.extend(f"  - {sentence}" for sentence in explanations)
        lines.append("")
    return "\n".join(lines)


def in_order_of_attention(clients: pl.DataFrame) -> pl.DataFrame:
    """The clients in the order every format lists them: a safety answer to check first,
    then off track, at risk, on track and not enough data (`STATUS_RANK`), and by client id
    within each."""
    return clients.sort(
        ~pl.col("flags").list.contains("safety"),
        pl.col("status").replace_strict(STATUS_RANK, return_dtype=pl.Int8),
        "client_id",
    )


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0"


# Characters a JSON string cannot hold as they are.
_ESCAPED = ['"', "\\", *(chr(i) for i in range(32))]


def _json_value(frame: pl.DataFrame, column: str) -> pl.Expr:
    """A column's values as JSON text; a missing value is ``null``.

    Short text (ids, names, labels) is quoted as it is when no value holds a character
    that JSON escapes, which is the common case and faster; otherwise, and for lists of
    text, polars encodes it. Numbers and booleans are written as they are.
    """
    dtype = frame.schema[column]
    col = pl.col(column)
    if dtype == pl.String and not frame.select(col.str.contains_any(_ESCAPED).any()).item():
        return pl.concat_str(pl.lit('"'), col, pl.lit('"')).fill_null("null")
    if dtype == pl.String or isinstance(dtype, pl.List):
        # {"v":...} less its first five characters and its last; slicing shares the text
        # where stripping a prefix would copy it.
        return pl.struct(col.alias("v")).struct.json_encode().str.slice(5).str.head(-1)
    return col.cast(pl.String).fill_null("null")
