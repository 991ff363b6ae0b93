"""Load instrument definitions (TOML files) and hold the instruments a run may use.

The built-in definitions ship inside the package; a clinic adds its own by pointing Unstuck at
folders of ``*.toml`` files. Every file goes through the same checks
(`unstuck.measures.definition.parse_definition`), so a clinic's instrument behaves exactly
like a built-in one. Ids are unique across everything loaded: a clinic file can never quietly
replace a built-in instrument, because scores recorded under an id must keep one meaning.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from unstuck.errors import InvalidDefinition, InvalidValue, UnknownInstrument
from unstuck.measures import limits
from unstuck.measures.definition import parse_definition
from unstuck.measures.model import ChangeSpec, Instrument

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
BUILT_IN = "built in"
COMMAND_LINE = "given on the command line"
TOO_DEEP = (
    "is not valid TOML here: its lists or tables are nested hundreds deep, where a definition "
    "nests them two or three deep"
)


def toml_table(text: str, source: str) -> dict[str, Any]:
    """The table a TOML text holds; `InvalidDefinition` naming `source` and the line and
    column when it is not valid TOML."""
    try:
        # A byte-order mark, which some Windows editors write before UTF-8 text, is not TOML:
        # it read as "Invalid statement" at line 1, column 1, where nothing looks wrong.
        return tomllib.loads(text.removeprefix("\ufeff"))
    except RecursionError:  # tomllib reads nested lists and tables recursively
        raise InvalidDefinition(source, "", TOO_DEEP) from None
    except tomllib.TOMLDecodeError as exc:
        # The message ends "(at line L, column C)": lift that out as the location.
        message = str(exc)
        where = re.search(r"\(at (line \d+, column \d+)\)$", message)
        reason = message[: where.start()].strip() if where else message
        location = where.group(1) if where else ""
        raise InvalidDefinition(source, location, f"is not valid TOML: {reason}") from None


def read_toml(path: str | Path, source: str) -> dict[str, Any]:
    """The table of a clinic's TOML file (an instrument definition, a thresholds file,
    expected courses); `InvalidDefinition` naming `source` when it cannot be read, is not
    UTF-8 or is not valid TOML, never a traceback."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidDefinition(source, "", f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InvalidDefinition(source, "", "is not UTF-8 text") from None
    return toml_table(text, source)


def _parse_toml(text: str, source: str, *, built_in: bool = False) -> Instrument:
    return parse_definition(toml_table(text, source), source, built_in=built_in)


def parse_definition_text(text: str, source: str) -> Instrument:
    """Check and build a definition from its TOML text (e.g. an uploaded file).

    Raises `InvalidDefinition` naming `source` and the place in the text, like `load_definition`.
    """
    return _parse_toml(text, source)


def load_definition(path: str | Path) -> Instrument:
    """Read, check and build one definition file.

    Raises
    ------
    InvalidDefinition
        With ``source`` the file name and ``location`` the place in the file (a TOML line and
        column for a syntax error, a JSON-path-like field such as ``bands[1].low`` otherwise).
    """
    name = Path(path).name
    return parse_definition(read_toml(path, name), name)


@cache
def _builtins() -> tuple[tuple[Instrument, str], ...]:
    folder = resources.files("unstuck.measures") / "definitions"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            text = entry.read_text(encoding="utf-8")
            found.append((_parse_toml(text, entry.name, built_in=True), entry.name))
    return tuple(found)


def builtin_instruments() -> dict[str, Instrument]:
    """The instruments shipped with Unstuck: ``phq9``, ``gad7`` and ``session_feedback``.

    The files are read and checked once per process; each call returns a new dict of the same
    (immutable) `Instrument` objects, so a caller that changes the dict changes nothing else.
    """
    return {instrument.id: instrument for instrument, _ in _builtins()}


class InstrumentSet(Mapping[str, Instrument]):
    """An immutable collection of instruments, keyed by id.

    Lookup with `get_instrument` (and `id_for`) ignores case, spaces, hyphens and
    underscores, because ids typed in a spreadsheet or on a command line ("PHQ9 ", "PHQ-9",
    "phq 9", the usual spellings in clinic exports) should still be found. Adding an
    instrument gives a new set (`with_instrument`); an id can be defined only once.
    """

    __slots__ = ("_by_id", "_by_spelling", "_origin")

    def __init__(
        self,
        instruments: Mapping[str, Instrument] = MappingProxyType({}),
        origins: Mapping[str, str] = MappingProxyType({}),
    ) -> None:
        self._by_id: Mapping[str, Instrument] = MappingProxyType(dict(instruments))
        self._origin: Mapping[str, str] = MappingProxyType(
            {key: origins.get(key, "") for key in self._by_id}
        )
        # Two ids written alike ("phq9" and a clinic's "phq_9") are found only as written.
        spellings: dict[str, list[str]] = {}
        for key in self._by_id:
            spellings.setdefault(spelling(key), []).append(key)
        self._by_spelling: Mapping[str, str] = MappingProxyType(
            {written: ids[0] for written, ids in spellings.items() if len(ids) == 1}
        )

    def __getitem__(self, key: str) -> Instrument:
        return self._by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return f"InstrumentSet({', '.join(self._by_id)})"

    def origin(self, instrument_id: str) -> str:
        """Where an instrument came from: ``"built in"``, a file name, or the command line."""
        return self._origin[instrument_id]

    def get_instrument(self, name: str, row: int | None = None) -> Instrument:
        """The instrument called `name` (as `id_for` finds it), or `UnknownInstrument`
        listing the ids."""
        key = self.id_for(name)
        if key is None:
            raise UnknownInstrument(name, tuple(sorted(self._by_id)), row)
        return self._by_id[key]

    def id_for(self, name: str) -> str | None:
        """The id of the instrument `name` stands for, ignoring case, spaces, hyphens and
        underscores ("PHQ-9", "phq 9" and "Phq_9" are ``phq9``), or None."""
        key = name.strip().lower()
        return key if key in self._by_id else self._by_spelling.get(spelling(key))

    def with_instrument(self, instrument: Instrument, source: str = "") -> InstrumentSet:
        """A new set that also holds `instrument`.

        Raises `InvalidDefinition` (naming `source`, e.g. the file name) when the id is not a
        valid id or is already taken: replacing an instrument silently would change the
        meaning of every score recorded under its id.
        """
        where = source or instrument.id
        if not ID_PATTERN.fullmatch(instrument.id):
            raise InvalidDefinition(
                where,
                "id",
                f"{instrument.id!r} is not a valid id: use lower-case letters, digits and _, "
                "starting with a letter",
            )
        if instrument.id in self._by_id:
            taken = self._origin.get(instrument.id) or "another definition"
            by = "a built-in instrument" if taken == BUILT_IN else taken
            raise InvalidDefinition(
                where,
                "id",
                f"{instrument.id!r} is already defined by {by}; a definition cannot replace "
                "another one, so choose a different id",
            )
        return InstrumentSet(
            {**self._by_id, instrument.id: instrument},
            {**self._origin, instrument.id: source or "a definition given in code"},
        )


# What people write between the words of an id: spaces, hyphens, other dashes (en and em
# dashes, as word processors and spreadsheets put in for a hyphen, and the minus sign) and _.
SEPARATORS = re.compile(r"[\s_\-\u2010-\u2015\u2212]+")


def spelling(name: str) -> str:
    """What tells instrument ids apart as people write them: lower case, without spaces,
    hyphens, other dashes and underscores ("PHQ-9", "phq 9" and "Phq_9" are all "phq9")."""
    return SEPARATORS.sub("", name).lower()


def instrument_id(name: str) -> str | None:
    """The id for a new instrument a person names ("BDI-II" is ``bdi_ii``, "My scale 2" is
    ``my_scale_2``): lower case, with spaces, hyphens and dashes as _; None when that is not
    a valid id (`ID_PATTERN`). `InstrumentSet.id_for` then finds it however it is written."""
    key = SEPARATORS.sub("_", name.strip()).lower()
    return key if ID_PATTERN.fullmatch(key) else None


def load_instruments(extra_dirs: Sequence[str | Path] = ()) -> InstrumentSet:
    """The built-in instruments plus every ``*.toml`` file in the clinic's own folders.

    Files are read in name order, folder by folder, so a run is reproducible. Any invalid file
    stops the whole load: half a set of instruments would give silently different results.
    """
    result = InstrumentSet(
        builtin_instruments(), {instrument.id: BUILT_IN for instrument, _ in _builtins()}
    )
    for folder in map(Path, extra_dirs):
        if not folder.is_dir():
            raise InvalidDefinition(str(folder), "", "is not a folder of instrument definitions")
        for path in sorted(folder.glob("*.toml")):
            result = result.with_instrument(load_definition(path), path.name)
    return result


def score_only_instrument(
    name: str,
    *,
    reliability: float,
    sd: float,
    cutoff: float | None,
    higher_is_better: bool,
) -> Instrument:
    """An instrument known only by its totals, described on the command line.

    Its id comes from `name` by `instrument_id` ("BDI-II" is ``bdi_ii``) and it is shown
    under `name` as written. Nothing is known of its range, so its totals may be anything
    from 0 to 1,000,000 (`limits.COMMAND_LINE_RANGE`, which says why). Reliable change comes
    from `reliability` and `sd` (Jacobson & Truax, 1991) and caseness from `cutoff`; each
    number is held to the bounds a definition file's are (`unstuck.measures.limits`).

    Raises
    ------
    InvalidValue
        Naming the command-line option (``--instrument``, ``--reliability``, ``--sd``,
        ``--cutoff``) whose value cannot be used.
    """
    key = instrument_id(name)
    if key is None:
        raise InvalidValue(
            "--instrument",
            name,
            "use letters, digits, spaces, hyphens and _, starting with a letter (e.g. BDI-II)",
        )
    for option, value, problem_of in (
        ("--reliability", reliability, limits.reliability_problem),
        ("--sd", sd, limits.spread_problem),
    ):
        problem = problem_of(value) if _is_number(value) else "must be a number"
        if problem is not None:
            raise InvalidValue(option, value, problem)
    problem = limits.measurement_error_problem(sd, reliability)
    if problem is not None:
        raise InvalidValue("--reliability", reliability, problem)
    low, high = limits.COMMAND_LINE_RANGE
    if cutoff is not None and not (_is_number(cutoff) and low <= cutoff <= high):
        raise InvalidValue(
            "--cutoff",
            cutoff,
            f"must be a number from {low:g} to {high:,.0f}, the totals a scale named on the "
            "command line may have (a scale with other totals is described in a definition "
            "file with its score_min and score_max: docs/instruments.md)",
        )
    return Instrument(
        id=key,
        name=name.strip(),
        description="Score-only instrument given on the command line: totals, no items.",
        higher_is_better=higher_is_better,
        items=(),
        score_min=low,
        score_max=high,
        change=ChangeSpec(
            reliability=float(reliability),
            sd=float(sd),
            caseness_cutoff=None if cutoff is None else float(cutoff),
            source=COMMAND_LINE,
        ),
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
