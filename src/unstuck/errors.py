"""The small family of errors the core raises for bad input.

Every error carries *where* the problem is (row, field, value) so that a shell can turn it into
a message a person can act on, never a traceback. Row numbers are 1-based data rows as a person
sees them in a spreadsheet (the header is row 1, so the first data row is row 2) when they come
from a file; `None` when the value did not come from a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from unstuck.plural import counted


class UnstuckError(Exception):
    """Base of every error caused by input that a user can correct."""


@dataclass(eq=False)
class InvalidValue(UnstuckError):
    """One value is not acceptable: out of range, not a number, unknown option, ..."""

    field: str
    value: object
    reason: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        if self.field.startswith("-"):  # a command-line option, not a column of a file
            value = "" if self.value is None else f" {self.value!r}"
            return f"{where}{self.field}{value}: {self.reason}"
        return f"{where}column {self.field!r}, value {self.value!r}: {self.reason}"


class InvalidAnswer(InvalidValue):
    """A questionnaire answer outside the item's answer options."""


@dataclass(eq=False)
class UnknownInstrument(UnstuckError):
    """An instrument id that no definition file provides."""

    name: str
    known: tuple[str, ...] = ()
    row: int | None = None
    hint: str = ""  # what the shell that asked can do about it (its own options only)

    def __str__(self) -> str:
        where = f"row {self.row}, column 'instrument': " if self.row is not None else ""
        known = f" Known instruments: {', '.join(self.known)}." if self.known else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"{where}unknown instrument {self.name!r}.{known}{hint}"


@dataclass(eq=False)
class InvalidDefinition(UnstuckError):
    """An instrument (or other knowledge) definition file that fails validation."""

    source: str
    location: str
    reason: str

    def __str__(self) -> str:
        loc = f" at {self.location}" if self.location else ""
        return f"{self.source}{loc}: {self.reason}"


@dataclass(eq=False)
class MissingColumns(UnstuckError):
    """An input table lacks required columns."""

    missing: tuple[str, ...]
    present: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"missing {'column' if len(self.missing) == 1 else 'columns'}: "
            f"{', '.join(self.missing)}. "
            f"The file has: {', '.join(self.present) or '(no header)'}."
        )


@dataclass(frozen=True)
class Problem:
    """One bad value in an input table, located by row and column."""

    row: int
    column: str
    value: str | None
    reason: str

    def __str__(self) -> str:
        shown = "(empty)" if self.value is None else repr(self.value)
        return f"row {self.row}, column {self.column!r}, value {shown}: {self.reason}"


@dataclass(eq=False)
class InvalidRows(UnstuckError):
    """An input table has rows that cannot be used. Nothing from it has been analysed."""

    source: str
    problems: tuple[Problem, ...]  # the first few, in row order
    total: int  # how many problems there are in all
    rows: int  # how many distinct rows are affected

    def __str__(self) -> str:
        head = f"{self.source}: {counted(self.total, 'problem')} in {counted(self.rows, 'row')}"
        lines = [head, *(f"  {p}" for p in self.problems)]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        return "\n".join(lines)


@dataclass(eq=False)
class CannotWrite(UnstuckError):
    """An output file that cannot, or must not, be written (checked before any work)."""

    option: str  # how the command line named it: "--output", "the output file"
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.option} {self.path!r}: {self.reason}"


@dataclass(eq=False)
class NotEnoughEpisodes(UnstuckError):
    """Too few ended episodes (or too few of one outcome) to fit and check a learned model."""

    episodes: int
    dropouts: int
    min_episodes: int
    min_dropouts: int

    def __str__(self) -> str:
        completed = self.episodes - self.dropouts
        return (
            f"a dropout model needs at least {self.min_episodes} ended episodes, with at "
            f"least {self.min_dropouts} that ended early and {self.min_dropouts} that did not; "
            f"this data has {self.episodes} ended episodes still in therapy at a landmark "
            f"session ({self.dropouts} ended early, {completed} did not). With fewer, its "
            "held-out figures would be too uncertain to trust. The transparent withdrawal "
            "rules work without it."
        )
