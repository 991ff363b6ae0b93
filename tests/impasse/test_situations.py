"""The ranking held to the situations the five seeds describe (src/unstuck/impasse/situations.toml).

For every situation: the strategies its seed pairs with it are among the first five; the safety
check leads exactly when risk is flagged or rated (or a client pulling away has possible
addiction rated), and is in the first three whenever the client may be pulling away; closure is
never first nor directly under a leading safety check, and at a first review it comes after
every other strategy that answers the same rated reasons.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from unstuck.errors import InvalidDefinition
from unstuck.impasse import default_knowledge, prefill
from unstuck.impasse.model import SEED_FILES
from unstuck.impasse.situations import TOP, Situation, load_situations, parse_situations
from unstuck.impasse.sources import sources

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
    away = _pulling_away(situation)
    addiction = situation.ratings.get("substance_use", 0) >= 1
    assert (_ids(situation)[0] == "safety_check") == (risk or (away and addiction))


def _pulling_away(situation: Situation) -> bool:
    """Seed 001: the withdrawal flag, or overwhelm or shame rated probably present."""
    rated = situation.ratings
    return (
        "withdrawal_risk" in situation.flags
        or max(rated.get("overwhelm", 0), rated.get("shame", 0)) >= 2
    )


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.id)
def test_a_client_pulling_away_gets_a_safety_check_in_the_first_three(
    situation: Situation,
) -> None:
    if _pulling_away(situation):
        assert "safety_check" in _ids(situation)[:3], _ids(situation)[:5]


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.id)
def test_closure_is_never_first_nor_early_at_a_first_review(situation: Situation) -> None:
    ranked = situation.rank(KB)
    assert not ranked[0].strategy.closure
    if ranked[0].strategy.id == "safety_check" and len(ranked) > 1:
        assert not ranked[1].strategy.closure, "closure directly under a leading safety check"
    if not situation.first_review:
        return
    for position, item in enumerate(ranked):
        if item.strategy.closure:
            below = [
                r.strategy.id
                for r in ranked[position + 1 :]
                if not r.strategy.closure and set(r.reasons) & set(item.reasons)
            ]
            assert not below, f"{item.strategy.id} is above earlier steps {below}"


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
    """The titles people see (sources.toml) are the documents' own headings; seed 001 has
    none, so its title is a description and says that it is untitled."""
    for seed, source in sources().items():
        text = (seeds_dir / seed).read_text("utf-8").replace("\u2019", "'")
        if seed.startswith("001_"):
            assert "untitled" in source.title
            continue
        heading = source.title.split(" (")[0]
        assert heading in text, seed
        assert source.short in text, seed


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
