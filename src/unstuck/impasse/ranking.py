"""Pre-fill an impasse review from the record, and rank the strategies that fit.

Ranking rules (tested in tests/impasse/test_ranking.py):

1. A strategy's score is the sum, over the reasons it fits, of its weight (1-3) times the
   therapist's rating of that reason (0-3), plus 1 for each of the client's current flags it
   answers. Strategies scoring 0 are not listed.
2. A safety flag puts the safety check first, always, whatever else scores higher.
3. A strategy whose latest result with this client was "did not help" keeps a quarter of its
   score, so it drops down but stays visible with that note.
4. Closure options (specialist assessment, referral, respectful ending) are offered only when
   one of the reasons that call for them is rated 2 or more, or when at least
   `REPEATED_TRIES` strategies have already not helped (no buy-in after repeated tries); and
   they are never ranked first. A simple plateau therefore never leads with an ending.
5. Ties are broken by id, so the same inputs always give the same order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from unstuck.impasse.model import KnowledgeBase, Strategy

SAFETY_STRATEGY = "safety_check"
DID_NOT_HELP_FACTOR = 0.25
REPEATED_TRIES = 3
CLOSURE_RATING = 2
MISSED_FOR_EVIDENCE = 2
NOT_HELPING_FOR_EVIDENCE = 2


@dataclass(frozen=True)
class Suggestion:
    reason: str
    rating: int  # 1 possibly .. 3 clearly
    evidence: tuple[str, ...]  # plain sentences, each naming where it comes from


@dataclass(frozen=True)
class RankedStrategy:
    strategy: Strategy
    score: float
    why: str
    reasons: tuple[str, ...]  # reason ids it answers (rated above 0)
    signals: tuple[str, ...]  # current flags it answers
    cautions: tuple[str, ...]
    tried: str | None = None  # the latest result with this client, if tried


def prefill(
    kb: KnowledgeBase,
    *,
    flags: Sequence[str] = (),
    markers: Mapping[str, int] | None = None,
    missed: int = 0,
    goals_stuck: int = 0,
    not_helping: int = 0,
) -> dict[str, Suggestion]:
    """Reasons the record already points to, each with its evidence and a starting rating.

    `markers` counts, per resistance marker, the recent sessions where the therapist ticked it;
    `missed` the recent cancelled or missed sessions; `goals_stuck` the active goals rated below
    expected at their latest rating; `not_helping` the strategies whose latest result was "did
    not help". The therapist confirms or changes every rating.
    """
    found: dict[str, tuple[int, list[str]]] = {}

    def suggest(weights: Mapping[str, int], sentence: str) -> None:
        for reason, rating in weights.items():
            best, sentences = found.get(reason, (0, []))
            found[reason] = (max(best, rating), [*sentences, sentence])

    keys = [f"flag:{f}" for f in flags]
    if missed >= MISSED_FOR_EVIDENCE:
        keys.append("attendance:missed")
    if goals_stuck:
        keys.append("goals:stuck")
    if not_helping >= NOT_HELPING_FOR_EVIDENCE:
        keys.append("strategies:not_helping")
    for key in keys:
        if key in kb.evidence:
            rule = kb.evidence[key]
            suggest(rule.suggests, f"{rule.sentence} (from the record)")
    for marker_id, count in (markers or {}).items():
        if count and marker_id in kb.markers:
            marker = kb.markers[marker_id]
            times = "once" if count == 1 else f"in {count} sessions"
            suggest(marker.suggests, f"You noted “{marker.label}” {times} recently (checklist).")
    return {
        reason: Suggestion(reason, min(rating, 3), tuple(sentences))
        for reason, (rating, sentences) in sorted(found.items())
    }


def rank_strategies(
    kb: KnowledgeBase,
    ratings: Mapping[str, int],
    flags: Sequence[str] = (),
    *,
    tried: Mapping[str, str] | None = None,
) -> list[RankedStrategy]:
    """Strategies that fit the rated reasons and current flags, best first (rules above)."""
    tried = tried or {}
    flag_set = set(flags)
    not_helping = sum(1 for result in tried.values() if result == "did_not_help")
    ranked: list[RankedStrategy] = []
    for s in kb.strategies.values():
        answered = tuple(r for r in s.fits if ratings.get(r, 0) > 0)
        signals = tuple(f for f in s.signals if f in flag_set)
        score = float(sum(s.fits[r] * ratings[r] for r in answered) + len(signals))
        if s.id == SAFETY_STRATEGY and "safety" in flag_set:
            score = float("inf")
        if score <= 0:
            continue
        if s.closure and not _closure_called_for(s, ratings, not_helping):
            continue
        result = tried.get(s.id)
        if result == "did_not_help":
            score *= DID_NOT_HELP_FACTOR
        ranked.append(
            RankedStrategy(
                strategy=s,
                score=score,
                why=_why(kb, s, answered, signals, ratings, result, not_helping),
                reasons=answered,
                signals=signals,
                cautions=s.cautions,
                tried=result,
            )
        )
    ranked.sort(key=lambda r: (-r.score, r.strategy.id))
    return _closure_never_first(ranked)


def _closure_called_for(s: Strategy, ratings: Mapping[str, int], not_helping: int) -> bool:
    return (
        any(ratings.get(r, 0) >= CLOSURE_RATING for r in s.requires)
        or not_helping >= REPEATED_TRIES
    )


def _closure_never_first(ranked: list[RankedStrategy]) -> list[RankedStrategy]:
    first_open = next((i for i, r in enumerate(ranked) if not r.strategy.closure), None)
    if first_open is None or first_open == 0:
        return ranked
    head = ranked[first_open]
    return [head, *ranked[:first_open], *ranked[first_open + 1 :]]


def _why(
    kb: KnowledgeBase,
    s: Strategy,
    answered: Sequence[str],
    signals: Sequence[str],
    ratings: Mapping[str, int],
    result: str | None,
    not_helping: int,
) -> str:
    parts = []
    if s.id == SAFETY_STRATEGY and "safety" in signals:
        parts.append("A safety question was answered above 0: this comes before everything else.")
    if answered:
        named = ", ".join(
            f"{kb.reasons[r].name.lower()} (rated {ratings[r]})"
            for r in sorted(answered, key=lambda r: (-s.fits[r] * ratings[r], r))
        )
        parts.append(f"It answers {named}.")
    if signals and s.id != SAFETY_STRATEGY:
        parts.append(f"It fits the current flags: {', '.join(signals)}.")
    if s.closure:
        if not_helping >= REPEATED_TRIES:
            parts.append(f"Offered because {not_helping} strategies have already not helped.")
        else:
            parts.append("Offered because the reasons that call for it are rated present.")
    if result == "did_not_help":
        parts.append("Already tried with this client without help, so it is ranked lower.")
    elif result in ("helped", "partly"):
        parts.append(f"Already tried with this client: {result.replace('_', ' ')}.")
    return " ".join(parts)
