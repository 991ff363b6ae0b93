"""Export an instrument as a FHIR R4 Questionnaire resource (JSON-ready dict)."""

from __future__ import annotations

from typing import Any

from unstuck.measures.model import Instrument

ANSWER_SYSTEM = "urn:unstuck:answers:"


def to_fhir_questionnaire(instrument: Instrument) -> dict[str, Any]:
    """The instrument as a FHIR R4 ``Questionnaire``: one ``choice`` item per question.

    Each answer option is a Coding whose code is the scored value, so a completed
    QuestionnaireResponse can be scored without the definition file at hand. A score-only
    instrument becomes a single ``decimal`` item for its total.
    """
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": instrument.id.replace("_", "-"),
        "url": f"urn:unstuck:questionnaire:{instrument.id}",
        "version": instrument.version,
        "name": "".join(ch for ch in instrument.name.title() if ch.isalnum()) or "Instrument",
        "title": instrument.name,
        "status": "active",
        "description": instrument.description,
    }
    if instrument.license:
        resource["copyright"] = instrument.license
    items: list[dict[str, Any]] = []
    for item in instrument.items:
        system = f"{ANSWER_SYSTEM}{instrument.id}"
        items.append(
            {
                "linkId": item.link_id,
                "prefix": str(item.number),
                "text": item.text,
                "type": "choice",
                "required": instrument.missing is None,
                "answerOption": [
                    {"valueCoding": {"system": system, "code": str(o.value), "display": o.label}}
                    for o in item.options
                ],
            }
        )
    if not instrument.items:
        items.append(
            {
                "linkId": f"{instrument.id}-total",
                "text": f"{instrument.name} total",
                "type": "decimal",
                "required": True,
            }
        )
    if instrument.stem and instrument.items:
        # The stem introduces every question, so it is the text of the group that holds them.
        items = [{"linkId": instrument.id, "text": instrument.stem, "type": "group", "item": items}]
    resource["item"] = items
    return resource
