"""The instruments and detection settings the web app uses (loaded once per process)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings

import unstuck
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


def usual_order(instrument_id: str) -> tuple[int, str]:
    """Sort key: the session form's measures in its order (PHQ-9 first), then the rest by id,
    so the client page, the letters and the portal's request list name them alike."""
    if instrument_id in SESSION_INSTRUMENTS:
        return SESSION_INSTRUMENTS.index(instrument_id), ""
    return len(SESSION_INSTRUMENTS), instrument_id


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


def instrument_name(instrument_id: str) -> str:
    """An instrument's name as people read it ("PHQ-9"); its id when it is not installed."""
    installed = instruments()
    return installed[instrument_id].name if instrument_id in installed else instrument_id


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


@cache
def rules_code() -> str:
    """The code of the rules: the core's detection package, the snapshot's own module (next
    steps) and the safety alerts' sentences (a safety next step quotes them). A change there
    between two releases of the same version remakes every snapshot too (`unstuck serve` does
    it before it starts), so no status is kept from rules that were replaced."""
    import unstuck.progress
    from unstuck.web.records import safety, snapshots

    files = sorted(Path(unstuck.progress.__file__).parent.glob("*.py"))
    files += [Path(snapshots.__file__), Path(safety.__file__)]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def rules_version() -> str:
    """A fingerprint of the rules a status is made with: the Unstuck version and the rules'
    code, the thresholds, the expected courses and every instrument definition (a status
    snapshot names it, see `unstuck.web.records.snapshots`). Worked out again only when one
    of them was reloaded."""
    global _fingerprint
    rules = (thresholds(), course_models(), instruments())
    if _fingerprint is None or any(a is not b for a, b in zip(_fingerprint[0], rules, strict=True)):
        text = "\n".join(
            (
                unstuck.__version__,
                rules_code(),
                repr(rules[0]),
                repr(sorted(rules[1].items())),
                repr(sorted(rules[2].items())),
            )
        )
        _fingerprint = rules, hashlib.sha256(text.encode()).hexdigest()[:16]
    return _fingerprint[1]


_fingerprint: tuple[tuple[object, object, object], str] | None = None
