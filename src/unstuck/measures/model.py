"""Plain, frozen data describing an instrument. Built by the loader from definition files."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AnswerOption:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    number: int  # 1-based, as in the CSV columns item_1..item_k
    link_id: str  # stable id used in FHIR export, e.g. "phq9-9"
    text: str
    options: tuple[AnswerOption, ...]
    safety: bool = False  # any answer above 0 raises a safety alert

    @property
    def min_value(self) -> int:
        return min(o.value for o in self.options)

    @property
    def max_value(self) -> int:
        return max(o.value for o in self.options)


@dataclass(frozen=True)
class Band:
    """A severity band; `low` and `high` are inclusive bounds on the total."""

    name: str  # lower-case, e.g. "moderately severe"
    low: float
    high: float


@dataclass(frozen=True)
class MissingRule:
    """How many items may be unanswered before a total is withheld, and how it is completed.

    `max_missing` items may be missing; the total is then prorated: the mean of the answered
    items times the number of items, rounded half up to a whole number.
    """

    max_missing: int
    source: str


@dataclass(frozen=True)
class Norm:
    mean: float
    sd: float


@dataclass(frozen=True)
class ChangeSpec:
    """What the change statistics need to know about an instrument (all optional).

    Reliable change comes either from a published threshold in points (inclusive: a change of
    at least `reliable_change_points` is reliable, as in NHS Talking Therapies) or from
    `reliability` and `sd` via Jacobson & Truax (1991). Caseness comes from
    `caseness_cutoff` (a case when the score is at or beyond it on the clinical side) or, when
    absent, from cutoff c computed from the clinical and functional norms.
    """

    reliable_change_points: float | None = None
    reliability: float | None = None
    sd: float | None = None
    caseness_cutoff: float | None = None
    clinical_norm: Norm | None = None
    functional_norm: Norm | None = None
    source: str = ""

    @property
    def provisional(self) -> bool:
        """The thresholds are a provisional default, not published values: the source says so
        first ("PROVISIONAL ..."), as the consultation summary shows it."""
        return self.source.lstrip().upper().startswith("PROVISIONAL")


@dataclass(frozen=True)
class Translation:
    """An instrument's words in another language (`unstuck.measures.translations`)."""

    language: str  # a BCP 47 tag, e.g. "es"
    language_name: str  # how the language names itself, e.g. "Español"
    source: str  # where the translation comes from
    name: str  # "" keeps the instrument's name
    stem: str
    items: tuple[str, ...]  # one text per item, in order
    options: tuple[str, ...]  # labels of the shared answer options, in order
    item_options: tuple[tuple[int, tuple[str, ...]], ...] = ()  # items with options of their own


@dataclass(frozen=True, eq=False)
class Instrument:
    """An instrument definition. Compared and hashed by identity: it is immutable, and its
    derived rules (change criteria) are cached per instrument without hashing every item."""

    id: str  # lower-case identifier used on the command line and in CSV files, e.g. "phq9"
    name: str
    description: str
    higher_is_better: bool
    items: tuple[Item, ...]  # empty for a score-only instrument
    score_min: float | None  # None: unbounded (made in code; files and the CLI give bounds)
    score_max: float | None
    bands: tuple[Band, ...] = ()
    missing: MissingRule | None = None  # None: every item must be answered
    change: ChangeSpec = field(default_factory=ChangeSpec)
    license: str = ""
    citations: tuple[str, ...] = ()
    version: str = "1"
    stem: str = ""  # the question that introduces the items
    translations: tuple[Translation, ...] = ()  # its words in other languages

    @property
    def safety_items(self) -> tuple[int, ...]:
        return tuple(i.number for i in self.items if i.safety)
