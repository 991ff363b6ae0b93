"""The ranking rules of unstuck.impasse.ranking, each at its edge."""

from __future__ import annotations

import itertools

from unstuck.impasse import default_knowledge, prefill, rank_strategies
from unstuck.impasse.ranking import REPEATED_TRIES

KB = default_knowledge()


def ids(ranked) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.strategy.id for r in ranked]


def test_a_safety_flag_puts_the_safety_check_first_whatever_else_scores() -> None:
    ratings = {"ambivalence": 3, "mandated": 3, "denial": 3}  # MI would score highest
    ranked = rank_strategies(KB, ratings, ["safety", "plateau"])
    assert ids(ranked)[0] == "safety_check"
    assert "comes before everything else" in ranked[0].why
    assert "safety_check" not in ids(rank_strategies(KB, ratings, ["plateau"]))


def test_a_simple_plateau_never_leads_with_an_ending() -> None:
    suggested = prefill(KB, flags=["plateau"])
    ratings = {r: s.rating for r, s in suggested.items()}
    ranked = rank_strategies(KB, ratings, ["plateau"])
    assert not any(r.strategy.closure for r in ranked)
    assert ids(ranked)[0] == "revisit_goals"


def test_closure_is_offered_when_its_reasons_are_rated_but_never_first() -> None:
    only_mismatch = {"mismatch": 3}
    ranked = rank_strategies(KB, only_mismatch, [])
    assert "referral" in ids(ranked)
    assert "respectful_ending" in ids(ranked)
    assert not ranked[0].strategy.closure  # referral would score highest (3 x 3) but is not first
    assert ids(ranked)[1] == "referral"
    assert rank_strategies(KB, {"mismatch": 1}, [])
    assert "referral" not in ids(rank_strategies(KB, {"mismatch": 1}, []))


def test_substance_use_to_rule_out_offers_a_specialist_assessment() -> None:
    assert "specialist_assessment" in ids(rank_strategies(KB, {"substance_use": 2}, []))
    assert "specialist_assessment" not in ids(rank_strategies(KB, {"substance_use": 1}, []))


def test_repeated_tries_without_help_offer_an_ending_even_without_those_reasons() -> None:
    ratings = {"not_seeing_progress": 2}
    tried = {"revisit_goals": "did_not_help", "open_dialogue": "did_not_help"}
    assert "respectful_ending" not in ids(rank_strategies(KB, ratings, [], tried=tried))
    tried["strengths_based"] = "did_not_help"
    assert len(tried) == REPEATED_TRIES
    ranked = rank_strategies(KB, {**ratings, "mismatch": 1}, [], tried=tried)
    assert "respectful_ending" in ids(ranked)
    ending = next(r for r in ranked if r.strategy.id == "respectful_ending")
    assert "3 strategies have already not helped" in ending.why


def test_a_strategy_that_did_not_help_drops_but_stays_visible() -> None:
    ratings = {"goals_misfit": 3}
    before = ids(rank_strategies(KB, ratings, []))
    assert before[0] == "revisit_goals"
    ranked = rank_strategies(KB, ratings, [], tried={"revisit_goals": "did_not_help"})
    after = ids(ranked)
    assert after.index("revisit_goals") > 0
    item = ranked[after.index("revisit_goals")]
    assert item.score == 9 * 0.25
    assert "without help" in item.why


def test_the_order_is_deterministic_and_ties_go_by_id() -> None:
    ratings = {"outside_stressors": 1}
    first = rank_strategies(KB, ratings, [])
    assert ids(first) == ids(rank_strategies(KB, dict(reversed(list(ratings.items()))), []))
    for a, b in itertools.pairwise(first):
        assert (-a.score, a.strategy.id) <= (-b.score, b.strategy.id)


def test_why_names_the_reasons_and_flags_it_answers() -> None:
    ranked = rank_strategies(KB, {"ambivalence": 3}, ["withdrawal_risk"])
    mi = next(r for r in ranked if r.strategy.id == "motivational_interviewing")
    assert mi.why == (
        "It answers ambivalence about change (rated 3). It fits the current flags: withdrawal_risk."
    )
    assert mi.score == 3 * 3 + 1


def test_prefill_quotes_its_evidence_and_takes_the_highest_rating() -> None:
    suggested = prefill(
        KB,
        flags=["withdrawal_risk", "alliance_rupture"],
        markers={"minimised_need": 2, "avoided_topics": 0},
        missed=2,
        goals_stuck=1,
        not_helping=1,
    )
    assert suggested["ambivalence"].rating == 2  # marker says 2, flag and attendance say 1
    assert any("not sure I need a session today" in e for e in suggested["ambivalence"].evidence)
    assert suggested["goals_misfit"].rating == 2
    assert "vulnerability" not in suggested  # a marker ticked 0 times is no evidence
    assert "unmet_needs" in suggested  # from the rupture flag
    assert suggested["unmet_needs"].rating == 1  # one strategy not helping is below the rule
    assert prefill(KB) == {}
