"""The instruments and detection settings the web app uses (loaded once per process)."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from unstuck.measures import InstrumentSet, load_instruments, parse_definition_text
from unstuck.progress.config import Thresholds, default_course_models, default_thresholds
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


def course_models() -> dict[str, CourseModel]:
    return default_course_models()


def thresholds() -> Thresholds:
    return default_thresholds()
