"""What the web app needs of a caseload file beyond what `unstuck analyze` checks.

`unstuck import` reads a file with analyze's reader (`unstuck.analysis.read_observations`),
so every rule of the format is checked once, there, with its messages. The web app keeps
more than analyze reads, and refuses, in the same words (row, column, value and reason),
what it cannot keep:

- **Item answers.** The web app stores a questionnaire item by item
  (`MeasureResponse.answers`) and scores it from them. A row given as a total only cannot be
  kept safely: correcting its session on the client page re-scores the answers, so a total
  with no answers would be removed by a correction of the date; the charts, letters and the
  client's own scores read the stored total, but the history of a correction keeps answers
  only. Such rows are refused (analyze still reads totals). So are rows of a score-only
  instrument, and rows that give only the safety item beside a total.
- **Dates.** Every session in the web app has its date, on or before today.
- **Markers.** The web app records which signs of pulling back were noticed (the session
  form's checklist), not how many: a count above 0 cannot be stored.
- **Client codes.** The rules of the web's client form: no control character, at most 40
  characters (`validation.field_problem`), not a person's name (`forms.LOOKS_LIKE_A_NAME`),
  and no two codes that differ only in capital letters (`services.create_client`).

Nothing here touches the database; the codes already in the clinic are checked by the
import itself (`imports`), inside its transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from unstuck.analysis.columns import ITEM
from unstuck.analysis.rowscores import own_item_columns
from unstuck.errors import InvalidRows, Problem, UnstuckError
from unstuck.measures import InstrumentSet
from unstuck.progress.wording import number
from unstuck.web.records.forms import LOOKS_LIKE_A_NAME
from unstuck.web.records.models import Client
from unstuck.web.validation import field_problem

MAX_LISTED = 50  # as analyze lists them

NO_DATES = (
    "{source}: no row has a date: the web app keeps the date of every session, so give a "
    "'date' column (YYYY-MM-DD) for every row (unstuck analyze reads the file without one)"
)
NO_DATE = "date is empty: the web app keeps the date of every session (YYYY-MM-DD)"
FUTURE = "is after today ({today}): the web app keeps sessions that have taken place"
TOTAL_ONLY = (
    "{name} is given as a total only: the web app keeps each questionnaire's item answers "
    "({first} to {last}), so that a correction, a chart or a letter never loses or makes up "
    "a score; give the answers in the item columns (unstuck analyze still reads totals)"
)
SAFETY_ITEMS_ONLY = (
    "{name} is given as a total with only its safety item: the web app keeps every item "
    "answer ({first} to {last}) and scores the questionnaire from them; give all {k} answers "
    "(unstuck analyze still reads totals)"
)
SCORE_ONLY = (
    "{name} is recorded by its total only (it has no items): the web app keeps questionnaires "
    "item by item and cannot store it; leave its rows out (unstuck analyze still reads them)"
)
MARKERS = (
    "the web app records which signs of pulling back were noticed (the session form's "
    "checklist), not how many, so a count cannot be imported: leave it empty or 0"
)
CODE_REFUSED = "the web app refuses this client code: {problem}"
NAME_AS_CODE = (
    "looks like a name: a client code is shown on every page and in exports, so use a "
    "pseudonymous code such as C-042"
)
CAPITALS_ONLY = (
    "differs from client {other!r} (row {row}) only in capital letters: the web app keeps "
    "such codes apart, as too easily mixed up; make them one code or two different ones"
)


def check_for_the_web(
    frame: pl.DataFrame, instruments: InstrumentSet, *, source: str, today: dt.date
) -> list[Problem]:
    """Every problem of `frame` (analyze's checked observations with their item columns,
    `read_observations(..., answers=True)`) that the web app cannot store, in row order.

    Raises `UnstuckError` (one line) when no row has a date at all.
    """
    if frame.get_column("date").null_count() == frame.height:
        raise UnstuckError(NO_DATES.format(source=source))
    problems: list[pl.DataFrame] = []

    def flag(mask: pl.Expr, column: str, value: pl.Expr, reason: str) -> None:
        found = frame.filter(mask)
        if found.height:
            problems.append(
                found.select(
                    "row",
                    pl.lit(column).alias("column"),
                    value.cast(pl.String).alias("value"),
                    pl.lit(reason).alias("reason"),
                )
            )

    flag(pl.col("date").is_null(), "date", pl.lit(None, pl.String), NO_DATE)
    flag(
        pl.col("date") > today,
        "date",
        pl.col("date"),
        FUTURE.format(today=today.isoformat()),
    )
    flag(pl.col("markers") > 0, "markers", pl.col("markers"), MARKERS)
    items = [c for c in frame.columns if ITEM.match(c)]
    shown_total = pl.col("total").map_elements(number, return_dtype=pl.String)
    for instrument_id in frame.get_column("instrument").unique().drop_nulls().to_list():
        instrument = instruments[instrument_id]
        k = len(instrument.items)
        given = (pl.col("instrument") == instrument_id) & pl.col("total").is_not_null()
        words = {"name": instrument.name, "first": "item_1", "last": f"item_{k}", "k": k}
        if not k:
            flag(given, "score", shown_total, SCORE_ONLY.format(**words))
            continue
        own = own_item_columns(instrument, items)
        if len(own) < k:  # the file has some of its item columns only: the safety items
            answered = (
                pl.any_horizontal(pl.col(c).is_not_null() for c in own) if own else pl.lit(False)
            )
            flag(given & answered, "score", shown_total, SAFETY_ITEMS_ONLY.format(**words))
            flag(given & ~answered, "score", shown_total, TOTAL_ONLY.format(**words))
            continue
        blank = pl.all_horizontal(pl.col(c).is_null() for c in own)
        flag(given & blank, "score", shown_total, TOTAL_ONLY.format(**words))
    problems.extend(_code_problems(frame))
    if not problems:
        return []
    found = pl.concat(problems).sort(["row", "column"], maintain_order=True)
    return [Problem(**r) for r in found.iter_rows(named=True)]


def _code_problems(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """The client codes the web's client form would refuse, each at its client's first row."""
    firsts = frame.group_by("client_id").agg(pl.col("row").min()).sort("row")
    rows: list[tuple[int, str, str, str]] = []
    seen: dict[str, tuple[str, int]] = {}  # casefolded code -> the first code and its row
    for code, row in firsts.iter_rows():
        problem = field_problem(Client, "code", code)
        if problem:
            rows.append((row, "client_id", code, CODE_REFUSED.format(problem=problem)))
        elif LOOKS_LIKE_A_NAME.fullmatch(code.strip()):
            rows.append((row, "client_id", code, NAME_AS_CODE))
        other = seen.setdefault(code.casefold(), (code, row))
        if other[0] != code:
            rows.append(
                (row, "client_id", code, CAPITALS_ONLY.format(other=other[0], row=other[1]))
            )
    if not rows:
        return []
    return [pl.DataFrame(rows, schema=["row", "column", "value", "reason"], orient="row")]


def refused(source: str, problems: Sequence[Problem]) -> InvalidRows:
    """The problems as analyze refuses a file: the first ones listed, with the counts."""
    ordered = sorted(problems, key=lambda p: (p.row, p.column))
    rows = len({p.row for p in ordered})
    return InvalidRows(source, tuple(ordered[:MAX_LISTED]), len(ordered), rows)
