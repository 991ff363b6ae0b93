"""The instruments and detection settings the web app uses (loaded once per process)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse

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


def instruments() -> InstrumentSet:
    """Built-in definitions, the clinic's folder (UNSTUCK_INSTRUMENTS_DIR), and uploads.

    Loaded once per process, and again when a request finds uploads stored since by another
    process (`FreshInstrumentsMiddleware`).
    """
    if getattr(_request, "check_uploads", False):
        _request.check_uploads = False
        if _uploads_loaded is not None and _uploads_now() != _uploads_loaded:
            reload_instruments()
    return _load_instruments()


@cache
def _load_instruments() -> InstrumentSet:
    global _uploads_loaded
    from unstuck.web.instruments.models import ClinicInstrument

    extra = [settings.INSTRUMENTS_DIR] if settings.INSTRUMENTS_DIR else []
    result = load_instruments(extra)
    rows = list(ClinicInstrument.objects.order_by("uploaded_at", "id"))
    for row in rows:
        result = result.with_instrument(
            parse_definition_text(row.definition, row.filename), f"the uploaded file {row.filename}"
        )
    _uploads_loaded = (len(rows), max((row.id for row in rows), default=None))
    return result


def _uploads_now() -> tuple[int, int | None]:
    """Uploads are only ever added, so their count and highest id tell whether any are new."""
    from unstuck.web.instruments.models import ClinicInstrument

    now = ClinicInstrument.objects.aggregate(n=Count("id"), last=Max("id"))
    return now["n"], now["last"]


def instrument_name(instrument_id: str) -> str:
    """An instrument's name as people read it ("PHQ-9"); its id when it is not installed."""
    installed = instruments()
    return installed[instrument_id].name if instrument_id in installed else instrument_id


def reload_instruments() -> None:
    _load_instruments.cache_clear()


class FreshInstrumentsMiddleware:
    """Each request looks once for instruments uploaded through another server process.

    `unstuck serve` runs several processes, each with its own copy of `instruments()`; an
    upload reloads only the process that took it, so without this the others kept refusing
    the new instrument ("not one of the available choices") until a restart. The look is one
    small query, made only by a request that uses the instruments.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _request.check_uploads = True
        try:
            return self.get_response(request)
        finally:
            _request.check_uploads = False


_uploads_loaded: tuple[int, int | None] | None = None  # what `_load_instruments` was made from
# Each thread's request: `check_uploads` is set at its start; the request's first use looks.
_request = threading.local()


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
