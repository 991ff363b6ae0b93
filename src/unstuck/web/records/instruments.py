"""The instruments and detection settings the web app uses (loaded once per process)."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from unstuck.measures import InstrumentSet, load_instruments
from unstuck.progress.config import Thresholds, default_course_models, default_thresholds
from unstuck.progress.course import CourseModel

# What the session form asks by default: depression, anxiety, and our session-feedback form.
SESSION_INSTRUMENTS = ("phq9", "gad7", "session_feedback")
MAIN_INSTRUMENT = "phq9"


@cache
def instruments() -> InstrumentSet:
    extra = [settings.INSTRUMENTS_DIR] if settings.INSTRUMENTS_DIR else []
    return load_instruments(extra)


def course_models() -> dict[str, CourseModel]:
    return default_course_models()


def thresholds() -> Thresholds:
    return default_thresholds()
