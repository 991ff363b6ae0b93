"""Which request a client page reaches, and what a page says when it reaches none.

A private link or a kiosk code unlocks one request for this browser: its id is kept in the
server-side session (`SESSION_KEY`), and every later page reads that request and nothing else
(`with_request`). A page sent to a request that closed meanwhile is read for a safety answer
before it is turned away.

A page sent after the browser's session ended (it lasts 8 hours; a link, days) finds its request
by the page pass its form carries (`tokens.page_pass`, signed, no older than the link's life)
instead: a safety answer on it is stored and answered as on any page, and the client is asked
to open their link again for the rest. Never on a tablet whose kiosk session was ended (the
client finished, or handed it back): the next person there may be the one sending.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from unstuck.web.portal import selectors, services
from unstuck.web.portal.models import QuestionnaireRequest, TokenKind
from unstuck.web.portal.pages import parse, raises_safety, steps

SESSION_KEY = "portal_request_id"
VIA_KEY = "portal_via"
SENT_KEY = "portal_sent"  # the request this browser sent: Back says so, not "wrong link"
LANGUAGE_KEY = "portal_language"  # the language the client chose ("": the forms' own)
CHECK_KEY = "portal_check"  # the page just sent with questions left: shown with them named
UNSTORED_KEY = "portal_unstored"  # the page whose safety answer came after it had closed
KIOSK_ERROR_KEY = "portal_kiosk_error"  # why the code just typed did not open anything
TOKEN_KEY = "portal_token"  # the id of the link or kiosk code that opened it, for page passes
ALONE_KEY = "portal_alone"  # the request of a page sent after the session ended, and its way in
PASS_FIELD = "resume"  # the form field that carries the page pass
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
    "nothing": _(
        "There is nothing to show here. If you were answering questionnaires, please use "
        "the link or code your clinic gave you."
    ),
    "withdrawn": _(
        "Your clinic has taken this questionnaire back, so there is nothing to answer here. "
        "If you were expecting one, please ask your clinic."
    ),
    "locked": _(
        "There have been too many tries from this connection. Please wait 15 minutes, or "
        "ask your clinic."
    ),
    "ended": _(
        "This page was open for a long time, so it has closed. Your answers on it are kept: "
        "please open your link again to go on."
    ),
    "ended_kiosk": _(
        "This page was open for a long time, so it has closed. Your answers on it are kept: "
        "please ask for a new code to go on."
    ),
}


def page(
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


def on_kiosk(request: HttpRequest) -> bool:
    """Whether this is the clinic tablet: its session says so, or the page pass it sent."""
    alone = request.session.get(ALONE_KEY)
    return request.session.get(VIA_KEY) == "kiosk" or (isinstance(alone, dict) and alone["kiosk"])


def closed(request: HttpRequest, outcome: str, status: int) -> HttpResponse:
    kiosk = on_kiosk(request)
    return page(
        request, "portal/closed.html", {"message": MESSAGES[outcome], "kiosk": kiosk}, status
    )


Handler = Callable[..., HttpResponse]


def with_request(view: Callable[..., HttpResponse]) -> Handler:
    """Give the view the request this browser unlocked, or say it is closed (after reading a
    page sent to it for a safety answer, which is never turned away)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pk = request.session.get(SESSION_KEY)
        if not isinstance(pk, int) and request.method == "POST" and "number" in kwargs:
            pk = _request_of_page(request)  # sent after this browser's session ended
        found = selectors.open_request(pk, timezone.now()) if isinstance(pk, int) else None
        if found is None:
            if not isinstance(pk, int):
                if request.session.get(SENT_KEY):
                    return closed(request, "used", 410)
                return closed(request, "unknown", 404)
            if request.method == "POST" and isinstance(kwargs.get("number"), int):
                heard = _safety_answer_after_closing(request, pk, kwargs["number"])
                if heard is not None:
                    return heard
            ended = QuestionnaireRequest.objects.filter(pk=pk).values_list(
                "completed_at", "withdrawn_at"
            )
            done, withdrawn = ended.first() or (None, None)
            why = "used" if done else "withdrawn" if withdrawn else "expired"
            return closed(request, why, 410)
        return view(request, found, *args, **kwargs)

    return never_cache(wrapper)


def _request_of_page(request: HttpRequest) -> int | None:
    """The request named by the pass of a page sent without this browser's session; None on a
    tablet handed back or finished, or for a pass not made here for that very request."""
    if request.session.get(VIA_KEY) == "kiosk":  # the next person in the waiting room may be
        return None  # the one sending the page the last client left
    named = selectors.page_pass_request(request.POST.get(PASS_FIELD, ""))
    if named is None:
        return None
    found, kind = named
    request.session[ALONE_KEY] = {"request": found.pk, "kiosk": kind == TokenKind.KIOSK}
    return found.pk


def is_alone(request: HttpRequest, found: QuestionnaireRequest) -> bool:
    """Whether `found` came from a page pass, not from this browser's session."""
    return request.session.get(SESSION_KEY) != found.pk


def _safety_answer_after_closing(request: HttpRequest, pk: int, number: int) -> HttpResponse | None:
    """A page sent to a request that closed while the client was answering it (it expired,
    was sent already, or the episode ended): its other answers are not kept, but a safety
    answer above 0 still brings the safety message, and the therapist is told."""
    shut = (
        QuestionnaireRequest.objects.select_related("client__clinic", "client__therapist")
        .filter(pk=pk)
        .first()
    )
    pages = steps(shut) if shut is not None else []
    if shut is None or not 1 <= number <= len(pages):
        return None
    answers, _ = parse(pages[number - 1], request.POST)
    if not raises_safety(pages[number - 1], answers):
        return None
    if selectors.stored_answers(shut, pages[number - 1].id) != answers:  # not a second tap
        return late_safety_answer(request, shut, number, pages[number - 1].id, answers)
    return redirect("portal_safety", number=number)


def late_safety_answer(
    request: HttpRequest,
    found: QuestionnaireRequest,
    number: int,
    instrument_id: str,
    answers: list[int | None],
) -> HttpResponse:
    if services.keep_late_safety_answer(found, instrument_id, answers):
        request.session.pop(UNSTORED_KEY, None)
    else:
        request.session[UNSTORED_KEY] = number
    return redirect("portal_safety", number=number)


def see_other(name: str, **kwargs: Any) -> HttpResponse:
    """Back to a form's page after it was refused (post/redirect/get): the browser's history
    then holds that page, not the form sent, so its Back button never asks to send it again."""
    return HttpResponseRedirect(reverse(name, kwargs=kwargs or None), status=303)
