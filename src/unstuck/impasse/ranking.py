"""Pre-fill an impasse review from the record, and rank the strategies that fit.

Ranking rules (numbers in ranking.toml, each sourced there; tested in
tests/impasse/test_ranking.py and held to the seeds' situations in test_situations.py):

1. A strategy's score is the sum, over the reasons it fits, of its weight (1-3) times the
   therapist's rating of that reason (0-3), plus `flag_bonus` for each of the client's current
   flags it answers. Strategies scoring 0 are not listed.
2. Safety first: a safety flag from a questionnaire, or the risk/crisis reason rated at all
   (`min_rating`, 1), puts the safety check at the top, always, whatever else scores higher.
3. A strategy whose latest result with this client was "did not help" keeps
   `did_not_help_factor` of its score, so it drops down but stays visible with that note.
4. Closure options (specialist assessment, referral, ending) are offered only when one of the
   reasons that call for them is rated `min_rating` (2) or more, or when `repeated_tries`
   strategies have already not helped; they are never first, and at a first review (nothing
   tried yet) no higher than `first_review_position` (4th) unless a reason that calls for
   them is rated clearly present (3). A simple plateau therefore never leads with an ending.
5. Ties: a closure option after any other option with the same score; then the strategy that
   fits the rated reasons more specifically (the larger share of its own fit weight on reasons
   rated above 0); then by kind (safety and relationship before technique, technique before
   closure: `kind_order`); then by id, so the same inputs always give the same order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from unstuck.impasse.model import KnowledgeBase, Strategy
from unstuck.impasse.rules import RankingRules
from unstuck.progress.wording import FLAG_NAMES


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
    if missed >= kb.rules.evidence_missed:
        keys.append("attendance:missed")
    if goals_stuck:
        keys.append("goals:stuck")
    if not_helping >= kb.rules.evidence_not_helping:
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
    first_review: bool | None = None,
) -> list[RankedStrategy]:
    """Strategies that fit the rated reasons and current flags, best first (rules above).

    `first_review` says whether this is the client's first impasse review; when it is not
    given, a review with nothing tried yet (`tried` empty) counts as a first one.
    """
    rules = kb.rules
    tried = tried or {}
    first = not tried if first_review is None else first_review
    flag_set = set(flags)
    not_helping = sum(1 for result in tried.values() if result == "did_not_help")
    safety_first = _safety_first(rules, ratings, flag_set)
    ranked: list[tuple[tuple[float, bool, float, int, str], RankedStrategy]] = []
    for s in kb.strategies.values():
        answered = tuple(r for r in s.fits if ratings.get(r, 0) > 0)
        signals = tuple(f for f in s.signals if f in flag_set)
        score = sum(s.fits[r] * ratings[r] for r in answered) + rules.flag_bonus * len(signals)
        is_safety = s.id == rules.safety_strategy and safety_first is not None
        if is_safety:
            score = float("inf")
        if score <= 0:
            continue
        if s.closure and not _closure_called_for(rules, s, ratings, not_helping):
            continue
        result = tried.get(s.id)
        if result == "did_not_help":
            score *= rules.did_not_help_factor
        item = RankedStrategy(
            strategy=s,
            score=score,
            why=_why(kb, s, answered, signals, ratings, result, not_helping, safety_first),
            reasons=answered,
            signals=signals,
            cautions=s.cautions,
            tried=result,
        )
        ranked.append((_order(rules, s, score, answered), item))
    ranked.sort(key=lambda pair: pair[0])
    return _place_closure(rules, [item for _, item in ranked], ratings, first)


def specificity(s: Strategy, answered: Sequence[str]) -> float:
    """The share of the strategy's own fit weight that lies on the reasons rated above 0."""
    total = sum(s.fits.values())
    return sum(s.fits[r] for r in answered) / total if total else 0.0


def _order(
    rules: RankingRules, s: Strategy, score: float, answered: Sequence[str]
) -> tuple[float, bool, float, int, str]:
    """Sort key: score, then (ties) closure last, specificity, kind, id (rule 5)."""
    return (-score, s.closure, -specificity(s, answered), rules.kind_rank(s.kind), s.id)


def _safety_first(rules: RankingRules, ratings: Mapping[str, int], flags: set[str]) -> str | None:
    """Why the safety check leads, or None: a questionnaire's safety answer, or a rated risk."""
    if "safety" in flags:
        return "A safety question was answered above 0: this comes before everything else."
    if ratings.get(rules.safety_reason, 0) >= rules.safety_min_rating:
        return "Risk or crisis is rated present in this review: this comes before everything else."
    return None


def _closure_called_for(
    rules: RankingRules, s: Strategy, ratings: Mapping[str, int], not_helping: int
) -> bool:
    return (
        any(ratings.get(r, 0) >= rules.closure_min_rating for r in s.requires)
        or not_helping >= rules.repeated_tries
    )


def _place_closure(
    rules: RankingRules,
    ranked: list[RankedStrategy],
    ratings: Mapping[str, int],
    first_review: bool,
) -> list[RankedStrategy]:
    """Move closure options down to where rule 4 allows them; the rest keep their order."""
    if all(r.strategy.closure for r in ranked):
        return ranked
    placed = [r for r in ranked if not r.strategy.closure]
    for index, item in enumerate(ranked):
        if not item.strategy.closure:
            continue
        clearly = any(
            ratings.get(r, 0) >= rules.closure_clear_rating for r in item.strategy.requires
        )
        lowest = 1 if clearly or not first_review else rules.closure_first_review_position - 1
        placed.insert(min(max(index, lowest), len(placed)), item)
    return placed


def _why(
    kb: KnowledgeBase,
    s: Strategy,
    answered: Sequence[str],
    signals: Sequence[str],
    ratings: Mapping[str, int],
    result: str | None,
    not_helping: int,
    safety_first: str | None,
) -> str:
    rules = kb.rules
    parts = []
    if s.id == rules.safety_strategy and safety_first is not None:
        parts.append(safety_first)
    if answered:
        named = ", ".join(
            f"{kb.reasons[r].name.lower()} (rated {ratings[r]})"
            for r in sorted(answered, key=lambda r: (-s.fits[r] * ratings[r], r))
        )
        parts.append(f"It answers {named}.")
    if signals and s.id != rules.safety_strategy:
        named = ", ".join(FLAG_NAMES.get(f, f).lower() for f in signals)
        parts.append(f"It fits what the record shows now: {named}.")
    if s.closure:
        if not_helping >= rules.repeated_tries:
            parts.append(f"Offered because {not_helping} strategies have already not helped.")
        else:
            parts.append("Offered because the reasons that call for it are rated present.")
    if result == "did_not_help":
        parts.append("Already tried with this client without help, so it is ranked lower.")
    elif result in ("helped", "partly"):
        parts.append(f"Already tried with this client: {result.replace('_', ' ')}.")
    return " ".join(parts)
