"""Pre-fill an impasse review from the record, and rank the strategies that fit.

Ranking rules (numbers, reason lists and the sentences shown in ranking.toml, each sourced
there; tested in tests/impasse/test_ranking.py and test_ranking_order.py, and held to the seeds'
situations in test_situations.py):

1. A strategy's score is the sum, over the reasons it fits, of its weight (1-3) times the
   therapist's rating of that reason (0-3), plus `flag_bonus` for each of the client's current
   flags it answers. Strategies scoring 0 are not listed. A strategy with `requires` is listed
   only when one of those reasons is rated (closure options: see rule 5).
2. Safety first: a safety flag from a questionnaire, or the risk/crisis reason rated at all
   (`min_rating`, 1), puts the safety check at the top, always, whatever else scores higher.
   A client who may be pulling away (`[withdrawal]`: the withdrawal flag, or a reason for
   withdrawal rated probably present) gets the safety check listed, no lower than
   `position` (3rd), and first when possible addiction (`first_with`) is rated at all.
   `[[lead]]` strategies (the specialist assessment when addiction is rated probably
   present) come next after a leading safety check, or first.
3. A strategy whose latest result with this client was "did not help" keeps
   `did_not_help_factor` of its score, so it drops down but stays visible with that note.
4. While the working relationship is strained (`[alliance]`: the rupture flag, or a struggle
   or mismatch rated), a strategy declared `needs_secure_alliance` is held below every listed
   strategy that answers the rupture flag (the steps that repair it).
5. Closure options (referral, endings) are offered only when one of the reasons that call for
   them is rated `min_rating` (2) or more, or when `repeated_tries` strategies have already
   not helped. They are never first nor directly under a leading safety check. At the
   client's first review, and until `rise_after` strategies were tried without help, each
   comes after every other listed strategy that answers one of the same rated reasons: the
   seeds' earlier steps first. A simple plateau therefore never leads with an ending.
6. Ties: a closure option after any other option with the same score; then the strategy that
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

# Evidence from the session checklist, in the therapist's own voice (the review form is theirs);
# a page that shows the review to someone else names its author in place of NOTED.
NOTED = "You noted"
MARKER_EVIDENCE = NOTED + " “{label}” {times} recently (checklist)."
# The sentence that names the client's current signals, true on the day of the ranking. Plans
# store it as written and pages date it when shown (`unstuck.web.reviews.knowledge.as_of`), so
# keep the words: stored plans hold them.
SIGNALS_NOW = "It fits what the record shows now: "


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
    safety_checked: bool = False,
    about: Mapping[str, str] | None = None,
) -> dict[str, Suggestion]:
    """Reasons the record already points to, each with its evidence and a starting rating.

    `markers` counts, per resistance marker, the recent sessions where the therapist ticked it;
    `missed` the recent cancelled or missed sessions; `goals_stuck` the active goals rated below
    expected at their latest rating; `not_helping` the strategies whose latest result was "did
    not help"; `safety_checked` a safety answer earlier in the episode whose check is recorded
    (an open one is the safety flag); `about` names, per flag, the measures that raised it
    and their scores, put beside the flag's sentence. Evidence that another present one
    `replaces` (evidence.toml) is not said twice, unless it names measures of its own. The
    therapist confirms or changes every rating.
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
    if safety_checked and "safety" not in flags:
        keys.append("safety:checked")
    if not_helping >= kb.rules.evidence_not_helping:
        keys.append("strategies:not_helping")
    present = [kb.evidence[key] for key in keys if key in kb.evidence]
    replaced = {other for rule in present for other in rule.replaces}
    for rule in present:
        named = (about or {}).get(rule.id.removeprefix("flag:"), "")
        if rule.id in replaced and not named:  # said better by another (evidence.toml)
            continue
        suggest(rule.suggests, f"{rule.sentence} ({named + '; ' if named else ''}from the record)")
    for marker_id, count in (markers or {}).items():
        if count and marker_id in kb.markers:
            marker = kb.markers[marker_id]
            times = "once" if count == 1 else f"in {count} sessions"
            suggest(marker.suggests, MARKER_EVIDENCE.format(label=marker.label, times=times))
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

    `first_review` says whether this is the client's first impasse review; closure options are
    held back then, and at any review until a strategy has been tried without help (rule 5).
    """
    rules = kb.rules
    tried = tried or {}
    flag_set = set(flags)
    not_helping = sum(1 for result in tried.values() if result == "did_not_help")
    safety = _safety_place(rules, ratings, flag_set)
    safety_leads = safety is not None and safety[0] == 1
    strained = rules.alliance.strained(ratings, flag_set)
    leads = {
        lead.strategy: lead.why
        for lead in rules.leads
        if ratings.get(lead.reason, 0) >= lead.min_rating
    }
    ranked: list[tuple[tuple[float, bool, float, int, str], RankedStrategy]] = []
    for s in kb.strategies.values():
        answered = tuple(r for r in s.fits if ratings.get(r, 0) > 0)
        signals = tuple(f for f in s.signals if f in flag_set)
        score = sum(s.fits[r] * ratings[r] for r in answered) + rules.flag_bonus * len(signals)
        is_safety = s.id == rules.safety_strategy and safety is not None
        if is_safety and safety_leads:
            score = float("inf")
        if score <= 0 and not is_safety:
            continue
        if s.requires and not _offered(rules, s, ratings, not_helping):
            continue
        result = tried.get(s.id)
        if result == "did_not_help":
            score *= rules.did_not_help_factor
        notes = [safety[1]] if is_safety and safety is not None else []
        if s.id in leads:
            notes.append(leads[s.id])
        if strained and s.needs_secure_alliance:
            notes.append(rules.alliance.why)
        item = RankedStrategy(
            strategy=s,
            score=score,
            why=_why(kb, s, answered, signals, ratings, result, not_helping, notes),
            reasons=answered,
            signals=signals,
            cautions=s.cautions,
            tried=result,
        )
        ranked.append((_order(rules, s, score, answered), item))
    ranked.sort(key=lambda pair: pair[0])
    placed = [item for _, item in ranked]
    if strained:
        placed = _hold_back_until_repaired(rules, placed)
    held = first_review is True or not_helping < rules.closure_rise_after
    placed = _place_closure(placed, held, safety_leads=safety_leads)
    for sid in reversed(list(leads)):  # after a safety check that leads, else first
        placed = _move(placed, sid, 1 if safety_leads else 0)
    return _lift_safety_check(rules, placed, safety)


def specificity(s: Strategy, answered: Sequence[str]) -> float:
    """The share of the strategy's own fit weight that lies on the reasons rated above 0."""
    total = sum(s.fits.values())
    return sum(s.fits[r] for r in answered) / total if total else 0.0


def _order(
    rules: RankingRules, s: Strategy, score: float, answered: Sequence[str]
) -> tuple[float, bool, float, int, str]:
    """Sort key: score, then (ties) closure last, specificity, kind, id (rule 6)."""
    return (-score, s.closure, -specificity(s, answered), rules.kind_rank(s.kind), s.id)


def _safety_place(
    rules: RankingRules, ratings: Mapping[str, int], flags: set[str]
) -> tuple[int, str] | None:
    """Where the safety check must be (1 = first) and why, or None when no rule places it."""
    if "safety" in flags:
        return 1, "A safety question was answered above 0: this comes before everything else."
    if ratings.get(rules.safety_reason, 0) >= rules.safety_min_rating:
        return (
            1,
            "Risk or crisis is rated present in this review: this comes before everything else.",
        )
    away = rules.withdrawal
    if away.pulling_away(ratings, flags):
        if any(ratings.get(r, 0) >= 1 for r in away.first_with):
            return 1, away.why_first
        return away.position, away.why
    return None


def _lift_safety_check(
    rules: RankingRules, ranked: list[RankedStrategy], safety: tuple[int, str] | None
) -> list[RankedStrategy]:
    """The safety check no lower than its place (rule 2), and above every strategy declared
    `after_safety_check` (reassurance waits until safety has been checked)."""
    ids = [r.strategy.id for r in ranked]
    if rules.safety_strategy not in ids:
        return ranked
    index = ids.index(rules.safety_strategy)
    if safety is not None:
        index = min(index, safety[0] - 1)
    waiting = [i for i, r in enumerate(ranked) if r.strategy.after_safety_check]
    if waiting:
        index = min(index, waiting[0])
    return _move(ranked, rules.safety_strategy, index, only_up=True)


def _offered(
    rules: RankingRules, s: Strategy, ratings: Mapping[str, int], not_helping: int
) -> bool:
    """A strategy with `requires` is offered when one of them is rated: present at all, or for
    a closure option probably present, or when repeated tries have not helped (rule 5)."""
    if not s.closure:
        return any(ratings.get(r, 0) > 0 for r in s.requires)
    return (
        any(ratings.get(r, 0) >= rules.closure_min_rating for r in s.requires)
        or not_helping >= rules.repeated_tries
    )


def _move(
    ranked: list[RankedStrategy], sid: str, index: int, *, only_up: bool = False
) -> list[RankedStrategy]:
    """`ranked` with strategy `sid` (if listed) at `index`; `only_up` never moves it down."""
    at = next((i for i, r in enumerate(ranked) if r.strategy.id == sid), None)
    if at is None or (only_up and at <= index):
        return ranked
    rest = ranked[:at] + ranked[at + 1 :]
    return [*rest[:index], ranked[at], *rest[index:]]


def _hold_back_until_repaired(
    rules: RankingRules, ranked: list[RankedStrategy]
) -> list[RankedStrategy]:
    """Strategies that need a secure alliance go below every listed repair step (rule 4)."""
    held = [r for r in ranked if r.strategy.needs_secure_alliance]
    if not held:
        return ranked
    rest = [r for r in ranked if not r.strategy.needs_secure_alliance]
    repairs = [i for i, r in enumerate(rest) if rules.alliance.flag in r.strategy.signals]
    at = repairs[-1] + 1 if repairs else 0
    return [*rest[:at], *held, *rest[at:]]


def _place_closure(
    ranked: list[RankedStrategy], held: bool, *, safety_leads: bool
) -> list[RankedStrategy]:
    """Move closure options down to where rule 5 allows them; the rest keep their order."""
    if all(r.strategy.closure for r in ranked):
        return ranked
    placed = [r for r in ranked if not r.strategy.closure]
    for index, item in enumerate(ranked):
        if not item.strategy.closure:
            continue
        lowest = 2 if safety_leads else 1
        if held:
            earlier = [i for i, r in enumerate(placed) if set(r.reasons) & set(item.reasons)]
            lowest = max(lowest, earlier[-1] + 1 if earlier else 0)
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
    notes: Sequence[str],
) -> str:
    rules = kb.rules
    parts = list(notes)
    if answered:
        named = ", ".join(
            f"{kb.reasons[r].name.lower()} (rated {ratings[r]})"
            for r in sorted(answered, key=lambda r: (-s.fits[r] * ratings[r], r))
        )
        parts.append(f"It answers {named}.")
    if signals and s.id != rules.safety_strategy:
        named = ", ".join(FLAG_NAMES.get(f, f).lower() for f in signals)
        parts.append(f"{SIGNALS_NOW}{named}.")
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
