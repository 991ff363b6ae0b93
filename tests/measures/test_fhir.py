"""FHIR export: parses as an R4(B) Questionnaire and carries the items and options."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from unstuck.measures import builtin_instruments, score_only_instrument, to_fhir_questionnaire


@pytest.mark.parametrize(
    ("instrument_id", "items", "options"),
    [("phq9", 9, 4), ("gad7", 7, 4), ("session_feedback", 4, 11)],
)
def test_builtins_export_as_valid_questionnaires(
    instrument_id: str, items: int, options: int
) -> None:
    resource = to_fhir_questionnaire(builtin_instruments()[instrument_id])
    parsed = Questionnaire.model_validate(resource)
    group = parsed.item[0]
    assert group.type == "group"
    assert len(group.item) == items
    assert all(len(q.answerOption) == options for q in group.item)
    assert group.item[0].answerOption[0].valueCoding.code == "0"


def test_phq9_item_9_text_and_copyright() -> None:
    resource = to_fhir_questionnaire(builtin_instruments()["phq9"])
    last = resource["item"][0]["item"][8]
    assert last["linkId"] == "phq9-9"
    assert last["text"].startswith("Thoughts that you would be better off dead")
    assert "No permission required" in resource["copyright"]


def test_a_score_only_instrument_exports_one_total_item() -> None:
    bdi = score_only_instrument("bdi", reliability=0.9, sd=10, cutoff=14, higher_is_better=False)
    parsed = Questionnaire.model_validate(to_fhir_questionnaire(bdi))
    assert [i.type for i in parsed.item] == ["decimal"]
