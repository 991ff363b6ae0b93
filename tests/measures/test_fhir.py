"""FHIR export: parses as an R4 Questionnaire (fhir.resources R4B models) with the right content.

fhir.resources 8 models R5 at the top level; ``fhir.resources.R4B`` holds the R4B models, and
R4B left Questionnaire unchanged from R4, so parsing with them checks R4 conformance.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from unstuck.measures import (
    builtin_instruments,
    load_definition,
    score_only_instrument,
    to_fhir_questionnaire,
)


def parse(resource: dict[str, object]) -> Questionnaire:
    # A JSON round trip first: what is exported is text, and must survive being text.
    return Questionnaire.model_validate(json.loads(json.dumps(resource)))


def test_phq9_exports_nine_choice_questions_with_four_options() -> None:
    phq9 = builtin_instruments()["phq9"]
    parsed = parse(to_fhir_questionnaire(phq9))
    assert parsed.status == "active"
    assert parsed.url == "urn:unstuck:questionnaire:phq9"
    assert (parsed.id, parsed.name, parsed.title) == ("phq9", "PHQ9", "PHQ-9")
    assert "No permission required to reproduce" in parsed.copyright
    [group] = parsed.item
    assert (group.type, group.text) == ("group", phq9.stem)
    assert len(group.item) == 9
    for number, question in enumerate(group.item, start=1):
        assert question.linkId == f"phq9-{number}"
        assert question.type == "choice"
        assert question.text == phq9.items[number - 1].text
        assert question.required is False  # two blanks may be prorated
        codings = [option.valueCoding for option in question.answerOption]
        assert [(c.code, c.display) for c in codings] == [
            ("0", "Not at all"),
            ("1", "Several days"),
            ("2", "More than half the days"),
            ("3", "Nearly every day"),
        ]
        assert {c.system for c in codings} == {"urn:unstuck:answers:phq9"}
    assert group.item[8].text.startswith("Thoughts that you would be better off dead")


@pytest.mark.parametrize(
    ("instrument_id", "fhir_id", "items", "options", "required"),
    [
        ("gad7", "gad7", 7, 4, False),
        ("session_feedback", "session-feedback", 4, 11, True),
    ],
)
def test_the_other_builtins_export(
    instrument_id: str, fhir_id: str, items: int, options: int, required: bool
) -> None:
    instrument = builtin_instruments()[instrument_id]
    parsed = parse(to_fhir_questionnaire(instrument))
    assert parsed.id == fhir_id
    [group] = parsed.item
    assert len(group.item) == items
    assert all(len(q.answerOption) == options for q in group.item)
    assert all(q.required is required for q in group.item)
    assert parsed.copyright == instrument.license


def test_session_feedback_options_are_labelled_at_the_ends() -> None:
    resource = to_fhir_questionnaire(builtin_instruments()["session_feedback"])
    displays = [o["valueCoding"]["display"] for o in resource["item"][0]["item"][0]["answerOption"]]
    assert displays == ["Not at all", *map(str, range(1, 10)), "Completely"]


def test_a_score_only_instrument_exports_one_total_item() -> None:
    bdi = score_only_instrument("bdi", reliability=0.9, sd=10, cutoff=14, higher_is_better=False)
    resource = to_fhir_questionnaire(bdi)
    parsed = parse(resource)
    [item] = parsed.item
    assert (item.type, item.linkId, item.required) == ("decimal", "bdi-total", True)
    assert "copyright" not in resource  # nothing licensed to state


def test_an_instrument_without_a_stem_has_top_level_questions(tmp_path: Path) -> None:
    path = tmp_path / "two.toml"
    path.write_text(
        """
id = "two_items"
name = "2-item check"
description = "Two placeholder questions."
higher_is_better = true
license = "Placeholder."
options = [{value = 0, label = "No"}, {value = 1, label = "Yes"}]
items = [{number = 1, text = "First?"}, {number = 2, text = "Second?"}]
""",
        encoding="utf-8",
    )
    parsed = parse(to_fhir_questionnaire(load_definition(path)))
    assert parsed.name == "Q2ItemCheck"  # FHIR names start with a capital letter
    assert parsed.id == "two-items"
    assert [q.linkId for q in parsed.item] == ["two_items-1", "two_items-2"]
    assert all(q.required for q in parsed.item)
