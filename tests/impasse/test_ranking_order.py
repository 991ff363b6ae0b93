"""The order the seeds ask for, case by case (the reviewer's cases, with concrete positions).

- Seed 001 (When clients withdraw from therapy): a client pulling away gets a safety check near
  the top, first when possible addiction is rated; reassurance waits until safety is checked.
- Seeds 002 and 004: referral and endings come after the earlier steps for the same reasons at
  a first review, and rise once something has been tried without help.
- Seed 004: the assessment that rules out an addiction is not an ending, and comes first.
- Seed 003: pointing out deflection waits while the working relationship is strained.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from unstuck.impasse import default_knowledge, prefill, rank_strategies
from unstuck.impasse.ranking import RankedStrategy
from unstuck.impasse.situations import load_situations

KB = default_knowledge()
SITUATIONS = {s.id: s for s in load_situations(KB)}


def ids(ratings: Mapping[str, int], flags: Sequence[str] = (), **extra: object) -> list[str]:
    return [r.strategy.id for r in rank_strategies(KB, ratings, flags, **extra)]  # type: ignore[arg-type]


def item(ranked: list[RankedStrategy], sid: str) -> RankedStrategy:
    return next(r for r in ranked if r.strategy.id == sid)


# --- 1. Pulling away: a safety check near the top -------------------------------------------


def test_a_withdrawal_flag_with_missed_sessions_lists_the_safety_check_third() -> None:
    suggested = prefill(KB, flags=["withdrawal_risk"], missed=3)
    ratings = {r: s.rating for r, s in suggested.items()}
    assert "safety_crisis" not in ratings  # pulling away is not itself a risk answer
    ranked = rank_strategies(KB, ratings, ["withdrawal_risk"])
    order = [r.strategy.id for r in ranked]
    assert order.index("safety_check") == 2
    assert "pulling away" in item(ranked, "safety_check").why


def test_pulling_away_with_possible_addiction_puts_safety_first_then_the_assessment() -> None:
    order = ids({"substance_use": 2}, ["withdrawal_risk"])
    assert order[:2] == ["safety_check", "specialist_assessment"]
    assert ids({"substance_use": 1}, ["withdrawal_risk"])[0] == "safety_check"
    ranked = rank_strategies(KB, {"substance_use": 2}, ["withdrawal_risk"])
    assert "possible addiction is rated" in ranked[0].why


def test_overwhelm_or_shame_rated_counts_as_pulling_away_without_the_flag() -> None:
    assert ids({"overwhelm": 2}).index("safety_check") == 2
    assert ids({"shame": 2}).index("safety_check") <= 2
    # One notch lower is only "possibly present": not read as pulling away.
    assert "safety_check" not in ids({"overwhelm": 1})
    # Fear of vulnerability or ambivalence alone, in a client who keeps coming, is not either.
    assert "safety_check" not in ids({"vulnerability": 3, "ambivalence": 3}, ["plateau"])


def test_normalising_pulling_back_waits_until_safety_has_been_checked() -> None:
    order = ids({"shame": 3}, ["withdrawal_risk"])
    assert order[:3] == ["empathy_validation", "safety_check", "normalise_withdrawal"]


def test_the_existing_rule_stays_safety_first_on_the_flag_or_a_rated_risk() -> None:
    assert ids({"overwhelm": 3}, ["withdrawal_risk", "safety"])[0] == "safety_check"
    assert ids({"overwhelm": 3, "safety_crisis": 1}, ["withdrawal_risk"])[0] == "safety_check"


# --- 2. Endings and referrals after the earlier steps at a first review ----------------------


def test_honesty_clearly_present_refers_only_after_naming_the_gap_and_talking() -> None:
    order = ids({"honesty": 3})
    assert order == [
        "address_honesty",
        "explain_approach",
        "consultation",
        "open_dialogue",
        "referral",
        "respectful_ending",
    ]


def test_a_client_sent_by_others_is_not_suspected_of_a_gap_nobody_has_seen() -> None:
    """A teenager sent by their parents (mandated 3, nothing else rated) was offered 'Address the
    gap between accounts and actions' fifth: naming a mismatch that nobody had reported."""
    assert "address_honesty" not in ids({"mandated": 3, "ambivalence": 1}, ["withdrawal_risk"])
    assert "address_honesty" in ids({"mandated": 3, "honesty": 1})[:2]


def test_withholding_alone_refers_fifth_not_fourth() -> None:
    assert ids({"honesty": 2}).index("referral") == 4


def test_the_spouse_sent_client_gets_no_ending_in_the_first_five() -> None:
    first = [r.strategy.id for r in SITUATIONS["sent_by_spouse_accounts_do_not_match"].rank(KB)]
    assert first[:5] == [
        "address_honesty",
        "motivational_interviewing",
        "collaborative_reframe",
        "psychoeducation",
        "open_dialogue",
    ]
    assert first.index("respectful_ending") > first.index("allow_time")
    later = [r.strategy.id for r in SITUATIONS["sent_by_spouse_no_buy_in_continues"].rank(KB)]
    assert later.index("referral") == 1  # the gap goes on without buy-in: refer out


def test_a_strained_power_struggle_gets_dialogue_and_time_before_a_referral() -> None:
    order = ids({"mismatch": 3}, ["alliance_rupture"])
    assert order[:4] == ["explain_approach", "collaborative_reframe", "open_dialogue", "allow_time"]
    assert order.index("referral") == 9
    assert order.index("respectful_ending") == 10
    tried = {"allow_time": "did_not_help", "open_dialogue": "did_not_help"}
    assert ids({"mismatch": 3}, ["alliance_rupture"], tried=tried).index("referral") == 1


def test_no_ending_sits_right_under_an_open_safety_check() -> None:
    order = ids({"mismatch": 3, "ambivalence": 3}, ["safety"])
    assert order[:3] == ["safety_check", "open_dialogue", "allow_time"]
    assert order.index("respectful_ending") > 10
    # Even at a later review, once something failed, the ending keeps one step away.
    tried = {"open_dialogue": "did_not_help"}
    later = ids({"mismatch": 3, "ambivalence": 3}, ["safety"], tried=tried, first_review=False)
    assert later[0] == "safety_check"
    assert later.index("respectful_ending") == 2


# --- 3. The specialist assessment is a first step, not an ending -----------------------------


def test_the_addiction_assessment_is_offered_at_any_rating_and_leads_when_probable() -> None:
    assessment = KB.strategies["specialist_assessment"]
    assert not assessment.closure
    assert assessment.kind != "closure"
    assert "specialist_assessment" not in ids({"honesty": 2})
    assert ids({"substance_use": 1}).index("specialist_assessment") == 0  # its score leads
    assert ids({"substance_use": 2, "ambivalence": 3, "mandated": 3})[0] == "specialist_assessment"
    assert ids({"substance_use": 2, "safety_crisis": 1, "ambivalence": 3})[:2] == [
        "safety_check",
        "specialist_assessment",
    ]
    first = rank_strategies(KB, {"substance_use": 2, "ambivalence": 3, "mandated": 3}, [])
    assert "addressed" in first[0].why or "assessing it comes before" in first[0].why


# --- 4. Pushing waits while the relationship is strained -------------------------------------

DEFLECTING = {"outside_control": 2, "surface_talk": 2, "vulnerability": 1, "outside_stressors": 1}


def test_pointing_out_deflection_waits_below_the_repair_steps_on_a_rupture() -> None:
    secure = ids(DEFLECTING, ["plateau"])
    assert secure[:2] == ["name_deflection", "agree_purpose"]
    ranked = rank_strategies(KB, DEFLECTING, ["plateau", "alliance_rupture"])
    strained = [r.strategy.id for r in ranked]
    repairs = [i for i, r in enumerate(ranked) if "alliance_rupture" in r.strategy.signals]
    assert strained.index("name_deflection") == max(repairs) + 1
    assert strained.index("agree_purpose") == max(repairs) + 2
    assert strained.index("open_dialogue") == 2
    assert "working relationship looks strained" in item(ranked, "name_deflection").why


def test_a_struggle_rated_in_the_review_holds_it_back_as_the_flag_does() -> None:
    order = ids({**DEFLECTING, "mismatch": 1}, ["plateau"])
    assert order.index("name_deflection") > order.index("open_dialogue")
    assert order.index("name_deflection") > order.index("trust_rapport")


def test_pointing_out_deflection_needs_a_sign_of_it_not_only_missed_sessions() -> None:
    """A client who missed sessions (the withdrawal flag; nothing ticked in the room, no
    strain) was offered 'Kindly point out deflection' on 'pressure from outside therapy'
    alone: life taking the client's energy, not the talk sliding away from the hard part."""
    missed = prefill(KB, flags=["withdrawal_risk"], missed=2)
    ratings = {r: s.rating for r, s in missed.items()}
    assert "name_deflection" not in ids(ratings, ["withdrawal_risk"])
    assert "name_deflection" not in ids({"outside_stressors": 3}, ["plateau"])
    # a sign of it in the room, ticked on the checklist or rated in the review: offered
    ticked = prefill(KB, flags=["withdrawal_risk"], missed=2, markers={"deflected_to_stressors": 1})
    assert "name_deflection" in ids({r: s.rating for r, s in ticked.items()}, ["withdrawal_risk"])
    for reason in ("outside_control", "surface_talk", "vulnerability", "denial"):
        assert "name_deflection" in ids({"outside_stressors": 1, reason: 1}), reason


def test_holding_back_is_declared_in_the_data() -> None:
    declared = {s.id for s in KB.strategies.values() if s.needs_secure_alliance}
    assert declared == {"name_deflection", "agree_purpose"}
    assert {s.id for s in KB.strategies.values() if s.after_safety_check} == {
        "normalise_withdrawal"
    }
