"""The bounds on a scale's numbers (`unstuck.measures.limits`), for a definition file and for a
scale named on the command line alike: each number out of bounds is refused where it was
given, with the reason, before anything is computed from it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from unstuck.errors import InvalidDefinition, InvalidValue
from unstuck.measures import load_definition, load_instruments, score_only_instrument
from unstuck.measures.limits import LARGEST, SMALLEST, standard_error_of_measurement
from unstuck.measures.loader import instrument_id
from unstuck.progress.change import criteria_for

# A score-only clinic scale, with every number a definition can give.
SCALE = """
id = "bdi_ii"
name = "BDI-II"
description = "A score-only scale for the tests."
higher_is_better = false
license = "Test."
score_min = 0
score_max = 63
[change]
reliability = 0.9
sd = 10.0
caseness_cutoff = 14
clinical_norm = {mean = 30.0, sd = 9.0}
functional_norm = {mean = 8.0, sd = 6.0}
source = "test"
"""


def refused(tmp_path: Path, old: str, new: str) -> InvalidDefinition:
    assert old in SCALE, old
    path = tmp_path / "bdi.toml"
    path.write_text(SCALE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InvalidDefinition) as caught:
        load_definition(path)
    return caught.value


def test_the_scale_loads_as_written(tmp_path: Path) -> None:
    path = tmp_path / "bdi.toml"
    path.write_text(SCALE, encoding="utf-8")
    assert load_definition(path).change.sd == 10


@pytest.mark.parametrize(
    ("old", "new", "location", "reason"),
    [
        ("sd = 10.0", "sd = 1e-300", "change.sd", "is 1e-300, which is too small"),
        ("sd = 10.0", "sd = 1e-160", "change.sd", "at least 0.01"),
        ("sd = 10.0", "sd = 1e300", "change.sd", "is 1e+300, which is too large"),
        ("sd = 9.0}", "sd = 1e-9}", "change.clinical_norm.sd", "too small"),
        ("sd = 6.0}", "sd = 1e9}", "change.functional_norm.sd", "too large"),
        (
            "reliability = 0.9",
            "reliability = 0.999999999",
            "change.reliability",
            "with SD 10 and reliability 0.999999999, the standard error of measurement, "
            "SD * sqrt(1 - reliability), is 0.00032 points; it must be at least 0.01",
        ),
        ("score_max = 63", "score_max = 1e307", "score_max", "is 1e+307, which is too large"),
        ("score_min = 0", "score_min = -2e6", "score_min", "too large"),
        (
            'source = "test"',
            'reliable_change_points = 1e-300\nsource = "test"',
            "change.reliable_change_points",
            "too small",
        ),
        (
            "functional_norm = {mean = 8.0",
            "functional_norm = {mean = 30.0",
            "change.functional_norm.mean",
            "the same as the clinical mean",
        ),
    ],
)
def test_a_definition_with_a_number_out_of_bounds_is_refused_at_its_place(
    tmp_path: Path, old: str, new: str, location: str, reason: str
) -> None:
    error = refused(tmp_path, old, new)
    assert (error.source, error.location) == ("bdi.toml", location)
    assert reason in error.reason


def test_a_scale_whose_items_add_up_beyond_the_bounds_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(
        'id = "big"\nname = "Big"\ndescription = "d"\nhigher_is_better = false\n'
        'license = "l"\noptions = [{value = 0, label = "a"}, {value = 900000, label = "b"}]\n'
        'items = [{number = 1, text = "one"}, {number = 2, text = "two"}]\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidDefinition) as caught:
        load_definition(path)
    assert caught.value.location == "items"
    assert "give totals of 0 to 1.8e+06, and 1.8e+06 is too large" in caught.value.reason


def test_the_bounds_leave_every_scale_a_reliable_change_that_is_written() -> None:
    """Near the smallest standard error allowed (0.01), the reliable change is still written
    as a number above 0 at two decimals: it is about 2.8 times the standard error."""
    assert standard_error_of_measurement(1.0, 0.99985) == pytest.approx(0.01225, abs=1e-5)
    scale = score_only_instrument(
        "tiny", reliability=0.99985, sd=1.0, cutoff=None, higher_is_better=False
    )
    criteria = criteria_for(scale)
    assert criteria is not None
    assert "a change of more than 0.03 points counts as reliable" in criteria.rule


@pytest.mark.parametrize(
    ("option", "kwargs", "reason"),
    [
        ("--sd", {"sd": 1e-300}, "is too small: SDs and changes in points are at least 0.01"),
        ("--sd", {"sd": 1e-160}, "is too small"),
        ("--sd", {"sd": 1e300}, "is too large: SDs and changes in points are at most 1,000,000"),
        ("--sd", {"sd": math.nan}, "is not a number"),
        ("--reliability", {"reliability": 0.999999999}, "the standard error of measurement"),
        ("--cutoff", {"cutoff": -5.0}, "must be a number from 0 to 1,000,000"),
        ("--cutoff", {"cutoff": 1e307}, "must be a number from 0 to 1,000,000"),
        ("--cutoff", {"cutoff": 1e40}, "must be a number from 0 to 1,000,000"),
        ("--cutoff", {"cutoff": math.inf}, "must be a number from 0 to 1,000,000"),
    ],
)
def test_a_scale_named_on_the_command_line_is_held_to_the_same_bounds(
    option: str, kwargs: dict[str, float], reason: str
) -> None:
    given = {"reliability": 0.9, "sd": 10.0, "cutoff": 14.0, **kwargs}
    with pytest.raises(InvalidValue) as caught:
        score_only_instrument("BDI-II", higher_is_better=False, **given)
    assert (caught.value.field, caught.value.value) == (option, kwargs[option.strip("-")])
    assert reason in caught.value.reason


def test_the_bounds_themselves_are_accepted() -> None:
    for sd, cutoff in ((SMALLEST * 10, 0.0), (LARGEST, LARGEST)):
        scale = score_only_instrument(
            "x", reliability=0.5, sd=sd, cutoff=cutoff, higher_is_better=True
        )
        assert (scale.change.sd, scale.change.caseness_cutoff) == (sd, cutoff)


def test_a_name_becomes_an_id_found_however_it_is_written() -> None:
    assert [instrument_id(n) for n in ("BDI-II", " My scale 2 ", "bdi\u2013ii", "2bdi", "")] == [
        "bdi_ii",
        "my_scale_2",
        "bdi_ii",
        None,
        None,
    ]
    bdi = score_only_instrument("BDI-II", reliability=0.9, sd=10, cutoff=14, higher_is_better=False)
    assert (bdi.id, bdi.name) == ("bdi_ii", "BDI-II")
    instruments = load_instruments().with_instrument(bdi)
    for written in ("BDI-II", "bdi ii", "bdi_ii", "BDIII"):
        assert instruments.id_for(written) == "bdi_ii"
