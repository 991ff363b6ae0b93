"""The instruments and detection settings the web app uses (loaded once per process)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from unstuck.measures import InstrumentSet, load_instruments, parse_definition_text
from unstuck.progress.config import (
    Thresholds,
    clinic_course_models,
    default_course_models,
    default_thresholds,
    load_thresholds,
)
from unstuck.progress.course import CourseModel

# What the session form asks by default: depression, anxiety, and our session-feedback form.
SESSION_INSTRUMENTS = ("phq9", "gad7", "session_feedback")
MAIN_INSTRUMENT = "phq9"


@cache
def instruments() -> InstrumentSet:
    """Built-in definitions, the clinic's folder (UNSTUCK_INSTRUMENTS_DIR), and uploads."""
    from unstuck.web.instruments.models import ClinicInstrument

    extra = [settings.INSTRUMENTS_DIR] if settings.INSTRUMENTS_DIR else []
    result = load_instruments(extra)
    for row in ClinicInstrument.objects.order_by("uploaded_at", "id"):
        result = result.with_instrument(
            parse_definition_text(row.definition, row.filename), f"uploaded: {row.filename}"
        )
    return result


def reload_instruments() -> None:
    instruments.cache_clear()


@cache
def course_models() -> dict[str, CourseModel]:
    """The shipped expected courses, or the clinic's own from `unstuck fit`.

    UNSTUCK_MODELS_FILE names the file; an instrument it lacks keeps its shipped course.
    """
    if not settings.MODELS_FILE:
        return default_course_models()
    directions = {i.id: i.higher_is_better for i in instruments().values()}
    return clinic_course_models(Path(settings.MODELS_FILE), directions)


@cache
def thresholds() -> Thresholds:
    """The shipped thresholds, or the clinic's own copy (UNSTUCK_THRESHOLDS_FILE)."""
    if not settings.THRESHOLDS_FILE:
        return default_thresholds()
    return load_thresholds(Path(settings.THRESHOLDS_FILE))
