"""The client's pages: no account, one questionnaire per page, phone first.

A private link (``/q/<token>/``) or a kiosk code unlocks one request for this browser (the
request's id is kept in the server-side session, so the token leaves the address bar after the
first page); every later page reads that request and nothing else (a page sent after the
session ended, by its signed page pass: see `access`). Pages never show a name or a client
code, and are never cached.
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from unstuck.errors import UnstuckError
from unstuck.measures.model import Instrument
from unstuck.measures.translations import in_language
from unstuck.web.accounts.throttle import client_address
from unstuck.web.portal import selectors, services, throttle, tokens
from unstuck.web.portal.access import (
    ALONE_KEY,
    CHECK_KEY,
    KIOSK_ERROR_KEY,
    LANGUAGE_KEY,
    MESSAGES,
    PASS_FIELD,
    SENT_KEY,
    SESSION_KEY,
    TOKEN_KEY,
    UNSTORED_KEY,
    VIA_KEY,
    closed,
    is_alone,
    late_safety_answer,
    on_kiosk,
    page,
    see_other,
    with_request,
)
from unstuck.web.portal.models import KIOSK_SAFETY_LEAD, QuestionnaireRequest, TokenKind
from unstuck.web.portal.pages import (
    CHOOSE_ONE,
    common_languages,
    next_page,
    parse,
    raises_safety,
    steps,
    unanswered,
)
from unstuck.web.portal.phone_links import with_phone_links

KIOSK_CLEARS_SECONDS = 20  # the tablet's "Thank you" page returns to the start after this
WRONG_CODE = _(
    "That code does not work. Please check it with your therapist; a code works once, for "
    "30 minutes."
)
KIOSK_REFUSALS = {  # why a code opened nothing: what the tablet says, and the page's status
    "locked": (MESSAGES["locked"], 429),
    "used": (MESSAGES["used"], 400),
    "wrong": (WRONG_CODE, 400),
}
# Forms about the therapy itself: the client is told who reads them and why.
FEEDBACK_INSTRUMENTS = frozenset({"session_feedback", "barriers"})
FEEDBACK_NOTE = _(
    "Your therapist reads these answers, usually before your next session, to learn how the "
    "sessions are working for you, so the two of you can change what is not helping. Honest "
    "answers help most, including low ones; they will not upset your therapist or change "
    "the care you get."
)


def _unlock(request: HttpRequest, found: QuestionnaireRequest, token: int | None, via: str) -> None:
    if request.session.session_key:  # a session already here gets a new key (no fixation)
        request.session.cycle_key()
    request.session[SESSION_KEY] = found.pk
    request.session[TOKEN_KEY] = token
    request.session[VIA_KEY] = via
    for done_with in (SENT_KEY, UNSTORED_KEY, ALONE_KEY):
        request.session.pop(done_with, None)
    services.open_request(found, via=via, now=timezone.now())


@never_cache
@require_http_methods(["GET"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    if throttle.is_locked(address):
        return closed(request, "locked", 429)
    lookup = selectors.find_request(token, TokenKind.LINK, timezone.now())
    if lookup.request is None:
        if lookup.outcome == "unknown":
            throttle.note_failure(address)
        return closed(request, lookup.outcome, 404 if lookup.outcome == "unknown" else 410)
    _unlock(request, lookup.request, lookup.token, "link")
    return redirect("portal_start")


def _refuse_code(request: HttpRequest, why: str) -> HttpResponse:
    request.session[KIOSK_ERROR_KEY] = why
    return see_other("portal_kiosk")


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    """The clinic tablet's page: it signs out anyone and forgets any earlier client. A code
    that opens nothing comes back here as a page, not as the form sent (see `access.see_other`)."""
    if request.method == "GET":
        refused = request.session.get(KIOSK_ERROR_KEY)
        logout(request)  # flushes the whole session: nobody else's data survives
        request.session[VIA_KEY] = "kiosk"
        if refused not in KIOSK_REFUSALS:
            return page(request, "portal/kiosk.html", {})
        error, status = KIOSK_REFUSALS[refused]
        return page(request, "portal/kiosk.html", {"error": error}, status)
    address = client_address(request)
    if throttle.is_locked(address):
        return _refuse_code(request, "locked")
    lookup = selectors.find_request(request.POST.get("code", ""), TokenKind.KIOSK, timezone.now())
    if lookup.request is None:
        throttle.note_failure(address)
        return _refuse_code(request, "used" if lookup.outcome == "used" else "wrong")
    if not services.spend_kiosk_code(lookup.token, timezone.now()):  # another tablet was first
        return _refuse_code(request, "wrong")
    logout(request)
    _unlock(request, lookup.request, lookup.token, "kiosk")
    return redirect("portal_start")


def _language(request: HttpRequest, languages: dict[str, str]) -> str:
    """The language the client chose, if every questionnaire of the set has it ("" if not)."""
    chosen = request.session.get(LANGUAGE_KEY, "")
    return chosen if isinstance(chosen, str) and chosen in languages else ""


@with_request
def start(request: HttpRequest, found: QuestionnaireRequest) -> HttpResponse:
    pages = steps(found)
    languages = common_languages(pages)
    if "lang" in request.GET:  # the client picks the language of the questions
        picked = request.GET["lang"]
        request.session[LANGUAGE_KEY] = picked if picked in languages else ""
        return redirect("portal_start")
    # Opened again after pages were stored as they were sent (`_send`): the page counts and
    # starts at what is left, not at a page already sent or its safety message.
    left = [i for i in pages if i.id not in found.recorded]
    return page(
        request,
        "portal/start.html",
        {
            "clinic": found.client.clinic.name,
            "count": len(left),
            "questions": sum(len(i.items) for i in left),
            "first": pages.index(left[0]) + 1 if left else 1,
            "earlier": len(left) < len(pages),
            "until": found.expires_at,  # until when the rest can be answered
            "kiosk": request.session.get(VIA_KEY) == "kiosk",
            "languages": languages,
            "language": _language(request, languages),
        },
    )


@with_request
def step(request: HttpRequest, found: QuestionnaireRequest, number: int) -> HttpResponse:
    pages = steps(found)
    if not 1 <= number <= len(pages):
        return redirect("portal_start")
    language = _language(request, common_languages(pages))
    instrument = in_language(pages[number - 1], language)  # the words only; scoring is alike
    if instrument.id in found.recorded:  # stored when it was sent (`_send`)
        if raises_safety(instrument, found.draft.get(instrument.id, [])):
            return redirect("portal_safety", number=number)
        return redirect("portal_start")  # thanks for what was sent, and on to what is left
    if request.method == "POST" and is_alone(request, found):
        return _sent_alone(request, found, pages, number, instrument)
    if request.method == "POST":
        return _send(request, found, pages, number, instrument)
    asked = request.session.pop(CHECK_KEY, None) == number  # just sent with questions left
    kiosk = request.session.get(VIA_KEY) == "kiosk"
    # On the clinic tablet, answers sent are not shown again: whoever taps Back may be the next
    # person in the waiting room. Only the page that comes back at once, naming a question
    # left, keeps what was just chosen on it. A client's own phone shows them all.
    draft = list(found.draft.get(instrument.id, [])) if asked or not kiosk else []
    chosen = [draft[i] if i < len(draft) else None for i in range(len(instrument.items))]
    errors = {
        item.number: str(CHOOSE_ONE)
        for item, answer in zip(instrument.items, chosen, strict=True)
        if asked and answer is None
    }
    rows = [
        {"item": item, "chosen": answer, "error": errors.get(item.number, "")}
        for item, answer in zip(instrument.items, chosen, strict=True)
    ]
    return page(
        request,
        "portal/step.html",
        {
            "instrument": instrument,
            "rows": rows,
            "errors": [(n, instrument.items[n - 1].text) for n in errors],
            "number": number,
            "total": len(pages),
            "last": number == len(pages),
            "feedback_note": FEEDBACK_NOTE if instrument.id in FEEDBACK_INSTRUMENTS else "",
            "kiosk": kiosk,
            "text_lang": language,
            "pass_field": PASS_FIELD,
            "page_pass": _page_pass(request, found),
        },
        400 if errors else 200,
    )


def _page_pass(request: HttpRequest, found: QuestionnaireRequest) -> str:
    token = request.session.get(TOKEN_KEY)
    return tokens.page_pass(found.pk, token) if isinstance(token, int) else ""


def _sent_alone(
    request: HttpRequest,
    found: QuestionnaireRequest,
    pages: list[Instrument],
    number: int,
    instrument: Instrument,
) -> HttpResponse:
    """A page sent after this browser's session ended, its request found by its page pass
    (`access`): a safety answer on it is stored and answered at once, as on any page, and the
    safety page asks the client to open their link again for the rest. Other answers are kept
    in the draft, for when they do."""
    answers, _ = parse(instrument, request.POST)
    if raises_safety(instrument, answers):
        return _send(request, found, pages, number, instrument)
    services.save_draft(found, instrument.id, answers)
    return closed(request, "ended_kiosk" if on_kiosk(request) else "ended", 410)


def _send(
    request: HttpRequest,
    found: QuestionnaireRequest,
    pages: list[Instrument],
    number: int,
    instrument: Instrument,
) -> HttpResponse:
    """A page sent: its answers go into the draft, whatever is missing.

    A page with questions left comes back as a page naming them (post/redirect/get, see
    `access.see_other`), unless it answers a safety question above 0: that is stored at once, with
    the other questions answered or not, so the therapist's alert never waits for the rest.
    A page answered in full is stored at once too: a client who stops half-way, and whose link
    then expires, has lost nothing they sent (the pages waited for the last one, and were lost
    with the link). Once every page is answered, all is sent.
    """
    answers, missing = parse(instrument, request.POST)
    services.save_draft(found, instrument.id, answers)
    safety = raises_safety(instrument, answers)
    if missing and not safety:
        request.session[CHECK_KEY] = number
        return see_other("portal_step", number=number)
    now = timezone.now()
    try:
        if unanswered(found, pages):  # complete, or a safety answer: kept now
            services.record_now(found, instrument.id, now)
        if not unanswered(found, pages):
            safety = services.submit(found, now).safety or safety
    except UnstuckError:  # closed while the client was answering
        if not safety:
            return closed(request, "expired", 410)
        if instrument.id not in found.recorded:  # the safety message whatever happened to it
            return late_safety_answer(request, found, number, instrument.id, answers)
    if safety:
        request.session.pop(UNSTORED_KEY, None)
        return redirect("portal_safety", number=number)
    if found.completed_at is not None:
        return redirect("portal_done")
    return redirect("portal_step", number=next_page(found, pages, number))


@never_cache
def safety(request: HttpRequest, number: int) -> HttpResponse:
    """The clinic's safety message, shown at once after a safety answer above 0 (on a page sent
    after the session ended too: then the client is asked to open their link again)."""
    pk = request.session.get(SESSION_KEY)
    sent = request.session.get(SENT_KEY)
    if not isinstance(pk, int) and type(sent) is int:  # a phone's Back after the thanks:
        pk = sent  # the help it showed is still there, not "this link does not open"
    alone = request.session.get(ALONE_KEY) if not isinstance(pk, int) else None
    if isinstance(alone, dict):
        pk = alone["request"]
    found = (
        QuestionnaireRequest.objects.select_related("client__clinic").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if found is None:
        return closed(request, "unknown", 404)
    pages = steps(found)
    still_open = selectors.open_request(found.pk, timezone.now()) is not None
    rest = still_open and bool(unanswered(found, pages))
    return page(
        request,
        "portal/safety.html",
        {
            "message": with_phone_links(selectors.portal_settings(found.client.clinic).safety_text),
            "clinic": found.client.clinic.name,
            "finished": found.completed_at is not None,
            "unstored": request.session.get(UNSTORED_KEY) == number,  # came after it closed
            "next": next_page(found, pages, number) if still_open and not alone else None,
            "open_again": rest and bool(alone),  # no session to go on with
            "kiosk": on_kiosk(request),
            "kiosk_lead": KIOSK_SAFETY_LEAD,
        },
    )


def _forget(request: HttpRequest) -> None:
    kiosk = request.session.get(VIA_KEY) == "kiosk"
    sent = request.session.pop(SESSION_KEY, None)
    request.session.pop(TOKEN_KEY, None)
    if kiosk:
        request.session[VIA_KEY] = "kiosk"
    elif isinstance(sent, int):  # a phone: its Back button then says the answers were sent,
        request.session[SENT_KEY] = sent  # and its safety page still helps (a tablet: nothing)


@never_cache
def done(request: HttpRequest) -> HttpResponse:
    """The thanks after the last page is sent (and on a phone's reload of it). Opened with
    nothing sent from this browser, it says so and leaves any questionnaire under way open."""
    kiosk = request.session.get(VIA_KEY) == "kiosk"
    scores: list[selectors.OwnScores] = []
    answered = QuestionnaireRequest.objects.filter(
        pk=request.session.get(SESSION_KEY) or 0, completed_at__isnull=False
    ).first()
    if answered is None and not request.session.get(SENT_KEY):
        return closed(request, "nothing", 404)
    shown = answered is not None and not kiosk
    if answered is not None and shown:
        if_on = selectors.portal_settings(answered.client.clinic).show_own_scores
        scores = selectors.own_scores(answered) if if_on else []
    _forget(request)
    return page(
        request,
        "portal/done.html",
        {"kiosk": kiosk, "scores": scores, "clears_after": KIOSK_CLEARS_SECONDS},
    )
