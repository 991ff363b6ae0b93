"""Column names as people write them, and the names the checks know them by.

A header is read without spaces around it, in lower case, and with spaces, hyphens, dashes
and underscores inside it made one underscore: ``Client ID``, ``client-id`` and
``CLIENT_ID`` are all ``client_id``. A few other spellings that clinic exports use are read as
the column they stand for (`SPELLINGS`), and item answers may be headed ``item 1``,
``Item_1``, ``item1``, ``ITEM-1``, ``Q1`` or ``q_1`` (all ``item_1``). A column that is none of
the columns Unstuck reads is not dropped in silence: `ignored_columns` names it, so that the
command can say so.

A column not read whose header looks like an item answer's (`looks_like_an_item`: "item",
"question" or "Q" as a word before a number, as in ``PHQ-9 item 9``, ``phq9_q9``,
``PHQ9 Q9 (self-harm)`` or ``Risk (PHQ-9 item 9)``, or an instrument's name and a number, as
in ``PHQ9_9`` or ``GAD-7 3``) refuses the file when it holds a value
(`check_unread_items`, `UnreadItemColumns`): the answers there, a safety answer above all,
would otherwise be lost while the report said the item had no answer. Such a column is not
read as the item it seems to name, because that would be a guess: an export may number items
from 0, ``PHQ9_9`` may be a total at session 9 of a wide table, a free-text header may name
two numbers, and a file may hold both ``PHQ9_3`` and ``GAD7_3``, which would have to be
merged by each row's instrument. A wrong guess would put an answer on another item, or a
risk answer where it is not, in silence; a refusal costs one rename and lets the person who
knows the export say what the column is. An empty such column holds no answer to lose and is
only named, like any other column not read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from unstuck.errors import UnstuckError
from unstuck.measures.loader import SEPARATORS, spelling  # spaces, hyphens, dashes, minus

ITEM = re.compile(r"item_(\d+)$")  # an item answer column, once named by `column_name`
ITEM_SPELLING = re.compile(r"(?:item|q)_?0*(\d+)")  # item 1, item1, q1, q_1, item_01
DUPLICATED = re.compile(r"_duplicated_\d+$")  # how polars renames a repeated header
# In a header made lower case with each run of other characters an underscore: "item",
# "question" or "q" as the start of a word, before a number (item 9, phq9_q9, Q9 (risk)),
# which a name such as "PHQ9 severity" (its q inside a word) is not.
ITEM_WORD = re.compile(r"(?<![a-z])(?:item|question|q)_?0*(\d+)(?!\d)")
NOT_A_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]+")

# Other names for a column, once spaces and dashes are underscores (as `column_name` makes
# them); each is the only thing it can mean in a table of measures.
SPELLINGS = {
    "clientid": "client_id",
    "session": "occasion",
    "session_number": "occasion",
    "session_no": "occasion",
    "session_date": "date",
    "total": "score",
    "total_score": "score",
}
# The columns of a table of measures that the checks read, besides item_1 .. item_k.
READ = ("client_id", "occasion", "date", "instrument", "score", "attendance", "markers")


def as_written(header: str) -> str:
    """A header as the person wrote it: without the spaces around it or a byte-order mark."""
    return header.strip().lstrip("\ufeff").strip()


def column_name(header: str) -> str:
    """A header as the checks know it (see the module's docstring)."""
    name = as_written(header).lower()
    name = SEPARATORS.sub("_", name).strip("_")
    item = ITEM_SPELLING.fullmatch(name)
    if item:
        return f"item_{item.group(1)}"
    return SPELLINGS.get(name, name)


def unnamed(header: str) -> bool:
    """Whether a header is empty (polars names the second and later ``_duplicated_N``)."""
    return not column_name(DUPLICATED.sub("", header))


def frame_names(headers: Sequence[str]) -> dict[str, str]:
    """Each header's name in the frame the checks work on: its `column_name` for a column
    they read, ``_ignored_<position>`` for any other, so that no column of the file (such as
    one headed ``row``) can take the name of one the checks add."""
    names = {}
    for position, header in enumerate(headers, start=1):
        name = column_name(header)
        names[header] = name if _is_read(name) else f"_ignored_{position}"
    return names


def _is_read(name: str) -> bool:
    """Whether the checks read the column of this `column_name`."""
    return name in READ or ITEM.match(name) is not None


def headers_as_written(headers: Sequence[str]) -> dict[str, str]:
    """The header as written, by the name the checks know it by, for the columns whose name
    was more than trimmed and put in lower case (``Q9`` for ``item_9``): a problem is then
    reported under the name the person sees in the file."""
    shown = {}
    for header, name in frame_names(headers).items():
        plain = as_written(header)
        if name != plain.lower():
            shown[name] = plain
    return shown


def ignored_columns(frame: pl.DataFrame) -> tuple[str, ...]:
    """The columns (as written) of a table of measures that are not read, in file order. A
    column with no name is not one: when it holds values the file is refused before this
    (`rawcsv.unnamed_column`), and an empty one is what separators ending a spreadsheet's
    header make."""
    return tuple(as_written(header) for header in _unread(frame.columns))


def _unread(headers: Sequence[str]) -> list[str]:
    """The headers (as polars names the columns) of the named columns the checks do not read."""
    return [
        h for h in headers if (name := column_name(DUPLICATED.sub("", h))) and not _is_read(name)
    ]


def ignored_notice(ignored: Sequence[str]) -> str | None:
    """The sentence that names the columns not read, or None when every column was read."""
    if not ignored:
        return None
    columns = "columns" if len(ignored) > 1 else "column"
    return f"Ignored {columns} not used by Unstuck: {', '.join(ignored)}"


def looks_like_an_item(header: str, instruments: Iterable[str]) -> int | None:
    """The item number a header not read seems to name (see the module's docstring), or
    None. `instruments` are the ids and names of the instruments known (``phq9``,
    ``PHQ-9``)."""
    name = NOT_A_LETTER_OR_DIGIT.sub("_", as_written(header).lower())
    found = ITEM_WORD.search(name) or _instrument_item(tuple(sorted(instruments))).search(name)
    return int(found.group(1)) if found else None


@functools.lru_cache(maxsize=8)
def _instrument_item(instruments: tuple[str, ...]) -> re.Pattern[str]:
    """An instrument's name and then a number (phq9_9, phq_9_9, gad7_item_3): the name as
    `spelling` knows it, with a separator allowed between any two of its characters."""
    names = {spelling(i) for i in instruments} - {""}
    spelled = "|".join("_?".join(map(re.escape, n)) for n in sorted(names, key=len, reverse=True))
    if not spelled:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile(rf"(?<![a-z0-9])(?:{spelled})_(?:item|question|q)?_?0*(\d+)(?!\d)")


@dataclass(eq=False)
class UnreadItemColumns(UnstuckError):
    """Columns that are not read but look like item answers and hold values: the file is
    refused, as their answers (a safety answer above all) would be lost (the module's
    docstring says why they are not read as the items they seem to name)."""

    source: str
    columns: tuple[tuple[str, int], ...]  # each header as written and the item it names

    def __str__(self) -> str:
        headers = ", ".join(repr(h) for h, _ in self.columns)
        if len(self.columns) == 1:
            ((_, n),) = self.columns
            what = (
                f"column {headers} looks like item {n}'s answers, but Unstuck does not read "
                f"it, so an answer there (a safety answer above all) would be lost: rename it "
                f"item_{n}"
            )
        else:
            renames = ", ".join(f"{h} to item_{n}" for h, n in self.columns)
            what = (
                f"columns {headers} look like item answers, but Unstuck does not read them, "
                f"so an answer there (a safety answer above all) would be lost: rename {renames}"
            )
        numbers = [n for _, n in self.columns]
        shared = (
            ". Answers to the same item of two questionnaires go in one column (item_1 holds "
            "a PHQ-9 row's item 1 and a GAD-7 row's item 1): each row's instrument says whose "
            "answers they are"
            if len(set(numbers)) < len(numbers)
            else ""
        )
        return (
            f"{self.source}: {what}{shared}. Answers item by item are read only from columns "
            "headed item_1, item_2, ... (or Q1, Item 1); a column that holds something else "
            "needs a name that does not look like an item's"
        )


def check_unread_items(source: str, frame: pl.DataFrame, instruments: Iterable[str]) -> None:
    """Raise `UnreadItemColumns` when a column of the file (a frame as read) that is not read
    looks like an item answer's (`looks_like_an_item`) and holds a value."""
    names = tuple(instruments)
    unread = []
    for header in _unread(frame.columns):
        n = looks_like_an_item(DUPLICATED.sub("", header), names)
        if n is not None and _holds_values(frame.get_column(header)):
            unread.append((as_written(header), n))
    if unread:
        raise UnreadItemColumns(source, tuple(unread))


def without_blanks(values: pl.Series) -> pl.Series:
    """A column as read, as text, with every blank value (empty, or only spaces) null."""
    return values.cast(pl.String).str.strip_chars().replace("", None)


def _holds_values(values: pl.Series) -> bool:
    """Whether a column as read holds a value that is not blank."""
    return without_blanks(values).null_count() < values.len()
