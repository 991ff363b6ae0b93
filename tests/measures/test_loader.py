"""Loading definitions: a clinic's own works like a built-in; every broken file is named."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from frame_scores import score_frame

from unstuck.errors import InvalidDefinition, InvalidValue, UnknownInstrument
from unstuck.measures import (
    InstrumentSet,
    builtin_instruments,
    load_definition,
    load_instruments,
    score_answers,
    score_only_instrument,
)

# A made-up clinic instrument with placeholder item text, shaped like a licensed scale.
CUSTOM = """
id = "wellbeing5"
name = "Wellbeing-5 (clinic licensed)"
description = "A made-up five-item scale used to test clinic definitions."
higher_is_better = true
license = "Licensed to the clinic; item text is a placeholder."
safety_items = [5]
options = [
  {value = 0, label = "Never"}, {value = 1, label = "Sometimes"}, {value = 2, label = "Often"},
]
items = [
  {number = 1, text = "Item one placeholder"},
  {number = 2, text = "Item two placeholder"},
  {number = 3, text = "Item three placeholder"},
  {number = 4, text = "Item four placeholder"},
  {number = 5, text = "Item five placeholder"},
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


def write(folder: Path, text: str, name: str = "broken.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def rejected(tmp_path: Path, old: str, new: str) -> InvalidDefinition:
    assert old in CUSTOM, old
    with pytest.raises(InvalidDefinition) as caught:
        load_definition(write(tmp_path, CUSTOM.replace(old, new, 1)))
    return caught.value


def test_the_custom_example_is_valid(tmp_path: Path) -> None:
    custom = load_definition(write(tmp_path, CUSTOM, "wellbeing5.toml"))
    assert (custom.id, custom.score_min, custom.score_max) == ("wellbeing5", 0, 10)
    assert custom.safety_items == (5,)
    assert [i.link_id for i in custom.items][-1] == "wellbeing5-5"
    assert custom.change.reliability == 0.85
    assert custom.change.clinical_norm is not None
    assert custom.change.clinical_norm.mean == 3.0


def test_a_clinic_definition_loads_and_scores_like_a_builtin(tmp_path: Path) -> None:
    write(tmp_path, CUSTOM, "wellbeing5.toml")
    instruments = load_instruments([tmp_path])
    assert set(instruments) == {"phq9", "gad7", "session_feedback", "wellbeing5"}
    assert instruments.origin("wellbeing5") == "wellbeing5.toml"
    custom = instruments.get_instrument(" WellBeing5 ")
    one = score_answers(custom, [2, 2, 1, None, 0])
    # 5 over 4 answered items, times 5 = 6.25 -> 6
    assert (one.total, one.prorated, one.severity, one.missing_items) == (6.0, True, "high", (4,))
    assert score_answers(custom, [0, 0, 0, 0, 1]).safety_alert is True
    assert score_answers(custom, [0, 0, 0, 0, None]).safety_unanswered == (5,)
    many = score_frame(custom, np.array([[2, 2, 1, np.nan, 0], [0, 0, 0, 0, 1]]))
    assert many.total.tolist() == [6.0, 1.0]
    assert many.safety_alert.tolist() == [False, True]


@pytest.mark.parametrize(
    ("old", "new", "location", "reason"),
    [
        ('name = "Wellbeing-5 (clinic licensed)"\n', "", "name", "is required but missing"),
        (
            '{number = 2, text = "Item two placeholder"}',
            "{number = 2}",
            "items[1].text",
            "is required",
        ),
        (
            'high = 4}, {name = "high", low = 5',
            'high = 3}, {name = "high", low = 5',
            "bands[1].low",
            "is 5, which leaves a gap after bands[0] (up to 3); it should be 4",
        ),
        (
            'high = 4}, {name = "high", low = 5',
            'high = 5}, {name = "high", low = 5',
            "bands[1].low",
            "is 5, which overlaps bands[0] (up to 5); it should be 6",
        ),
        (
            "low = 0, high = 4}",
            "low = 1, high = 4}",
            "bands[0].low",
            "is 1, but the lowest possible total is 0",
        ),
        (
            "high = 10}",
            "high = 12}",
            "bands[1].high",
            "is 12, but the highest possible total is 10",
        ),
        ('{name = "high", low = 5', '{name = "low", low = 5', "bands[1].name", "already used"),
        (
            '{value = 2, label = "Often"}',
            '{value = 1, label = "Often"}',
            "options[2].value",
            "answer value 1 is used twice (also at options[1])",
        ),
        (
            '{number = 2, text = "Item two placeholder"}',
            '{number = 2, text = "Two", options = [{value = 0, label = "a"}, '
            '{value = 0, label = "b"}]}',
            "items[1].options[1].value",
            "answer value 0 is used twice",
        ),
        (
            "higher_is_better = true",
            "higher_is_better = true\nscore_max = 12",
            "score_max",
            "is 12, but the items' highest answers add up to 10",
        ),
        ('id = "wellbeing5"', 'id = "Well Being"', "id", "'Well Being' has the wrong form"),
        ('id = "wellbeing5"', 'id = "5wellbeing"', "id", "'5wellbeing' has the wrong form"),
        ("safety_items = [5]", "safety_items = [6]", "safety_items[0]", "names item 6"),
        ("safety_items = [5]", "safety_items = [0]", "safety_items[0]", "must be at least 1"),
        (
            '{number = 5, text = "Item five placeholder"}',
            '{number = 5, text = "Five", options = [{value = 1, label = "a"}, '
            '{value = 2, label = "b"}]}',
            "items[4].options",
            "item 5 is a safety item, so its lowest answer must be 0",
        ),
        (
            '{number = 3, text = "Item three placeholder"}',
            '{number = 4, text = "Item three placeholder"}',
            "items[2].number",
            "is 4, but items must be numbered 1, 2, 3, ... in the order they appear",
        ),
        ("max_missing = 1", "max_missing = 5", "missing.max_missing", "must be below the number"),
        (
            '{number = 2, text = "Item two placeholder"},\n'
            '  {number = 3, text = "Item three placeholder"}',
            '{number = 2, text = "Two", options = [{value = 0, label = "a"}, '
            '{value = 3, label = "b"}]},\n'
            '{number = 3, text = "Three", options = [{value = 0, label = "a"}, '
            '{value = 1, label = "b"}]}',
            "items[1].options",
            "run from 0 to 3, but item 1's run from 0 to 2; prorating blank items",
        ),
        ("reliability = 0.85", "reliability = 1.5", "change.reliability", "must be below 1"),
        ("reliability = 0.85", "reliability = 0", "change.reliability", "must be above 0"),
        ("sd = 2.0", "sd = -2.0", "change.sd", "must be above 0"),
        ("sd = 2.0\n", "", "change", "give reliability and sd together"),
        ("sd = 2.0", "sd = nan", "change.sd", "must be an ordinary finite number"),
        (
            'source = "clinic norms"',
            'caseness_cutoff = 11\nsource = "clinic norms"',
            "change.caseness_cutoff",
            "is 11, outside the range of totals (0 to 10)",
        ),
        (
            "functional_norm = {mean = 7.0",
            "functional_norm = {mean = 1.0",
            "change.functional_norm.mean",
            "it should be above the clinical mean",
        ),
        (
            "higher_is_better = true",
            'higher_is_better = "yes"',
            "higher_is_better",
            "must be true or false, not text",
        ),
        ('license = "', 'licence = "', "licence", "is not a field here; did you mean 'license'?"),
        ("[missing]", "zzz = 1\n[missing]", "zzz", "is not a field here; the fields are: bands"),
    ],
)
def test_a_broken_definition_names_file_place_and_reason(
    tmp_path: Path, old: str, new: str, location: str, reason: str
) -> None:
    error = rejected(tmp_path, old, new)
    assert error.source == "broken.toml"
    assert error.location == location
    assert reason in error.reason
    assert str(error).startswith(f"broken.toml at {location}: ")


def test_a_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidDefinition) as caught:
        load_definition(write(tmp_path, 'id = "x"\nname = \n'))
    assert caught.value.location == "line 2, column 8"
    assert str(caught.value).startswith("broken.toml at line 2, column 8: is not valid TOML")


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidDefinition, match=r"^absent\.toml: cannot be read"):
        load_definition(tmp_path / "absent.toml")


def test_a_score_only_definition_needs_its_range(tmp_path: Path) -> None:
    head = CUSTOM.split("options = [")[0].replace("safety_items = [5]\n", "")
    ok = load_definition(write(tmp_path, head + "score_min = 0\nscore_max = 63\n", "ok.toml"))
    assert (ok.items, ok.score_min, ok.score_max) == ((), 0, 63)
    with pytest.raises(InvalidDefinition) as caught:
        load_definition(write(tmp_path, head + "score_min = 0\n"))
    assert (caught.value.location, caught.value.reason) == (
        "score_max",
        "is required for a score-only instrument (one without items)",
    )


def test_a_clinic_file_cannot_replace_a_builtin(tmp_path: Path) -> None:
    write(tmp_path, CUSTOM.replace('id = "wellbeing5"', 'id = "phq9"'), "my_phq.toml")
    with pytest.raises(InvalidDefinition) as caught:
        load_instruments([tmp_path])
    assert (caught.value.source, caught.value.location) == ("my_phq.toml", "id")
    assert "'phq9' is already defined by a built-in instrument" in caught.value.reason


def test_two_clinic_files_cannot_share_an_id(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write(first, CUSTOM, "one.toml")
    write(second, CUSTOM, "two.toml")
    with pytest.raises(InvalidDefinition, match=r"^two\.toml at id: 'wellbeing5' .* by one\.toml"):
        load_instruments([first, second])


def test_an_invalid_clinic_file_stops_the_load(tmp_path: Path) -> None:
    write(tmp_path, CUSTOM, "good.toml")
    write(
        tmp_path,
        CUSTOM.replace('id = "wellbeing5"', 'id = "other"').replace("high = 10", "high = 9"),
    )
    with pytest.raises(InvalidDefinition, match=r"^broken\.toml at bands\[1\]\.high"):
        load_instruments([tmp_path])


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidDefinition, match="is not a folder of instrument definitions"):
        load_instruments([tmp_path / "nowhere"])


def test_builtins_are_cached_but_the_dict_is_the_callers() -> None:
    first = builtin_instruments()
    first.pop("phq9")
    again = builtin_instruments()
    assert "phq9" in again
    assert again["gad7"] is first["gad7"]


def test_an_instrument_set_is_immutable_and_grows_by_copy() -> None:
    instruments = load_instruments()
    bdi = score_only_instrument("bdi", reliability=0.9, sd=10, cutoff=14, higher_is_better=False)
    bigger = instruments.with_instrument(bdi)
    assert "bdi" in bigger
    assert "bdi" not in instruments
    assert isinstance(bigger, InstrumentSet)
    with pytest.raises(TypeError):
        bigger["x"] = bdi  # type: ignore[index]
    with pytest.raises(InvalidDefinition, match="'bdi' is already defined"):
        bigger.with_instrument(bdi)
    phq = score_only_instrument("PHQ9", reliability=0.9, sd=5, cutoff=None, higher_is_better=False)
    with pytest.raises(InvalidDefinition, match="built-in"):
        instruments.with_instrument(phq)


def test_an_unknown_instrument_lists_the_known_ones() -> None:
    with pytest.raises(UnknownInstrument) as caught:
        load_instruments().get_instrument("bdi", row=7)
    assert caught.value.known == ("gad7", "phq9", "session_feedback")
    assert caught.value.row == 7
    assert str(caught.value).startswith("row 7, column 'instrument': unknown instrument 'bdi'.")


def test_a_score_only_instrument() -> None:
    bdi = score_only_instrument(" BDI2 ", reliability=0.9, sd=10, cutoff=14, higher_is_better=False)
    # Totals from 0 to a million: `unstuck.measures.limits` says why.
    assert (bdi.id, bdi.name, bdi.items, bdi.score_min, bdi.score_max) == (
        "bdi2",
        "BDI2",
        (),
        0,
        1_000_000,
    )
    assert (bdi.change.reliability, bdi.change.sd, bdi.change.caseness_cutoff) == (0.9, 10, 14)
    assert bdi.change.reliable_change_points is None
    assert bdi.change.source == "given on the command line"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id": "2bdi"}, "--instrument"),
        ({"id": "bdi!"}, "--instrument"),
        ({"id": ""}, "--instrument"),
        ({"reliability": 1.0}, "--reliability"),
        ({"reliability": 0.0}, "--reliability"),
        ({"reliability": math.nan}, "--reliability"),
        ({"sd": 0.0}, "--sd"),
        ({"sd": -3.0}, "--sd"),
        ({"sd": math.inf}, "--sd"),
        ({"cutoff": math.nan}, "--cutoff"),
    ],
)
def test_a_score_only_instrument_rejects_bad_numbers(kwargs: dict[str, object], field: str) -> None:
    given: dict[str, object] = {"id": "bdi", "reliability": 0.9, "sd": 10.0, "cutoff": 14.0}
    given.update(kwargs)
    with pytest.raises(InvalidValue) as caught:
        score_only_instrument(
            str(given["id"]),
            reliability=given["reliability"],  # type: ignore[arg-type]
            sd=given["sd"],  # type: ignore[arg-type]
            cutoff=given["cutoff"],  # type: ignore[arg-type]
            higher_is_better=False,
        )
    assert caught.value.field == field


def test_the_same_folder_named_twice_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The variable and the option naming one folder ("dir" and "./dir/") is not a clash of
    the folder's definitions with themselves."""
    from unstuck.cli import main

    write(tmp_path, CUSTOM, "wellbeing5.toml")
    monkeypatch.setenv("UNSTUCK_INSTRUMENTS_DIR", str(tmp_path))
    assert main(["--instruments-dir", f"{tmp_path}/", "instruments"]) == 0
    assert "wellbeing5" in capsys.readouterr().out


def test_an_instrument_is_found_however_its_id_is_usually_written() -> None:
    instruments = load_instruments()
    for written in ("phq9", " PHQ9 ", "PHQ-9", "phq 9", "Phq_9"):
        assert instruments.id_for(written) == "phq9"
        assert instruments.get_instrument(written).id == "phq9"
    assert instruments.id_for("Session Feedback") == "session_feedback"
    assert instruments.id_for("phq") is None


def test_two_ids_written_alike_are_found_only_as_written() -> None:
    clinic = score_only_instrument(
        "phq_9", reliability=0.9, sd=5, cutoff=None, higher_is_better=False
    )
    instruments = load_instruments().with_instrument(clinic)
    assert (instruments.id_for("phq9"), instruments.id_for("PHQ_9")) == ("phq9", "phq_9")
    assert instruments.id_for("PHQ-9") is None
