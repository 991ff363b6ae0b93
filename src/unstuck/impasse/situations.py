"""Situations the source documents describe, with the strategies each pairs with them.

They are data (situations.toml, in our own words) and the ranking's test cases: for each, the
seed's strategies must be among the first five suggestions (tests/impasse/test_situations.py).
`unstuck strategies --situations` prints them with the suggestions they get, for clinical
review. Loading checks every reference against the knowledge base, so a renamed reason or
strategy fails loudly here rather than silently emptying a test.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from unstuck.errors import InvalidDefinition
from unstuck.impasse.model import SEED_FILES, KnowledgeBase
from unstuck.impasse.ranking import RankedStrategy, rank_strategies
from unstuck.progress.signals import FLAGS

FILE = "situations.toml"
RESULTS = ("helped", "partly", "did_not_help", "not_tried")
FIELDS = {
    "id",
    "seed",
    "who",
    "notices",
    "ratings",
    "flags",
    "markers",
    "tried",
    "first_review",
    "expects",
}
TOP = 5  # the seed's strategies must be among this many first suggestions


@dataclass(frozen=True)
class Situation:
    id: str
    seed: str
    who: str
    notices: str
    ratings: Mapping[str, int]
    flags: tuple[str, ...]
    markers: Mapping[str, int]
    tried: Mapping[str, str]
    first_review: bool
    expects: tuple[str, ...]

    def rank(self, kb: KnowledgeBase) -> list[RankedStrategy]:
        return rank_strategies(
            kb, self.ratings, self.flags, tried=self.tried, first_review=self.first_review
        )


def _check(ok: bool, where: str, message: str) -> None:
    if not ok:
        raise InvalidDefinition(FILE, where, message)


def _parse(i: int, raw: Any, kb: KnowledgeBase) -> Situation:
    where = f"situation[{i}]"
    _check(isinstance(raw, dict), where, "must be a table")
    unknown = sorted(set(raw) - FIELDS)
    _check(not unknown, where, f"unknown field(s): {', '.join(unknown)}")
    for key in ("id", "seed", "who", "notices"):
        _check(isinstance(raw.get(key), str) and bool(raw[key]), f"{where}.{key}", "is required")
    _check(raw["seed"] in SEED_FILES, f"{where}.seed", f"{raw['seed']!r} is no seed")
    ratings = raw.get("ratings", {})
    _check(isinstance(ratings, dict) and bool(ratings), f"{where}.ratings", "is required")
    for reason, rating in ratings.items():
        _check(reason in kb.reasons, f"{where}.ratings", f"{reason!r} is not a reason id")
        _check(rating in (1, 2, 3), f"{where}.ratings.{reason}", f"{rating!r} is not 1, 2 or 3")
    flags = raw.get("flags", [])
    for flag in flags:
        _check(flag in FLAGS, f"{where}.flags", f"{flag!r} is not a flag")
    markers = raw.get("markers", {})
    for marker, count in markers.items():
        _check(marker in kb.markers, f"{where}.markers", f"{marker!r} is not a marker id")
        _check(isinstance(count, int) and count > 0, f"{where}.markers.{marker}", "must be >= 1")
    tried = raw.get("tried", {})
    for strategy, result in tried.items():
        _check(strategy in kb.strategies, f"{where}.tried", f"{strategy!r} is not a strategy")
        _check(result in RESULTS, f"{where}.tried.{strategy}", f"{result!r} is not a result")
    expects = raw.get("expects", [])
    _check(1 <= len(expects) <= TOP, f"{where}.expects", f"must name 1 to {TOP} strategies")
    for strategy in expects:
        _check(strategy in kb.strategies, f"{where}.expects", f"{strategy!r} is not a strategy")
    first_review = raw.get("first_review", not tried)
    _check(isinstance(first_review, bool), f"{where}.first_review", "must be true or false")
    return Situation(
        id=raw["id"],
        seed=raw["seed"],
        who=raw["who"],
        notices=raw["notices"],
        ratings=MappingProxyType(dict(ratings)),
        flags=tuple(flags),
        markers=MappingProxyType(dict(markers)),
        tried=MappingProxyType(dict(tried)),
        first_review=first_review,
        expects=tuple(expects),
    )


def parse_situations(text: str, kb: KnowledgeBase) -> tuple[Situation, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidDefinition(FILE, "", f"is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"situation"})
    _check(not unknown, "", f"unknown table(s): {', '.join(unknown)}")
    situations = tuple(_parse(i, raw, kb) for i, raw in enumerate(data.get("situation", [])))
    seen: set[str] = set()
    for i, s in enumerate(situations):
        _check(s.id not in seen, f"situation[{i}].id", f"{s.id!r} is defined twice")
        seen.add(s.id)
    return situations


def load_situations(kb: KnowledgeBase, path: str | Path | None = None) -> tuple[Situation, ...]:
    """The shipped situations, or a clinic's own file, checked against `kb`."""
    if path is None:
        text = (resources.files("unstuck.impasse") / FILE).read_text("utf-8")
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise InvalidDefinition(FILE, "", f"cannot be read ({exc.strerror})") from None
    return parse_situations(text, kb)
