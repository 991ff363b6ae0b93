"""The client's pages: no account, one questionnaire per page, phone first.

A private link (``/q/<token>/``) or a kiosk code unlocks one request for this browser (the
request's id is kept in the server-side session, so the token leaves the address bar after the
first page); every later page reads that request and nothing else. Pages never show a name or a
client code, and are never cached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from unstuck.errors import UnstuckError
from unstuck.impasse.client_check import client_check
from unstuck.measures import score_answers
from unstuck.measures.model import Instrument
from unstuck.measures.translations import in_language
from unstuck.web.accounts.throttle import client_address
from unstuck.web.portal import selectors, services, throttle
from unstuck.web.portal.models import QuestionnaireRequest, TokenKind
from unstuck.web.records.instruments import instruments

SESSION_KEY = "portal_request_id"
VIA_KEY = "portal_via"
SENT_KEY = "portal_sent"  # this browser sent its answers: Back says so, not "wrong link"
LANGUAGE_KEY = "portal_language"  # the language the client chose ("": the forms' own)
CHOOSE_ONE = _("Please choose an answer for this question.")
MESSAGES = {
    "unknown": _(
        "This link or code does not open a questionnaire. Please check it, or ask your "
        "clinic for a new one."
    ),
    "expired": _(
        "This questionnaire has closed. If you would still like to answer it, please ask "
        "your clinic for a new link."
    ),
    "used": _("These answers have already been sent. Thank you."),
    "locked": _(
        "There have been too many tries from this connection. Please wait 15 minutes, or "
        "ask your clinic."
    ),
}
WRONG_CODE = _(
    "That code does not work. Please check it with your therapist; a code works once, for "
    "30 minutes."
)
# Forms about the therapy itself: the client is told who reads them and why.
FEEDBACK_INSTRUMENTS = frozenset({"session_feedback", "barriers"})
FEEDBACK_NOTE = _(
    "Your therapist reads these answers, usually before your next session, to learn how the "
    "sessions are working for you, so the two of you can change what is not helping. Honest "
    "answers help most, including low ones; they will not upset your therapist or change "
    "the care you get."
)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # The pages' own words in the client's language when the clinic has that catalog
    # (UNSTUCK_LOCALE_DIR); otherwise English, and <html lang> says so.
    chosen = request.session.get(LANGUAGE_KEY, "")
    words = chosen if isinstance(chosen, str) and _clinic_catalog(chosen) else None
    with translation.override(words or settings.LANGUAGE_CODE):
        response = render(request, template, context, status=status)
    # Referrer-Policy stays same-origin (settings): "no-referrer" makes browsers send
    # "Origin: null" with the forms, which CSRF protection rightly refuses.
    response["X-Robots-Tag"] = "noindex"
    return response


def _clinic_catalog(language: str) -> bool:
    """Whether the clinic has translated the pages' own words into `language` (Django's own
    catalogs do not count: with them alone the page would be English marked as another)."""
    if not language:
        return False
    locale = translation.to_locale(language)
    return any(
        (Path(folder) / locale / "LC_MESSAGES" / "django.mo").is_file()
        for folder in settings.LOCALE_PATHS
    )


def _closed(request: HttpRequest, outcome: str, status: int) -> HttpResponse:
    kiosk = request.session.get(VIA_KEY) == "kiosk"
    return _page(
        request, "portal/closed.html", {"message": MESSAGES[outcome], "kiosk": kiosk}, status
    )


Handler = Callable[..., HttpResponse]


def with_request(view: Callable[..., HttpResponse]) -> Handler:
    """Give the view the request this browser unlocked, or say it is closed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pk = request.session.get(SESSION_KEY)
        found = selectors.open_request(pk, timezone.now()) if isinstance(pk, int) else None
        if found is None:
            if not isinstance(pk, int):
                if request.session.get(SENT_KEY):
                    return _closed(request, "used", 410)
                return _closed(request, "unknown", 404)
            sent = QuestionnaireRequest.objects.filter(pk=pk, completed_at__isnull=False)
            return _closed(request, "used" if sent.exists() else "expired", 410)
        return view(request, found, *args, **kwargs)

    return never_cache(wrapper)


def _unlock(request: HttpRequest, found: QuestionnaireRequest, via: str) -> None:
    if request.session.session_key:  # a session already here gets a new key (no fixation)
        request.session.cycle_key()
    request.session[SESSION_KEY] = found.pk
    request.session[VIA_KEY] = via
    request.session.pop(SENT_KEY, None)
    services.open_request(found, via=via, now=timezone.now())


@never_cache
@require_http_methods(["GET"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    if throttle.is_locked(address):
        return _closed(request, "locked", 429)
    lookup = selectors.find_request(token, TokenKind.LINK, timezone.now())
    if lookup.request is None:
        if lookup.outcome == "unknown":
            throttle.note_failure(address)
        return _closed(request, lookup.outcome, 404 if lookup.outcome == "unknown" else 410)
    _unlock(request, lookup.request, "link")
    return redirect("portal_start")


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    """The clinic tablet's page: it signs out anyone and forgets any earlier client."""
    if request.method == "GET":
        logout(request)  # flushes the whole session: nobody else's data survives
        request.session[VIA_KEY] = "kiosk"
        return _page(request, "portal/kiosk.html", {})
    address = client_address(request)
    if throttle.is_locked(address):
        return _page(request, "portal/kiosk.html", {"error": MESSAGES["locked"]}, 429)
    lookup = selectors.find_request(request.POST.get("code", ""), TokenKind.KIOSK, timezone.now())
    if lookup.request is None:
        throttle.note_failure(address)
        error = MESSAGES["used"] if lookup.outcome == "used" else WRONG_CODE
        return _page(request, "portal/kiosk.html", {"error": error}, 400)
    if not services.spend_kiosk_code(lookup.token, timezone.now()):  # another tablet was first
        return _page(request, "portal/kiosk.html", {"error": WRONG_CODE}, 400)
    logout(request)
    _unlock(request, lookup.request, "kiosk")
    return redirect("portal_start")


def _steps(found: QuestionnaireRequest) -> list[Instrument]:
    installed = {**instruments(), client_check().instrument.id: client_check().instrument}
    return [installed[i] for i in found.instruments if i in installed]


def _languages(steps: list[Instrument]) -> dict[str, str]:
    """The languages (tag: name) every questionnaire of the set has a translation in, so a
    client who picks one never meets a question in another."""
    common: dict[str, str] | None = None
    for instrument in steps:
        names = {t.language: t.language_name for t in instrument.translations}
        common = names if common is None else {k: v for k, v in common.items() if k in names}
    return dict(sorted((common or {}).items(), key=lambda kv: kv[1]))


def _language(request: HttpRequest, languages: dict[str, str]) -> str:
    """The language the client chose, if every questionnaire of the set has it ("" if not)."""
    chosen = request.session.get(LANGUAGE_KEY, "")
    return chosen if isinstance(chosen, str) and chosen in languages else ""


@with_request
def start(request: HttpRequest, found: QuestionnaireRequest) -> HttpResponse:
    steps = _steps(found)
    languages = _languages(steps)
    if "lang" in request.GET:  # the client picks the language of the questions
        picked = request.GET["lang"]
        request.session[LANGUAGE_KEY] = picked if picked in languages else ""
        return redirect("portal_start")
    return _page(
        request,
        "portal/start.html",
        {
            "clinic": found.client.clinic.name,
            "count": len(steps),
            "questions": sum(len(i.items) for i in steps),
            "kiosk": request.session.get(VIA_KEY) == "kiosk",
            "languages": languages,
            "language": _language(request, languages),
        },
    )


def _parse(instrument: Instrument, data: Any) -> tuple[list[int | None], dict[int, str]]:
    answers: list[int | None] = []
    errors: dict[int, str] = {}
    for item in instrument.items:
        raw = data.get(f"item_{item.number}", "")
        allowed = {str(o.value): o.value for o in item.options}
        if raw not in allowed:
            answers.append(None)
            errors[item.number] = str(CHOOSE_ONE)
        else:
            answers.append(allowed[raw])
    return answers, errors


@with_request
def step(request: HttpRequest, found: QuestionnaireRequest, number: int) -> HttpResponse:
    steps = _steps(found)
    if not 1 <= number <= len(steps):
        return redirect("portal_start")
    language = _language(request, _languages(steps))
    instrument = in_language(steps[number - 1], language)  # the words only; scoring is alike
    if instrument.id in found.recorded:  # stored at once after a safety answer
        return redirect("portal_safety", number=number)
    errors: dict[int, str] = {}
    answers: list[int | None] = list(found.draft.get(instrument.id, []))
    status = 200
    if request.method == "POST":
        answers, errors = _parse(instrument, request.POST)
        if not errors:
            services.save_draft(found, instrument.id, answers)
            return _advance(request, found, instrument, answers, number, len(steps))
        status = 400
    rows = [
        {
            "item": item,
            "chosen": answers[i] if i < len(answers) else None,
            "error": errors.get(item.number, ""),
        }
        for i, item in enumerate(instrument.items)
    ]
    return _page(
        request,
        "portal/step.html",
        {
            "instrument": instrument,
            "rows": rows,
            "errors": [(n, instrument.items[n - 1].text) for n in errors],
            "number": number,
            "total": len(steps),
            "last": number == len(steps),
            "feedback_note": FEEDBACK_NOTE if instrument.id in FEEDBACK_INSTRUMENTS else "",
            "kiosk": request.session.get(VIA_KEY) == "kiosk",
            "text_lang": language,
        },
        status,
    )


def _advance(
    request: HttpRequest,
    found: QuestionnaireRequest,
    instrument: Instrument,
    answers: list[int | None],
    number: int,
    total: int,
) -> HttpResponse:
    now = timezone.now()
    safety = bool(instrument.safety_items) and score_answers(instrument, answers).safety_alert
    try:
        if number == total:
            stored = services.submit(found, now)
            if stored.safety:
                return redirect("portal_safety", number=number)
            return redirect("portal_done")
        if safety:
            services.record_now(found, instrument.id, now)
            return redirect("portal_safety", number=number)
    except UnstuckError:  # closed while the client was answering
        if safety:  # the safety message is shown whatever happened to the answers
            services.note_unstored_safety_answer(found)
            return redirect("portal_safety", number=number)
        return _closed(request, "expired", 410)
    return redirect("portal_step", number=number + 1)


@never_cache
def safety(request: HttpRequest, number: int) -> HttpResponse:
    """The clinic's safety message, shown at once after a safety answer above 0."""
    pk = request.session.get(SESSION_KEY)
    found = (
        QuestionnaireRequest.objects.select_related("client__clinic").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if found is None:
        return _closed(request, "unknown", 404)
    settings_row = selectors.portal_settings(found.client.clinic)
    finished = found.completed_at is not None
    return _page(
        request,
        "portal/safety.html",
        {
            "message": settings_row.safety_text,
            "clinic": found.client.clinic.name,
            "finished": finished,
            "next": number + 1,
            "kiosk": request.session.get(VIA_KEY) == "kiosk",
        },
    )


def _forget(request: HttpRequest) -> None:
    kiosk = request.session.get(VIA_KEY) == "kiosk"
    request.session.pop(SESSION_KEY, None)
    if kiosk:
        request.session[VIA_KEY] = "kiosk"
    else:  # a phone: its Back button then says the answers were sent (a tablet says nothing)
        request.session[SENT_KEY] = True


@never_cache
def done(request: HttpRequest) -> HttpResponse:
    kiosk = request.session.get(VIA_KEY) == "kiosk"
    scores: list[selectors.OwnScores] = []
    answered = QuestionnaireRequest.objects.filter(
        pk=request.session.get(SESSION_KEY) or 0, completed_at__isnull=False
    ).first()
    shown = answered is not None and not kiosk
    if answered is not None and shown:
        if_on = selectors.portal_settings(answered.client.clinic).show_own_scores
        scores = selectors.own_scores(answered) if if_on else []
    _forget(request)
    return _page(request, "portal/done.html", {"kiosk": kiosk, "scores": scores})
