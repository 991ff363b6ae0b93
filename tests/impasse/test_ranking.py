"""The ranking rules of unstuck.impasse.ranking, each at its edge."""

from __future__ import annotations

from unstuck.impasse import default_knowledge, prefill, rank_strategies
from unstuck.impasse.model import KnowledgeBase, Reason, Strategy
from unstuck.impasse.ranking import specificity

KB = default_knowledge()
REPEATED_TRIES = KB.rules.repeated_tries


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
    # a first review: every other strategy for the struggle comes first (rule 5)
    order = ids(ranked)
    earlier = [r.strategy.id for r in ranked if "mismatch" in r.reasons and not r.strategy.closure]
    assert max(order.index(e) for e in earlier) < order.index("referral")
    assert rank_strategies(KB, {"mismatch": 1}, [])
    assert "referral" not in ids(rank_strategies(KB, {"mismatch": 1}, []))


def test_substance_use_to_rule_out_offers_a_specialist_assessment() -> None:
    assert "specialist_assessment" in ids(rank_strategies(KB, {"substance_use": 2}, []))
    assert "specialist_assessment" in ids(rank_strategies(KB, {"substance_use": 1}, []))
    assert "specialist_assessment" not in ids(rank_strategies(KB, {"honesty": 3}, []))


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


def test_the_order_is_deterministic() -> None:
    ratings = {"outside_stressors": 1, "ambivalence": 2}
    first = rank_strategies(KB, ratings, [])
    assert ids(first) == ids(rank_strategies(KB, dict(reversed(list(ratings.items()))), []))


def test_ties_go_to_the_more_specific_strategy_not_the_alphabet() -> None:
    # Rated vulnerability 1, five strategies score 2. The share of each one's fit weight that
    # lies on vulnerability decides: pace_to_readiness 2/8 and solvable_first 2/8 (then kind:
    # engagement before goals), empathy_validation 2/9, trust_rapport 2/10, open_dialogue 2/16.
    ranked = rank_strategies(KB, {"vulnerability": 1}, [])
    tied = [r.strategy.id for r in ranked if r.score == 2]
    assert tied == [
        "pace_to_readiness",
        "solvable_first",
        "empathy_validation",
        "trust_rapport",
        "open_dialogue",
    ]
    assert tied != sorted(tied)  # by id alone it would start with empathy_validation
    shares = [specificity(r.strategy, r.reasons) for r in ranked if r.score == 2]
    assert shares == sorted(shares, reverse=True)


def _kb(*strategies: Strategy) -> KnowledgeBase:
    reasons = {
        r: Reason(r, r.title(), "a reason for a test", (), ("004_fecda28de006f0a0.txt",))
        for r in ("x", "y")
    }
    return KnowledgeBase(reasons, {s.id: s for s in strategies}, {}, {}, KB.rules)


def _strategy(sid: str, kind: str, fits: dict[str, int], **extra: object) -> Strategy:
    return Strategy(
        id=sid,
        name=sid,
        kind=kind,
        description="a strategy for a test",
        fits=fits,
        signals=(),
        cautions=(),
        seeds=("004_fecda28de006f0a0.txt",),
        **extra,  # type: ignore[arg-type]
    )


def test_at_equal_score_and_fit_the_relationship_comes_before_technique() -> None:
    kb = _kb(
        _strategy("a_skill", "skills", {"x": 1}), _strategy("b_bond", "relationship", {"x": 1})
    )
    assert ids(rank_strategies(kb, {"x": 2}, [])) == ["b_bond", "a_skill"]
    kb = _kb(_strategy("a_goal", "goals", {"x": 1}), _strategy("b_talk", "engagement", {"x": 1}))
    assert ids(rank_strategies(kb, {"x": 2}, [])) == ["b_talk", "a_goal"]


def test_a_closure_option_loses_a_tie_even_when_it_fits_more_specifically() -> None:
    kb = _kb(
        _strategy("c_top", "relationship", {"x": 3}),
        _strategy("a_refer", "closure", {"x": 2}, closure=True, requires=("x",)),
        _strategy("b_talk", "skills", {"x": 2, "y": 2}),
    )
    ranked = rank_strategies(kb, {"x": 3}, [], first_review=False)
    assert [(r.strategy.id, r.score) for r in ranked] == [
        ("c_top", 9),
        ("b_talk", 6),
        ("a_refer", 6),
    ]


def test_risk_rated_in_the_review_puts_the_safety_check_first_as_the_flag_does() -> None:
    ratings = {"mismatch": 3, "ambivalence": 3, "mandated": 3}
    assert "safety_check" not in ids(rank_strategies(KB, ratings, []))
    ranked = rank_strategies(KB, {**ratings, "safety_crisis": 1}, [])
    assert ids(ranked)[0] == "safety_check"
    assert "Risk or crisis is rated present" in ranked[0].why
    assert ids(ranked)[1] != "referral"
    tried = {"safety_check": "did_not_help"}
    assert ids(rank_strategies(KB, {**ratings, "safety_crisis": 1}, [], tried=tried))[0] == (
        "safety_check"
    )


def test_closure_waits_below_the_earlier_steps_until_one_has_not_helped() -> None:
    # Mismatch probably present lets referral in (3 x 2 = 6, as much as the top strategy),
    # but at a first review it comes after every other strategy for the mismatch.
    first = rank_strategies(KB, {"mismatch": 2}, [])
    for_mismatch = [r for r in first if "mismatch" in r.reasons and not r.strategy.closure]
    assert ids(first).index("referral") == len(for_mismatch)
    # A later review where nothing has yet failed still waits; one failure lets it rise.
    later = rank_strategies(KB, {"mismatch": 2}, [], first_review=False)
    assert ids(later).index("referral") == len(for_mismatch)
    tried = {"open_dialogue": "did_not_help"}
    risen = rank_strategies(KB, {"mismatch": 2}, [], tried=tried, first_review=False)
    assert ids(risen).index("referral") == 1  # its score leads; never first
    # The caller's word that this is the first review holds it back whatever was tried.
    held = rank_strategies(KB, {"mismatch": 2}, [], tried=tried, first_review=True)
    assert ids(held).index("referral") > 5


def test_why_names_the_reasons_and_flags_it_answers() -> None:
    ranked = rank_strategies(KB, {"ambivalence": 3}, ["withdrawal_risk"])
    mi = next(r for r in ranked if r.strategy.id == "motivational_interviewing")
    assert mi.why == (
        "It answers ambivalence about change (rated 3). "
        "It fits what the record shows now: signs of pulling away."
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


def test_a_flags_evidence_names_the_measures_that_raised_it() -> None:
    """A review of a client whose GAD-7 was flat and PHQ-9 improved read "scores have
    improved by less than half a reliable change", as if of every measure."""
    suggested = prefill(
        KB,
        flags=["slow_response", "withdrawal_risk"],
        about={"slow_response": "GAD-7 (16 at session 1, 16 at session 8)"},
    )
    said = suggested["not_seeing_progress"].evidence
    assert said == (
        "By the fifth session or later, scores have improved by less than half a reliable "
        "change. (GAD-7 (16 at session 1, 16 at session 8); from the record)",
    )
    assert "mismatch" not in suggested  # a slow response is no sign of a power struggle
    assert all(
        e.endswith(". (from the record)") for e in suggested["ambivalence"].evidence
    )  # a flag with nothing named keeps its sentence


MISSED = "Two or more of the recent sessions were cancelled or missed. (from the record)"


def test_missed_sessions_and_the_withdrawal_flag_they_raised_are_said_once() -> None:
    """A review of a client who missed sessions gave, under each reason they suggest, both 'The
    attendance or feedback pattern suggests the client may be pulling away' and 'Two or more
    of the recent sessions were cancelled or missed': one fact twice. The more specific
    sentence stays (evidence.toml, `replaces`), and the ratings are as before."""
    suggested = prefill(KB, flags=["withdrawal_risk"], missed=2)
    assert set(suggested) == {"ambivalence", "outside_stressors"}
    for reason in suggested.values():
        assert reason.evidence == (MISSED,)
        assert reason.rating == 1
    # the flag raised by something else (a gap, the checklist) keeps its own sentence
    alone = prefill(KB, flags=["withdrawal_risk"], missed=1)["ambivalence"].evidence
    assert alone == (
        "The attendance or feedback pattern suggests the client may be pulling away. "
        "(from the record)",
    )
    # a flag that names the measure behind it (the feedback fell too) says more: kept
    fell = "Session feedback (36 at session 1, 28 at session 5)"
    both = prefill(KB, flags=["withdrawal_risk"], missed=2, about={"withdrawal_risk": fell})
    assert len(both["ambivalence"].evidence) == 2
    assert fell in both["ambivalence"].evidence[0]
