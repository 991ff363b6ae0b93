"""What helps whom in this clinic: each strategy's recorded results, by the reasons rated.

For each strategy chosen in a plan: how often it was chosen and tried, its latest recorded
result with each client (helped, partly, did not help), and whether the client was back on
track some sessions after the plan began; overall and broken down by each reason rated in the
review that led to the plan. Shares come with Wilson 95% intervals and are withheld below a
minimum count (numbers in outcomes.toml, each sourced there).

These figures describe association in the clinic's own records, never proof: who was offered
which strategy was not random, and clients, therapists and lives differ. They sit beside the
seeds' guidance and never reorder it. Pure: no Django, no I/O beyond reading outcomes.toml.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from statistics import NormalDist

from unstuck.errors import InvalidDefinition, InvalidValue

CAVEAT = (
    "These figures come from this clinic's own records. They show what went together, not "
    "what caused what: who was offered which strategy was not decided by chance, and clients "
    "and circumstances differ."
)
TRIED = ("helped", "partly", "did_not_help")
RESULTS = (*TRIED, "not_tried")


@dataclass(frozen=True)
class OutcomeRules:
    min_n: int
    confidence: float
    follow_up_sessions: int
    min_rating: int


@cache
def default_outcome_rules() -> OutcomeRules:
    data = tomllib.loads((resources.files("unstuck.impasse") / "outcomes.toml").read_text())
    try:
        rules = OutcomeRules(
            min_n=int(data["min_n"]),
            confidence=float(data["confidence"]),
            follow_up_sessions=int(data["follow_up_sessions"]),
            min_rating=int(data["min_rating"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidDefinition("outcomes.toml", "", f"missing or bad value: {exc}") from None
    if not 0 < rules.confidence < 1 or rules.min_n < 1 or not data.get("source"):
        raise InvalidDefinition("outcomes.toml", "", "confidence in (0, 1), min_n >= 1, source")
    return rules


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for k successes in n (Wilson, 1927; Newcombe, 1998)."""
    if n <= 0 or not 0 <= k <= n:
        raise InvalidValue("k/n", f"{k}/{n}", "needs 0 <= k <= n and n >= 1")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Share:
    k: int
    n: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.k / self.n

    def sentence(self) -> str:
        return (
            f"{self.k} of {self.n} ({self.value:.0%}; 95% interval "
            f"{self.low:.0%} to {self.high:.0%})"
        )


@dataclass(frozen=True)
class Trial:
    """One strategy in one plan: what the review rated, what was recorded, what followed."""

    client: str
    strategy: str
    ratings: Mapping[str, int]  # the review's reason ratings (0-3)
    result: str | None  # the latest recorded result; None when nothing was recorded
    back_on_track: bool | None = None  # None: too few sessions since the plan began


@dataclass(frozen=True)
class Tally:
    strategy: str
    reason: str | None  # None: every plan the strategy was in
    chosen: int  # plans it was chosen in
    clients: int
    helped: int
    partly: int
    did_not_help: int
    helped_share: Share | None  # helped / tried; None below the minimum
    back_on_track: Share | None  # of those with a known follow-up; None below the minimum

    @property
    def tried(self) -> int:
        return self.helped + self.partly + self.did_not_help


def _share(k: int, n: int, rules: OutcomeRules) -> Share | None:
    if n < rules.min_n:
        return None
    low, high = wilson(k, n, rules.confidence)
    return Share(k, n, low, high)


def _tally(strategy: str, reason: str | None, trials: list[Trial], rules: OutcomeRules) -> Tally:
    counts = {r: sum(1 for t in trials if t.result == r) for r in TRIED}
    known = [t.back_on_track for t in trials if t.back_on_track is not None]
    tried = sum(counts.values())
    return Tally(
        strategy=strategy,
        reason=reason,
        chosen=len(trials),
        clients=len({t.client for t in trials}),
        helped=counts["helped"],
        partly=counts["partly"],
        did_not_help=counts["did_not_help"],
        helped_share=_share(counts["helped"], tried, rules),
        back_on_track=_share(sum(known), len(known), rules),
    )


def what_helps_whom(
    trials: Iterable[Trial], rules: OutcomeRules | None = None
) -> dict[tuple[str, str | None], Tally]:
    """(strategy, reason or None for all) -> its tally, for every strategy chosen at least once.

    A trial counts for a reason when the review rated that reason at least `min_rating`.
    """
    rules = rules or default_outcome_rules()
    groups: dict[tuple[str, str | None], list[Trial]] = {}
    for t in trials:
        if t.result is not None and t.result not in RESULTS:
            raise InvalidValue("result", t.result, f"is not one of {', '.join(RESULTS)}")
        groups.setdefault((t.strategy, None), []).append(t)
        for reason, rating in t.ratings.items():
            if rating >= rules.min_rating:
                groups.setdefault((t.strategy, reason), []).append(t)
    return {
        key: _tally(key[0], key[1], group, rules)
        for key, group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    }


def hint(tally: Tally, rules: OutcomeRules | None = None) -> str | None:
    """The line a review shows beside a suggestion, or None below the minimum count."""
    rules = rules or default_outcome_rules()
    if tally.tried < rules.min_n:
        return None
    where = "for this reason" if tally.reason else "in all"
    parts = [f"helped in {tally.helped}"]
    if tally.partly:
        parts.append(f"partly in {tally.partly}")
    if tally.did_not_help:
        parts.append(f"did not help in {tally.did_not_help}")
    text = f"In this clinic, tried {tally.tried} times {where}: {', '.join(parts)}."
    if tally.back_on_track is not None:
        text += (
            f" Back on track {rules.follow_up_sessions} sessions after the plan began: "
            f"{tally.back_on_track.k} of {tally.back_on_track.n}."
        )
    return text


def best_hint(
    tallies: Mapping[tuple[str, str | None], Tally],
    strategy: str,
    ratings: Mapping[str, int],
    rules: OutcomeRules | None = None,
) -> str | None:
    """The hint for a strategy in a review: for the highest-rated reason with enough records.

    Among the reasons rated in this review, the one rated highest (then most tried) that has
    reached the minimum count; otherwise nothing. Never used to reorder the suggestions.
    """
    rules = rules or default_outcome_rules()
    candidates = [
        (rating, tallies[(strategy, reason)])
        for reason, rating in ratings.items()
        if rating >= rules.min_rating and (strategy, reason) in tallies
    ]
    candidates = [(rating, t) for rating, t in candidates if t.tried >= rules.min_n]
    if not candidates:
        return None
    _, tally = max(candidates, key=lambda c: (c[0], c[1].tried, c[1].reason or ""))
    return hint(tally, rules)
