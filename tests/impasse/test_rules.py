"""ranking.toml: every number the ranking uses, read and checked with errors naming the entry."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from unstuck.errors import InvalidDefinition
from unstuck.impasse import load_knowledge
from unstuck.impasse.rules import default_rules, parse_rules

TEXT = (resources.files("unstuck.impasse") / "ranking.toml").read_text("utf-8")


def test_the_shipped_rules_are_the_documented_ones() -> None:
    rules = default_rules()
    assert (rules.safety_strategy, rules.safety_reason, rules.safety_min_rating) == (
        "safety_check",
        "safety_crisis",
        1,
    )
    assert rules.did_not_help_factor == 0.25
    assert rules.closure_min_rating == 2
    assert rules.closure_rise_after == 1
    assert rules.repeated_tries == 3
    assert rules.withdrawal.flags == ("withdrawal_risk",)
    assert rules.withdrawal.position == 3
    assert rules.withdrawal.first_with == ("substance_use",)
    assert [(x.strategy, x.reason, x.min_rating) for x in rules.leads] == [
        ("specialist_assessment", "substance_use", 2)
    ]
    assert (rules.alliance.flag, rules.alliance.reasons) == ("alliance_rupture", ("mismatch",))
    assert rules.kind_order[0] == "safety"
    assert rules.kind_order[-1] == "closure"
    assert rules.kind_rank("relationship") < rules.kind_rank("skills")


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            "did_not_help_factor = 0.25",
            "did_not_help_factor = 2",
            "scoring.did_not_help_factor",
            "outside 0",
        ),
        (
            "repeated_tries = 3",
            'repeated_tries = "three"',
            "closure.repeated_tries",
            "must be a number",
        ),
        (
            "rise_after = 1",
            "rise_after = 1.5",
            "closure.rise_after",
            "whole number",
        ),
        ("position = 3", "position = 9", "withdrawal.position", "outside 1"),
        ('reasons = ["shame", "overwhelm"]', 'reasons = "shame"', "withdrawal.reasons", "list"),
        ("min_rating = 2\nwhy", "min_rating = 0\nwhy", "lead[0].min_rating", "outside 1"),
        ('"skills", ', "", "ties.kind_order", "each kind once"),
        (
            'min_rating = 1\nsource = "seed 001',
            'min_rating = 1\nsourc = "seed 001',
            "safety.source",
            "non-empty text",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_it(old: str, new: str, where: str, message: str) -> None:
    assert old in TEXT
    with pytest.raises(InvalidDefinition) as caught:
        parse_rules(TEXT.replace(old, new, 1))
    assert caught.value.location == where
    assert message in caught.value.reason


def test_a_clinics_copy_may_carry_its_own_rules(tmp_path: Path) -> None:
    folder = resources.files("unstuck.impasse")
    for name in ("reasons.toml", "strategies.toml", "markers.toml", "evidence.toml"):
        (tmp_path / name).write_text((folder / name).read_text("utf-8"), "utf-8")
    assert load_knowledge(tmp_path).rules == default_rules()
    (tmp_path / "ranking.toml").write_text(TEXT.replace("repeated_tries = 3", "repeated_tries = 2"))
    assert load_knowledge(tmp_path).rules.repeated_tries == 2
    (tmp_path / "ranking.toml").write_text(TEXT.replace('reason = "safety_crisis"', 'reason = "x"'))
    with pytest.raises(InvalidDefinition, match="the x reason is required"):
        load_knowledge(tmp_path)
