"""Export an instrument as a FHIR R4 Questionnaire resource (a JSON-ready dict).

FHIR is how another clinical system (an EHR, a forms app) can show the same questionnaire and
send back answers Unstuck can score. The export is plain data; the tests parse it with the
``fhir.resources`` R4B models (R4B did not change Questionnaire from R4).
"""

from __future__ import annotations

import re
from typing import Any

from unstuck.measures.model import Instrument

ANSWER_SYSTEM = "urn:unstuck:answers:"
QUESTIONNAIRE_URL = "urn:unstuck:questionnaire:"


def _fhir_name(name: str) -> str:
    # FHIR's name is machine-friendly: [A-Z]([A-Za-z0-9_]){0,254}.
    words = re.findall(r"[A-Za-z0-9]+", name)
    joined = "".join(w[:1].upper() + w[1:] for w in words) or "Instrument"
    return (joined if joined[0].isalpha() else f"Q{joined}")[:255]


def to_fhir_questionnaire(instrument: Instrument) -> dict[str, Any]:
    """The instrument as a FHIR R4 ``Questionnaire``.

    Layout: when the instrument has a stem ("Over the last 2 weeks, how often ..."), the
    questions sit in one ``group`` item whose text is the stem, so the stem is shown once
    above them as on the paper form; without a stem they are top-level items. Each question is
    a ``choice`` item (``linkId`` ``<id>-<n>``) whose answer options are Codings with the
    scored value as ``code`` and the label as ``display``, so a QuestionnaireResponse can be
    scored without the definition file. A question is ``required`` when the instrument allows
    no missing items. A score-only instrument becomes a single ``decimal`` item for its total.
    The licence text becomes ``copyright``.
    """
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": instrument.id.replace("_", "-"),
        "url": f"{QUESTIONNAIRE_URL}{instrument.id}",
        "version": instrument.version,
        "name": _fhir_name(instrument.name),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": instrument.description,
    }
    if instrument.license:
        resource["copyright"] = instrument.license
    every_item_needed = instrument.missing is None or instrument.missing.max_missing == 0
    system = f"{ANSWER_SYSTEM}{instrument.id}"
    questions: list[dict[str, Any]] = [
        {
            "linkId": item.link_id,
            "prefix": f"{item.number}.",
            "text": item.text,
            "type": "choice",
            "required": every_item_needed,
            "answerOption": [
                {"valueCoding": {"system": system, "code": str(o.value), "display": o.label}}
                for o in item.options
            ],
        }
        for item in instrument.items
    ]
    if not instrument.items:
        questions.append(
            {
                "linkId": f"{instrument.id}-total",
                "text": f"{instrument.name} total score",
                "type": "decimal",
                "required": True,
            }
        )
    elif instrument.stem:
        questions = [
            {"linkId": instrument.id, "text": instrument.stem, "type": "group", "item": questions}
        ]
    resource["item"] = questions
    return resource
