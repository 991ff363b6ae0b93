"""Instruments: definitions as data, their loader, scoring and FHIR export. Pure Python.

An instrument (PHQ-9, GAD-7, Unstuck's session feedback, or a clinic's own) is described by a
TOML file checked against ``schema/instrument.schema.json``; see ``docs/instruments.md``.
"""

from unstuck.measures.definition import parse_definition
from unstuck.measures.fhir import to_fhir_questionnaire
from unstuck.measures.loader import (
    InstrumentSet,
    builtin_instruments,
    load_definition,
    load_instruments,
    parse_definition_text,
    score_only_instrument,
)
from unstuck.measures.model import Instrument
from unstuck.measures.scoring import (
    Score,
    ScoreExpressions,
    band_index,
    check_total,
    fewest_answers,
    score_answers,
    score_expressions,
    severity_of,
)

__all__ = [
    "Instrument",
    "InstrumentSet",
    "Score",
    "ScoreExpressions",
    "band_index",
    "builtin_instruments",
    "check_total",
    "fewest_answers",
    "load_definition",
    "load_instruments",
    "parse_definition",
    "parse_definition_text",
    "score_answers",
    "score_expressions",
    "score_only_instrument",
    "severity_of",
    "to_fhir_questionnaire",
]
