"""The numbers the ranking uses, read from ranking.toml (each sourced there)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from unstuck.errors import InvalidDefinition

FILE = "ranking.toml"
KINDS = (
    "safety",
    "relationship",
    "engagement",
    "therapist",
    "understanding",
    "goals",
    "skills",
    "closure",
)


@dataclass(frozen=True)
class RankingRules:
    safety_strategy: str
    safety_reason: str
    safety_min_rating: int
    flag_bonus: float
    did_not_help_factor: float
    closure_min_rating: int
    closure_clear_rating: int
    closure_first_review_position: int
    repeated_tries: int
    kind_order: tuple[str, ...]
    evidence_missed: int
    evidence_not_helping: int

    def kind_rank(self, kind: str) -> int:
        return self.kind_order.index(kind) if kind in self.kind_order else len(self.kind_order)


def _number(data: dict[str, Any], table: str, key: str, low: float, high: float) -> float:
    value = data.get(table, {}).get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidDefinition(FILE, f"{table}.{key}", f"must be a number, not {value!r}")
    if not low <= value <= high:
        raise InvalidDefinition(FILE, f"{table}.{key}", f"{value} is outside {low}..{high}")
    return float(value)


def _whole(data: dict[str, Any], table: str, key: str, low: int, high: int) -> int:
    value = _number(data, table, key, low, high)
    if value != int(value):
        raise InvalidDefinition(FILE, f"{table}.{key}", f"{value} must be a whole number")
    return int(value)


def _text(data: dict[str, Any], table: str, key: str) -> str:
    value = data.get(table, {}).get(key)
    if not isinstance(value, str) or not value:
        raise InvalidDefinition(FILE, f"{table}.{key}", f"must be a non-empty text, not {value!r}")
    return value


def parse_rules(text: str) -> RankingRules:
    """Rules from the text of a ranking.toml; every table must say where its numbers come from."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidDefinition(FILE, "", f"is not valid TOML: {exc}") from None
    for table in ("safety", "scoring", "closure", "ties", "evidence"):
        _text(data, table, "source")
    order = data.get("ties", {}).get("kind_order")
    if not isinstance(order, list) or sorted(order) != sorted(KINDS):
        raise InvalidDefinition(
            FILE, "ties.kind_order", f"must list each kind once: {', '.join(KINDS)}"
        )
    return RankingRules(
        safety_strategy=_text(data, "safety", "strategy"),
        safety_reason=_text(data, "safety", "reason"),
        safety_min_rating=_whole(data, "safety", "min_rating", 1, 3),
        flag_bonus=_number(data, "scoring", "flag_bonus", 0, 9),
        did_not_help_factor=_number(data, "scoring", "did_not_help_factor", 0, 1),
        closure_min_rating=_whole(data, "closure", "min_rating", 1, 3),
        closure_clear_rating=_whole(data, "closure", "clear_rating", 1, 3),
        closure_first_review_position=_whole(data, "closure", "first_review_position", 2, 99),
        repeated_tries=_whole(data, "closure", "repeated_tries", 1, 99),
        kind_order=tuple(order),
        evidence_missed=_whole(data, "evidence", "missed", 1, 99),
        evidence_not_helping=_whole(data, "evidence", "not_helping", 1, 99),
    )


def load_rules(folder: Path | None = None) -> RankingRules:
    """The shipped rules, or those in `folder`/ranking.toml when a clinic's copy has one."""
    if folder is not None and (folder / FILE).is_file():
        return parse_rules((folder / FILE).read_text("utf-8"))
    return default_rules()


@cache
def default_rules() -> RankingRules:
    return parse_rules((resources.files("unstuck.impasse") / FILE).read_text("utf-8"))
