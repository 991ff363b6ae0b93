"""The knowledge base as plain, immutable data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from unstuck.impasse.rules import RankingRules, default_rules

SEED_FILES = (
    "000_2ef1d7c88fd8593b.txt",
    "001_c20c250e059541fa.txt",
    "002_87e3476ec27f2bf2.txt",
    "003_ebe7257443084bfc.txt",
    "004_fecda28de006f0a0.txt",
)
# Each seed's title, for people, is in sources.toml (unstuck.impasse.sources), nowhere else.


@dataclass(frozen=True)
class Reason:
    id: str
    name: str
    description: str
    questions: tuple[str, ...]
    seeds: tuple[str, ...]


@dataclass(frozen=True)
class Strategy:
    id: str
    name: str
    kind: str
    description: str
    fits: Mapping[str, int]  # reason id -> weight 1..3
    signals: tuple[str, ...]
    cautions: tuple[str, ...]
    seeds: tuple[str, ...]
    closure: bool = False
    # Reasons one of which must be rated for it to be offered: present at all (above 0), or,
    # for a closure option, at least ranking.toml's closure.min_rating.
    requires: tuple[str, ...] = ()
    # Held below the steps that repair the relationship while it is strained (ranking.toml).
    needs_secure_alliance: bool = False
    # Listed below the safety check whenever both are listed (ranking.py, rule 2).
    after_safety_check: bool = False
    # The ending summary is written for the client: the strategy in words addressed to them
    # (empty: its name).
    client_words: str = ""
    # The letters that list it among what was tried: "referral" (to a colleague) and
    # "termination" (the ending summary, to the client). The safety check and supervision are
    # for a colleague only; the therapist's own self-care is in neither.
    letters: tuple[str, ...] = ("referral", "termination")


@dataclass(frozen=True)
class Marker:
    id: str
    label: str
    suggests: Mapping[str, int]
    seeds: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceRule:
    id: str  # e.g. "flag:plateau", "attendance:missed"
    sentence: str
    suggests: Mapping[str, int]
    replaces: tuple[str, ...] = ()  # less specific evidence this one says better


@dataclass(frozen=True)
class KnowledgeBase:
    reasons: Mapping[str, Reason]
    strategies: Mapping[str, Strategy]
    markers: Mapping[str, Marker]
    evidence: Mapping[str, EvidenceRule] = field(default_factory=dict)
    rules: RankingRules = field(default_factory=default_rules)  # ranking.toml

    def to_dict(self) -> dict[str, object]:
        """Everything, for review by clinicians (`unstuck strategies --json`)."""

        def plain(obj: object) -> object:
            if isinstance(obj, Mapping):
                return {k: plain(v) for k, v in obj.items()}
            if isinstance(obj, tuple):
                return [plain(v) for v in obj]
            if hasattr(obj, "__dataclass_fields__"):
                return {k: plain(getattr(obj, k)) for k in obj.__dataclass_fields__}
            return obj

        return {
            "reasons": [plain(r) for r in self.reasons.values()],
            "strategies": [plain(s) for s in self.strategies.values()],
            "markers": [plain(m) for m in self.markers.values()],
            "evidence": [plain(e) for e in self.evidence.values()],
            "ranking": plain(self.rules),
        }
