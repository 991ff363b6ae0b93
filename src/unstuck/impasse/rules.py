"""The numbers the ranking uses, read from ranking.toml (each sourced there)."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
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
class Withdrawal:
    """When a client may be pulling away, and where that puts the safety check."""

    flags: tuple[str, ...]
    reasons: tuple[str, ...]
    min_rating: int
    position: int  # the safety check is listed no lower than this (1 = first)
    first_with: tuple[str, ...]  # any of these rated at all while pulling away: first
    why: str
    why_first: str

    def pulling_away(self, ratings: Mapping[str, int], flags: Collection[str]) -> bool:
        return any(f in flags for f in self.flags) or any(
            ratings.get(r, 0) >= self.min_rating for r in self.reasons
        )


@dataclass(frozen=True)
class Lead:
    """A strategy that comes first, after any safety check, when its reason is rated enough."""

    strategy: str
    reason: str
    min_rating: int
    why: str


@dataclass(frozen=True)
class Alliance:
    """When the working relationship counts as strained, holding back `needs_secure_alliance`."""

    flag: str  # the strain flag; strategies answering it are the repair steps
    reasons: tuple[str, ...]
    min_rating: int
    why: str

    def strained(self, ratings: Mapping[str, int], flags: Collection[str]) -> bool:
        return self.flag in flags or any(ratings.get(r, 0) >= self.min_rating for r in self.reasons)


@dataclass(frozen=True)
class RankingRules:
    safety_strategy: str
    safety_reason: str
    safety_min_rating: int
    flag_bonus: float
    did_not_help_factor: float
    closure_min_rating: int
    closure_rise_after: int
    repeated_tries: int
    kind_order: tuple[str, ...]
    evidence_missed: int
    evidence_not_helping: int
    withdrawal: Withdrawal
    leads: tuple[Lead, ...]
    alliance: Alliance

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


def _names(data: dict[str, Any], table: str, key: str) -> tuple[str, ...]:
    value = data.get(table, {}).get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidDefinition(FILE, f"{table}.{key}", f"must be a list of ids, not {value!r}")
    return tuple(value)


def _leads(data: dict[str, Any]) -> tuple[Lead, ...]:
    raw = data.get("lead", [])
    if not isinstance(raw, list):
        raise InvalidDefinition(FILE, "lead", "must be an array of tables ([[lead]])")
    leads = []
    for i, entry in enumerate(raw):
        one = {f"lead[{i}]": entry}
        _text(one, f"lead[{i}]", "source")
        leads.append(
            Lead(
                strategy=_text(one, f"lead[{i}]", "strategy"),
                reason=_text(one, f"lead[{i}]", "reason"),
                min_rating=_whole(one, f"lead[{i}]", "min_rating", 1, 3),
                why=_text(one, f"lead[{i}]", "why"),
            )
        )
    return tuple(leads)


def parse_rules(text: str) -> RankingRules:
    """Rules from the text of a ranking.toml; every table must say where its numbers come from."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidDefinition(FILE, "", f"is not valid TOML: {exc}") from None
    for table in ("safety", "withdrawal", "alliance", "scoring", "closure", "ties", "evidence"):
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
        closure_rise_after=_whole(data, "closure", "rise_after", 1, 99),
        repeated_tries=_whole(data, "closure", "repeated_tries", 1, 99),
        kind_order=tuple(order),
        evidence_missed=_whole(data, "evidence", "missed", 1, 99),
        evidence_not_helping=_whole(data, "evidence", "not_helping", 1, 99),
        withdrawal=Withdrawal(
            flags=_names(data, "withdrawal", "flags"),
            reasons=_names(data, "withdrawal", "reasons"),
            min_rating=_whole(data, "withdrawal", "min_rating", 1, 3),
            position=_whole(data, "withdrawal", "position", 1, 5),
            first_with=_names(data, "withdrawal", "first_with"),
            why=_text(data, "withdrawal", "why"),
            why_first=_text(data, "withdrawal", "why_first"),
        ),
        leads=_leads(data),
        alliance=Alliance(
            flag=_text(data, "alliance", "flag"),
            reasons=_names(data, "alliance", "reasons"),
            min_rating=_whole(data, "alliance", "min_rating", 1, 3),
            why=_text(data, "alliance", "why"),
        ),
    )


def load_rules(folder: Path | None = None) -> RankingRules:
    """The shipped rules, or those in `folder`/ranking.toml when a clinic's copy has one."""
    if folder is not None and (folder / FILE).is_file():
        return parse_rules((folder / FILE).read_text("utf-8"))
    return default_rules()


@cache
def default_rules() -> RankingRules:
    return parse_rules((resources.files("unstuck.impasse") / FILE).read_text("utf-8"))
