"""Definition files: built-ins load, a clinic's own works like a built-in, bad ones are named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from unstuck.errors import InvalidDefinition, UnknownInstrument
from unstuck.measures import (
    builtin_instruments,
    load_definition,
    load_instruments,
    score_answers,
    score_matrix,
)

CUSTOM = """
id = "wellbeing5"
name = "Wellbeing-5 (clinic licensed)"
description = "A made-up five-item scale used to test clinic definitions."
higher_is_better = true
license = "Licensed to the clinic; item text is a placeholder."
options = [
  {value = 0, label = "Never"}, {value = 1, label = "Sometimes"}, {value = 2, label = "Often"},
]
items = [
  {text = "Item one placeholder"}, {text = "Item two placeholder"},
  {text = "Item three placeholder"}, {text = "Item four placeholder"},
  {text = "Item five placeholder", safety = true},
]
bands = [{name = "low", low = 0, high = 4}, {name = "high", low = 5, high = 10}]
[missing]
max_missing = 1
source = "clinic rule"
[change]
reliability = 0.85
sd = 2.0
clinical_norm = {mean = 3.0, sd = 1.5}
functional_norm = {mean = 7.0, sd = 1.5}
source = "clinic norms"
"""


def test_the_builtins_load_with_their_sources() -> None:
    builtins = builtin_instruments()
    assert set(builtins) == {"phq9", "gad7", "session_feedback"}
    phq = builtins["phq9"]
    assert len(phq.items) == 9
    assert phq.safety_items == (9,)
    assert (phq.score_min, phq.score_max) == (0, 27)
    assert "No permission required" in phq.license
    assert builtins["gad7"].change.caseness_cutoff == 8
    assert "PROVISIONAL" in builtins["session_feedback"].change.source


def test_a_clinic_definition_works_like_a_builtin(tmp_path: Path) -> None:
    (tmp_path / "wellbeing5.toml").write_text(CUSTOM)
    instruments = load_instruments([tmp_path])
    custom = instruments.get_instrument("WellBeing5")
    assert custom.score_max == 10
    score = score_answers(custom, [2, 2, 1, None, 0])
    assert (score.total, score.prorated, score.severity) == (6.0, True, "high")
    arrays = score_matrix(custom, np.array([[2, 2, 1, np.nan, 0]], dtype=float))
    assert arrays.total[0] == 6.0
    with pytest.raises(UnknownInstrument) as caught:
        instruments.get_instrument("bdi")
    assert "wellbeing5" in str(caught.value)


def broken(tmp_path: Path, old: str, new: str) -> str:
    path = tmp_path / "broken.toml"
    assert old in CUSTOM
    path.write_text(CUSTOM.replace(old, new))
    with pytest.raises(InvalidDefinition) as caught:
        load_definition(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('name = "Wellbeing-5 (clinic licensed)"\n', "", "broken.toml: 'name' is a required"),
        (
            'high = 4}, {name = "high", low = 5',
            'high = 3}, {name = "high", low = 5',
            "broken.toml at bands[1].low: gap between 3 and 5",
        ),
        (
            'high = 4}, {name = "high", low = 5',
            'high = 5}, {name = "high", low = 5',
            "broken.toml at bands[1].low: 5 overlaps the band before it",
        ),
        (
            '{value = 2, label = "Often"}',
            '{value = 1, label = "Often"}',
            "broken.toml at items[0].options: answer values repeat",
        ),
        ("high = 10}", "high = 12}", "broken.toml at bands[1].high: is 12; the top is 10"),
        (
            'id = "wellbeing5"',
            'id = "Well Being"',
            "broken.toml at id: 'Well Being' does not match",
        ),
        ("max_missing = 1", "max_missing = 5", "broken.toml at missing.max_missing: must be below"),
        ("reliability = 0.85", "reliability = 1.5", "broken.toml at change.reliability"),
        ("higher_is_better = true", 'higher_is_better = "yes"', "broken.toml at higher_is_better"),
    ],
)
def test_a_broken_definition_names_file_and_place(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert broken(tmp_path, old, new).startswith(message)


def test_a_clinic_file_cannot_replace_a_builtin(tmp_path: Path) -> None:
    (tmp_path / "phq9.toml").write_text(CUSTOM.replace('id = "wellbeing5"', 'id = "phq9"'))
    with pytest.raises(InvalidDefinition, match="'phq9' is already defined"):
        load_instruments([tmp_path])


def test_unreadable_toml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("id = ")
    with pytest.raises(InvalidDefinition, match=r"bad\.toml: is not valid TOML"):
        load_definition(path)
