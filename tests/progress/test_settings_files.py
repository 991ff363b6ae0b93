"""A clinic's thresholds and expected-course files: every mistake named, none taken in silence.

Found by trying them: ``residual_sd = nan`` turned the not-on-track rule off with exit 0; a
misspelt key or a number written as text ended in Python's own message or a traceback; a
misspelt instrument table (``[phq_9]``) was ignored and the shipped course used instead.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from unstuck.errors import InvalidDefinition
from unstuck.progress.config import clinic_course_models, load_thresholds

SHIPPED = (resources.files("unstuck.progress") / "thresholds.toml").read_text("utf-8")
DIRECTIONS = {"phq9": False, "gad7": False, "session_feedback": True}
MODEL = """
[phq9]
center = 13.3
slope = -1.7
slope_by_baseline = -0.19
residual_sd = 4.5
slope_sd = 2.0
higher_is_better = false
source = "fitted on this clinic's data"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_thresholds_and_a_good_model_file_load(tmp_path: Path) -> None:
    assert load_thresholds(write(tmp_path, SHIPPED)).plateau.window >= 2
    assert clinic_course_models(write(tmp_path, MODEL), DIRECTIONS)["phq9"].residual_sd == 4.5


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("residual_sd = 4.5", "residual_sd = nan", "residual_sd: nan must be a finite number"),
        ("residual_sd = 4.5", "residual_sd = -4.5", "need residual_sd > 0"),
        ("slope = -1.7", 'slope = "x"', "phq9.slope: 'x' must be a number"),
        ("slope_sd = 2.0", "slope_sd = 2.0\nslope_sdd = 1", "unknown key 'slope_sdd'"),
        ("slope_sd = 2.0\n", "", "missing key(s): slope_sd"),
        ("higher_is_better = false", "higher_is_better = 0", "must be true or false"),
        ("[phq9]", "[phq_9]", "phq_9: is not an installed instrument"),
    ],
)
def test_a_mistake_in_a_model_file_is_named(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in MODEL
    with pytest.raises(InvalidDefinition, match=re.escape(message)):
        clinic_course_models(write(tmp_path, MODEL.replace(old, new, 1)), DIRECTIONS)


def test_a_mistake_in_a_thresholds_file_is_named(tmp_path: Path) -> None:
    found = re.search(r"^min_sessions = (\d+)$", SHIPPED, re.M)
    assert found is not None
    as_text = SHIPPED.replace(found.group(0), 'min_sessions = "six"', 1)
    with pytest.raises(InvalidDefinition, match=r"plateau\.min_sessions: 'six' must be a whole"):
        load_thresholds(write(tmp_path, as_text))
    misspelt = SHIPPED.replace(found.group(0), f"min_sesions = {found.group(1)}", 1)
    with pytest.raises(InvalidDefinition, match="unknown key 'min_sesions'"):
        load_thresholds(write(tmp_path, misspelt))


def test_a_copy_made_before_a_key_was_added_is_told_what_to_add(tmp_path: Path) -> None:
    """A clinic's copy of an older version lacks a rule's new key: refused (the clinic decides
    its rules), naming the key and the value this version ships."""
    line = re.search(r"^level_confidence = .*$", SHIPPED, re.M)
    assert line is not None
    older = SHIPPED.replace(line.group(0) + "\n", "", 1)
    message = f"plateau: missing key(s): level_confidence (the shipped file has {line.group(0)}:"
    with pytest.raises(InvalidDefinition, match=re.escape(message)):
        load_thresholds(write(tmp_path, older))
    negative = SHIPPED.replace(line.group(0), "level_confidence = -1.0", 1)
    with pytest.raises(InvalidDefinition, match=re.escape("need level_confidence >= 0")):
        load_thresholds(write(tmp_path, negative))


def test_the_last_seen_days_are_read_checked_and_an_older_copy_keeps_the_shipped_ones(
    tmp_path: Path,
) -> None:
    """The caseload's "No session for over 4 weeks" reads `[last_seen] days`; a clinic's copy
    made before that table existed still loads, with the shipped value."""
    table = SHIPPED[SHIPPED.index("[last_seen]") :]
    assert load_thresholds(write(tmp_path, SHIPPED)).last_seen.days == 28
    own = load_thresholds(write(tmp_path, SHIPPED.replace("\ndays = 28\n", "\ndays = 42\n")))
    assert own.last_seen.days == 42
    older = load_thresholds(write(tmp_path, SHIPPED.replace(table, "")))
    assert older.last_seen.days == 28
    with pytest.raises(InvalidDefinition, match=re.escape("need days >= 1")):
        load_thresholds(write(tmp_path, SHIPPED.replace("\ndays = 28\n", "\ndays = 0\n")))
    with pytest.raises(InvalidDefinition, match=re.escape("last_seen.days: 'x' must be a whole")):
        load_thresholds(write(tmp_path, SHIPPED.replace("\ndays = 28\n", '\ndays = "x"\n')))
