"""The ranking held to the situations the five seeds describe (src/unstuck/impasse/situations.toml).

For every situation: the strategies its seed pairs with it are among the first five; the safety
check leads exactly when risk is flagged or rated; closure is never first, and at a first
review not in the first three unless a reason that calls for it is rated clearly present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from unstuck.errors import InvalidDefinition
from unstuck.impasse import default_knowledge, prefill
from unstuck.impasse.model import SEED_FILES, SEED_TITLES
from unstuck.impasse.situations import TOP, Situation, load_situations, parse_situations

KB = default_knowledge()
SITUATIONS = load_situations(KB)


def _ids(situation: Situation) -> list[str]:
    return [r.strategy.id for r in situation.rank(KB)]


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.id)
def test_the_seeds_strategies_are_in_the_first_five(situation: Situation) -> None:
    top = _ids(situation)[:TOP]
    missing = [s for s in situation.expects if s not in top]
    assert not missing, f"{situation.id}: {missing} not in the first {TOP}: {top}"


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.id)
def test_safety_leads_exactly_when_risk_is_flagged_or_rated(situation: Situation) -> None:
    risk = "safety" in situation.flags or situation.ratings.get("safety_crisis", 0) >= 1
    assert (_ids(situation)[0] == "safety_check") == risk


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.id)
def test_closure_is_never_first_nor_early_at_a_first_review(situation: Situation) -> None:
    ranked = situation.rank(KB)
    assert not ranked[0].strategy.closure
    if not situation.first_review:
        return
    for position, item in enumerate(ranked[:3]):
        if item.strategy.closure:
            clearly = [r for r in item.strategy.requires if situation.ratings.get(r, 0) == 3]
            assert clearly, f"{item.strategy.id} is {position + 1}th with no reason rated 3"


@pytest.mark.parametrize("situation", [s for s in SITUATIONS if s.markers], ids=lambda s: s.id)
def test_the_markers_ticked_point_to_reasons_the_therapist_rated(situation: Situation) -> None:
    suggested = prefill(KB, flags=situation.flags, markers=dict(situation.markers))
    assert set(suggested) & set(situation.ratings)


def test_every_seed_has_situations_and_the_issues_cases_are_there() -> None:
    assert {s.seed for s in SITUATIONS} == set(SEED_FILES)
    for seed in SEED_FILES:
        assert sum(s.seed == seed for s in SITUATIONS) >= 4, seed
    named = {s.id for s in SITUATIONS}
    assert {
        "cheery_deflecting_client",
        "overwhelmed_after_intense_sessions",
        "stuck_out_of_fear_after_trauma",
        "adolescent_sent_by_parents",
        "cultural_disconnect",
        "anxious_stuck_in_one_view",
    } <= named


def test_the_issues_examples_now_rank_as_the_seeds_advise() -> None:
    by_id = {s.id: s for s in SITUATIONS}
    fear = _ids(by_id["stuck_out_of_fear_after_trauma"])
    assert fear[:2] == ["trauma_informed", "mindfulness"]
    assert "referral" not in _ids(by_id["cultural_disconnect"])[:5]
    assert _ids(by_id["adolescent_sent_by_parents"]).index("trust_rapport") < 5
    assert _ids(by_id["overwhelmed_after_intense_sessions"])[0] == "revisit_goals"


def test_each_seed_title_is_found_in_its_text(seeds_dir: Path) -> None:
    for seed, title in SEED_TITLES.items():
        assert title in (seeds_dir / seed).read_text("utf-8"), seed


GOOD = """
[[situation]]
id = "x"
seed = "004_fecda28de006f0a0.txt"
who = "someone"
notices = "something"
ratings = { mandated = 3 }
expects = ["motivational_interviewing"]
"""


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (("mandated = 3", "nobody = 3"), "situation[0].ratings", "'nobody' is not a reason id"),
        (("mandated = 3", "mandated = 4"), "situation[0].ratings.mandated", "not 1, 2 or 3"),
        (('"motivational_interviewing"', '"magic"'), "situation[0].expects", "'magic'"),
        (("004_fecda", "009_fecda"), "situation[0].seed", "is no seed"),
        (('who = "someone"', 'whom = "x"'), "situation[0]", "unknown field(s): whom"),
        (("expects = ", 'flags = ["sad"]\nexpects = '), "situation[0].flags", "'sad'"),
    ],
)
def test_a_bad_situation_is_refused_naming_where(
    change: tuple[str, str], where: str, message: str
) -> None:
    with pytest.raises(InvalidDefinition) as caught:
        parse_situations(GOOD.replace(*change), KB)
    assert caught.value.location == where
    assert message in caught.value.reason


def test_a_situation_defined_twice_is_refused() -> None:
    assert len(parse_situations(GOOD, KB)) == 1
    with pytest.raises(InvalidDefinition, match="'x' is defined twice"):
        parse_situations(GOOD + GOOD, KB)
