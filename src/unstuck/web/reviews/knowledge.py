"""The web app's window on the impasse knowledge base (`unstuck.impasse`, data files)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.utils import formats, timezone

from unstuck.impasse import default_knowledge, rank_strategies
from unstuck.impasse import prefill as core_prefill
from unstuck.impasse.outcomes import Tally, best_hint
from unstuck.impasse.ranking import SIGNALS_NOW
from unstuck.impasse.sources import cite
from unstuck.web.reviews.models import ReviewReason
from unstuck.web.reviews.selectors import Evidence

T = TypeVar("T")


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


def as_of(why: str, reviewed_at: dt.datetime) -> str:
    """A strategy's `why` as of its review: the ranking names the signals "the record shows
    now", true only on the review's day, while a plan keeps the sentence and is read for months.
    Dated when shown, so plans stored before this read right too and nothing is rewritten."""
    day = formats.date_format(timezone.localdate(reviewed_at), "j M Y")
    return why.replace(SIGNALS_NOW, f"It fitted what the record showed at the review on {day}: ")


def reasons() -> list[tuple[str, str, str]]:
    """Every reason (id, name, description), the risk or crisis reason first (`first_safety`)."""
    return first_safety(
        [(r.id, r.name, r.description) for r in default_knowledge().reasons.values()],
        key=lambda row: row[0],
    )


def first_safety(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """`items` with the risk or crisis reason (ranking.toml's [safety] reason) put first, the
    rest in their order: wherever reasons are listed, a risk is read before anything else."""
    safety = default_knowledge().rules.safety_reason
    return sorted(items, key=lambda item: key(item) != safety)


def reason_ids() -> set[str]:
    return set(default_knowledge().reasons)


def rated_reasons(rated: Iterable[ReviewReason]) -> list[tuple[str, ReviewReason]]:
    """The reasons a review rated above 0, with their names, as pages list them: the risk or
    crisis reason first, then the most likely (3/3 before 1/3), then the knowledge base's
    order."""
    names = reason_names()
    order = {reason_id: i for i, reason_id in enumerate(names)}
    seen = sorted(
        (r for r in rated if r.rating > 0),
        key=lambda r: (-r.rating, order.get(r.reason_id, len(order))),
    )
    first = first_safety(seen, lambda r: r.reason_id)
    return [(names.get(r.reason_id, r.reason_id), r) for r in first]


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
        safety_checked=bool(evidence.safety_sessions),
        about=evidence.about,
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
