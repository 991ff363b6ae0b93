"""The shipped definitions say what their sources say; the schema and docs stay usable."""

from __future__ import annotations

import re
import tomllib
from dataclasses import astuple
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from unstuck.measures import builtin_instruments, load_definition, score_answers
from unstuck.measures.definition_schema import instrument_schema

DOCS = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"
FREQUENCY = ["Not at all", "Several days", "More than half the days", "Nearly every day"]


def test_the_builtins_are_the_three_shipped() -> None:
    assert set(builtin_instruments()) == {"phq9", "gad7", "session_feedback"}


def test_every_shipped_file_passes_the_schema_a_clinic_file_must_pass() -> None:
    # The shipped definitions skip the schema check when loaded (it would cost every start);
    # here they meet it, and load through the same path as a clinic's own file.
    folder = Path(__file__).resolve().parents[2] / "src" / "unstuck" / "measures" / "definitions"
    files = sorted(folder.glob("*.toml"))
    assert [f.stem for f in files] == ["gad7", "phq9", "session_feedback"]
    validator = jsonschema.Draft202012Validator(instrument_schema())
    for path in files:
        assert list(validator.iter_errors(tomllib.loads(path.read_text("utf-8")))) == [], path
        loaded, shipped = load_definition(path), builtin_instruments()[path.stem]
        assert astuple(loaded) == astuple(shipped)


def test_phq9_is_the_published_form() -> None:
    phq = builtin_instruments()["phq9"]
    assert phq.stem == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert [i.text for i in phq.items] == [
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or "
        "your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite "
        "\u2014 being so fidgety or restless that you have been moving around a lot more than "
        "usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ]
    for item in phq.items:
        assert [(o.value, o.label) for o in item.options] == list(enumerate(FREQUENCY))
    assert phq.safety_items == (9,)
    assert [(b.name, b.low, b.high) for b in phq.bands] == [
        ("minimal", 0, 4),
        ("mild", 5, 9),
        ("moderate", 10, 14),
        ("moderately severe", 15, 19),
        ("severe", 20, 27),
    ]
    assert (phq.score_min, phq.score_max, phq.higher_is_better) == (0, 27, False)
    assert phq.missing is not None
    assert phq.missing.max_missing == 2
    assert "Arrieta et al., 2017" in phq.missing.source
    assert (phq.change.reliable_change_points, phq.change.caseness_cutoff) == (6, 10)
    assert "NHS Talking Therapies" in phq.change.source
    assert phq.license.endswith(
        "with an educational grant from Pfizer Inc. No permission required to reproduce, "
        "translate, display or distribute."
    )
    assert any("Kroenke K, Spitzer RL, Williams JBW (2001)" in c for c in phq.citations)


def test_gad7_is_the_published_form() -> None:
    gad = builtin_instruments()["gad7"]
    assert gad.stem == (
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )
    assert [i.text for i in gad.items] == [
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ]
    for item in gad.items:
        assert [o.label for o in item.options] == FREQUENCY
    assert gad.safety_items == ()
    assert [(b.name, b.low, b.high) for b in gad.bands] == [
        ("minimal", 0, 4),
        ("mild", 5, 9),
        ("moderate", 10, 14),
        ("severe", 15, 21),
    ]
    assert gad.missing is not None
    assert gad.missing.max_missing == 1
    assert (gad.change.reliable_change_points, gad.change.caseness_cutoff) == (4, 8)
    assert "No permission required" in gad.license
    assert any("Spitzer RL, Kroenke K, Williams JBW, Löwe B (2006)" in c for c in gad.citations)


def test_session_feedback_is_our_own_provisional_form() -> None:
    form = builtin_instruments()["session_feedback"]
    assert len(form.items) == 4
    assert form.higher_is_better is True
    assert (form.score_min, form.score_max) == (0, 40)
    labels = ["Not at all", *map(str, range(1, 10)), "Completely"]
    for item in form.items:
        assert [(o.value, o.label) for o in item.options] == list(enumerate(labels))
    assert form.bands == ()
    assert form.safety_items == ()
    assert form.missing is not None
    assert form.missing.max_missing == 0
    assert form.change.reliable_change_points == 5
    assert form.change.caseness_cutoff is None
    assert form.change.source.startswith("PROVISIONAL Unstuck default")
    assert "CC BY 4.0" in form.license
    assert score_answers(form, [7, 8, 6, 9]).total == 30


@pytest.mark.parametrize("instrument_id", ["phq9", "gad7", "session_feedback"])
def test_every_builtin_states_licence_and_sources(instrument_id: str) -> None:
    instrument = builtin_instruments()[instrument_id]
    assert instrument.license
    assert instrument.citations
    assert instrument.change.source
    assert instrument.missing is not None
    assert instrument.missing.source


def _properties_without_description(node: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                found.append(f"{path}.{name}")
        for key, sub in node.items():
            found += _properties_without_description(sub, f"{path}.{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            found += _properties_without_description(sub, f"{path}[{i}]")
    return found


def test_the_schema_is_valid_and_documents_every_property() -> None:
    schema = instrument_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert _properties_without_description(schema, "$") == []


def test_the_example_in_the_docs_loads(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1
    path = tmp_path / "wellbeing5.toml"
    path.write_text(blocks[0], encoding="utf-8")
    example = load_definition(path)
    assert (example.id, len(example.items), example.score_max) == ("wellbeing5", 5, 10)
    assert example.safety_items == (5,)
    assert all("[Item" in item.text for item in example.items)  # placeholders, not real text
    score = score_answers(example, [2, 2, 1, None, 0])
    assert (score.total, score.severity) == (6.0, "moderate wellbeing")
