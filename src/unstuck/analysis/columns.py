"""Column names as people write them, and the names the checks know them by.

A header is read without spaces around it, in lower case, and with spaces, hyphens, dashes
and underscores inside it made one underscore: ``Client ID``, ``client-id`` and
``CLIENT_ID`` are all ``client_id``. A few other spellings that clinic exports use are read as
the column they stand for (`SPELLINGS`), and item answers may be headed ``item 1``,
``Item_1``, ``item1``, ``ITEM-1``, ``Q1`` or ``q_1`` (all ``item_1``). A column that is none of
the columns Unstuck reads is not dropped in silence: `ignored_columns` names it, so that the
command can say so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

ITEM = re.compile(r"item_(\d+)$")  # an item answer column, once named by `column_name`
ITEM_SPELLING = re.compile(r"(?:item|q)_?0*(\d+)")  # item 1, item1, q1, q_1, item_01
SEPARATORS = re.compile(r"[\s_\-\u2010-\u2015\u2212]+")  # spaces, hyphens, dashes, minus
DUPLICATED = re.compile(r"_duplicated_\d+$")  # how polars renames a repeated header
# A column not read whose name looks like an item's: "item" or "q" beside a number
LIKE_AN_ITEM = re.compile(r"(item|q)\W*_?\d|\d\W*_?(item|q)", re.IGNORECASE)

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


def column_name(header: str) -> str:
    """A header as the checks know it (see the module's docstring)."""
    name = header.strip().lstrip("\ufeff").strip().lower()
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
        names[header] = name if name in READ or ITEM.match(name) else f"_ignored_{position}"
    return names


def headers_as_written(headers: Sequence[str]) -> dict[str, str]:
    """The header as written, by the name the checks know it by, for the columns whose name
    was more than trimmed and put in lower case (``Q9`` for ``item_9``): a problem is then
    reported under the name the person sees in the file."""
    shown = {}
    for header, name in frame_names(headers).items():
        plain = header.strip().lstrip("\ufeff").strip()
        if name != plain.lower():
            shown[name] = plain
    return shown


def ignored_columns(frame: pl.DataFrame) -> tuple[str, ...]:
    """The columns (as written) of a table of measures that are not read, in file order. A
    column with no name is not one: when it holds values the file is refused before this
    (`rawcsv.unnamed_column`), and an empty one is what separators ending a spreadsheet's
    header make."""
    ignored = []
    for header in frame.columns:
        name = column_name(DUPLICATED.sub("", header))
        if name and name not in READ and not ITEM.match(name):
            ignored.append(header.strip().lstrip("\ufeff").strip())
    return tuple(ignored)


def ignored_notice(ignored: Sequence[str]) -> str | None:
    """The sentence that names the columns not read, or None when every column was read. A
    name that looks like an item answer (PHQ9_9, Item 9 (risk)) gets the headings that are
    read, so that an answer, a safety answer above all, is not missed for its column's name."""
    if not ignored:
        return None
    columns = "columns" if len(ignored) > 1 else "column"
    notice = f"Ignored {columns} not used by Unstuck: {', '.join(ignored)}"
    if any(LIKE_AN_ITEM.search(c) for c in ignored):
        notice += (
            " (answers item by item are read only from columns headed item_1 .. item_k, "
            "Item 1 or Q1)"
        )
    return notice
