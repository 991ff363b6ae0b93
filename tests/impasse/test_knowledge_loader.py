"""The knowledge base loader: schema, references and seeds are checked, with clear places."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from unstuck.errors import InvalidDefinition
from unstuck.impasse import load_knowledge
from unstuck.impasse.loader import FILES


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in FILES:
        source = resources.files("unstuck.impasse") / name
        shutil.copyfile(str(source), tmp_path / name)
    return tmp_path


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_copy_loads_like_the_original(copy: Path) -> None:
    kb = load_knowledge(copy)
    assert "safety_check" in kb.strategies
    assert len(kb.reasons) >= 20


def test_an_unknown_reason_in_fits_is_named(copy: Path) -> None:
    edit(copy, "strategies.toml", "fits = { safety_crisis = 3", "fits = { crisis = 3")
    with pytest.raises(InvalidDefinition) as caught:
        load_knowledge(copy)
    assert caught.value.source == "strategies.toml"
    assert caught.value.location == "strategy[0].fits"
    assert "'crisis' is not a reason id" in str(caught.value)


def test_a_schema_error_names_the_field(copy: Path) -> None:
    edit(copy, "strategies.toml", 'kind = "safety"', 'kind = "magic"')
    with pytest.raises(InvalidDefinition, match=r"strategies\.toml at strategy\.0\.kind"):
        load_knowledge(copy)


def test_a_weight_outside_one_to_three_is_refused(copy: Path) -> None:
    edit(copy, "strategies.toml", "fits = { safety_crisis = 3", "fits = { safety_crisis = 5")
    with pytest.raises(InvalidDefinition, match=r"strategy\.0\.fits\.safety_crisis"):
        load_knowledge(copy)


def test_a_duplicate_id_is_refused(copy: Path) -> None:
    edit(copy, "reasons.toml", 'id = "shame"', 'id = "vulnerability"')
    with pytest.raises(InvalidDefinition, match="'vulnerability' is defined twice"):
        load_knowledge(copy)


def test_a_seed_that_does_not_exist_is_refused(copy: Path) -> None:
    edit(copy, "markers.toml", "000_2ef1d7c88fd8593b.txt", "009_0000000000000000.txt")
    with pytest.raises(InvalidDefinition, match=r"markers\.toml"):
        load_knowledge(copy)


def test_a_closure_option_must_say_what_calls_for_it(copy: Path) -> None:
    referral = 'requires = ["mismatch", "competence_limits", "therapist_factors", "substance_use"'
    edit(copy, "strategies.toml", referral, "# " + referral)
    with pytest.raises(InvalidDefinition, match="needs the reasons that call for it"):
        load_knowledge(copy)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('reasons = ["shame", "overwhelm"]', 'reasons = ["shame", "overwelm"]', "withdrawal"),
        ('first_with = ["substance_use"]', 'first_with = ["drink"]', "withdrawal.first_with"),
        ('strategy = "specialist_assessment"', 'strategy = "assessment"', "lead[0].strategy"),
        ('flag = "alliance_rupture"', 'flag = "rupture"', "alliance.flag"),
    ],
)
def test_a_rule_naming_an_unknown_reason_strategy_or_flag_is_refused(
    copy: Path, old: str, new: str, where: str
) -> None:
    """A typo in ranking.toml would silently switch a safety or ordering rule off."""
    shutil.copyfile(str(resources.files("unstuck.impasse") / "ranking.toml"), copy / "ranking.toml")
    edit(copy, "ranking.toml", old, new)
    with pytest.raises(InvalidDefinition) as caught:
        load_knowledge(copy)
    assert caught.value.source == "ranking.toml"
    assert caught.value.location.startswith(where)
    assert "is not defined" in caught.value.reason


def test_evidence_may_replace_only_evidence_it_covers(copy: Path) -> None:
    """A sentence that stands in for a less specific one must suggest at least what that one
    does, or leaving the other out would lower a starting rating."""
    edit(copy, "evidence.toml", 'replaces = ["flag:withdrawal_risk"]', 'replaces = ["flag:away"]')
    with pytest.raises(InvalidDefinition, match="'flag:away' is not an evidence id"):
        load_knowledge(copy)
    edit(copy, "evidence.toml", 'replaces = ["flag:away"]', 'replaces = ["flag:plateau"]')
    with pytest.raises(InvalidDefinition, match="suggests less than 'flag:plateau'"):
        load_knowledge(copy)
