"""The web app's window on the impasse knowledge base (`unstuck.impasse`, data files)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from unstuck.impasse import default_knowledge, rank_strategies
from unstuck.impasse import prefill as core_prefill
from unstuck.impasse.outcomes import Tally, best_hint
from unstuck.impasse.sources import cite
from unstuck.web.reviews.selectors import Evidence


@dataclass(frozen=True)
class StrategyView:
    id: str
    name: str
    description: str
    why: str
    cautions: tuple[str, ...]
    seeds: tuple[str, ...]
    closure: bool
    tried: str | None
    clinic_hint: str | None = None  # what the clinic's own records show; never reorders

    @property
    def sources(self) -> list[str]:
        """Its source documents by title and kind, not by file name (impasse/sources.toml)."""
        return [source.citation for source in cite(self.seeds)]


def reasons() -> list[tuple[str, str, str]]:
    return [(r.id, r.name, r.description) for r in default_knowledge().reasons.values()]


def reason_ids() -> set[str]:
    return set(default_knowledge().reasons)


def reason_names() -> dict[str, str]:
    return {r.id: r.name for r in default_knowledge().reasons.values()}


def strategy_names() -> dict[str, str]:
    return {s.id: s.name for s in default_knowledge().strategies.values()}


def closure_ids() -> frozenset[str]:
    """The strategies that end or hand over the work (an ending, a referral)."""
    return frozenset(s.id for s in default_knowledge().strategies.values() if s.closure)


def prefill(evidence: Evidence) -> dict[str, tuple[int, str]]:
    """Reason id -> (starting rating, the evidence sentences) from what the record shows."""
    suggested = core_prefill(
        default_knowledge(),
        flags=evidence.flags,
        markers=evidence.markers,
        missed=evidence.missed,
        goals_stuck=evidence.goals_stuck,
        not_helping=evidence.tried_without_help,
    )
    return {r: (s.rating, " ".join(s.evidence)) for r, s in suggested.items()}


def rank(
    ratings: Mapping[str, int],
    flags: Sequence[str],
    tried: Mapping[str, str],
    *,
    first_review: bool | None = None,
    tallies: Mapping[tuple[str, str | None], Tally] | None = None,
) -> list[StrategyView]:
    """The seeds' ranking; the clinic's figures are only added beside it, never reorder it."""
    ranked = rank_strategies(
        default_knowledge(), ratings, flags, tried=tried, first_review=first_review
    )
    return [
        StrategyView(
            id=r.strategy.id,
            name=r.strategy.name,
            description=r.strategy.description,
            why=r.why,
            cautions=r.cautions,
            seeds=r.strategy.seeds,
            closure=r.strategy.closure,
            tried=r.tried,
            clinic_hint=best_hint(tallies, r.strategy.id, ratings) if tallies else None,
        )
        for r in ranked
    ]
