"""Writes for client questionnaires, each with its audit entry in the same transaction.

Client answers go into the record through `records.services.record_client_answers`, so they are
scored, flagged and counted by the same rules as answers the therapist enters, and the status
is recomputed at once. A safety answer is stored the moment its page is sent, before the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Least
from django.urls import reverse
from django.utils import timezone

from unstuck.errors import InvalidValue
from unstuck.impasse.client_check import client_check
from unstuck.web.accounts.audit import CLIENT_ACTOR, choice_label, record_audit
from unstuck.web.accounts.models import AuditAction, User
from unstuck.web.portal import messaging, pages, selectors, tokens
from unstuck.web.portal.models import (
    AccessToken,
    ClientReport,
    QuestionnaireRequest,
    Timing,
    TokenKind,
)
from unstuck.web.portal.notice import notify_therapist
from unstuck.web.records.instruments import instrument_name, instruments
from unstuck.web.records.models import Client
from unstuck.web.records.selectors import current_episode
from unstuck.web.records.services import record_client_answers

log = logging.getLogger(__name__)

SCHEDULER_ACTOR = "unstuck send-due"

NO_INSTRUMENTS = "Choose at least one questionnaire."
NOT_AN_INSTRUMENT = "is not an installed questionnaire with questions"
NOT_A_TIMING = "is neither before nor after a session"
BAD_SESSION = "must be a session number of 1 or more"
CLOSED = "This questionnaire is closed: it was already sent or it has expired."
IS_CLOSED = "This questionnaire is closed."  # said to staff who try to send or change one
NOT_ANSWERED = "is not answered yet"
ENDED = (
    "This client's episode of care has ended; reopen it (or start a new one) before asking "
    "for questionnaires."
)


def check_can_ask(client: Client, *, by_email: bool) -> None:
    """Refuse a request (or a schedule) that could never be answered or sent: for an ended
    episode, whose answers have no session to go to, or by email to a client email cannot
    reach, which would wait unsent while the caseload showed it as waiting for the client."""
    episode = current_episode(client)
    if episode is None or episode.ended_on is not None:
        raise InvalidValue("episode", "", ENDED)
    if by_email and (why := messaging.cannot_reach(client.contact)):
        raise InvalidValue("contact", "", why)


def _client_audit(
    action: AuditAction, client: Client, detail: str = "", actor: str = CLIENT_ACTOR
) -> None:
    """An audit entry for something done without a signed-in person (client or scheduler)."""
    record_audit(None, action, client_code=client.code, detail=detail, username=actor)


def _issue(request: QuestionnaireRequest, kind: TokenKind, expires_at: dt.datetime) -> str:
    secret = tokens.new_link_token() if kind == TokenKind.LINK else tokens.new_kiosk_code()
    AccessToken.objects.create(
        request=request, kind=kind, digest=tokens.digest(secret), expires_at=expires_at
    )
    return secret


def link_url(secret: str, origin: str = "") -> str:
    """The private link: on UNSTUCK_PORTAL_URL when set, else where the therapist is."""
    base = settings.PORTAL_URL or origin or settings.SITE_URL
    return base.rstrip("/") + reverse("portal_link", args=[secret])


def check_instruments(instrument_ids: Sequence[str]) -> None:
    """Refuse an empty choice or anything but an installed questionnaire (or the client check)."""
    if not instrument_ids:
        raise InvalidValue("instruments", "", NO_INSTRUMENTS)
    installed = instruments()
    for instrument_id in instrument_ids:
        if instrument_id == client_check().instrument.id:
            continue
        if instrument_id not in installed or not installed[instrument_id].items:
            raise InvalidValue("instruments", instrument_id, NOT_AN_INSTRUMENT)


ALREADY_ASKED = (
    "{names} {timing} session {number} {verb} already asked for in a questionnaire still open "
    "(made {made}): use that one (its page shows a new link or emails it again), or withdraw "
    "it first."
)


def _check_not_asked(
    client: Client, instrument_ids: Sequence[str], number: int, timing: str, now: dt.datetime
) -> None:
    """Refuse asking again for a questionnaire an open request already asks for, for the
    same session: the second set of answers would find the session taken and go to a new one
    (answers are never turned away), a session that never was."""
    still_open = QuestionnaireRequest.objects.filter(
        client=client,
        session_number=number,
        timing=timing,
        completed_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=now,
    )
    for other in still_open:
        both = [i for i in dict.fromkeys(instrument_ids) if i in other.instruments]
        if both:
            names = " and ".join(pages.named(both))
            raise InvalidValue(
                "instruments",
                ", ".join(both),
                ALREADY_ASKED.format(
                    names=names,
                    timing=Timing(timing).label.split()[0].lower(),
                    number=number,
                    verb="is" if len(both) == 1 else "are",
                    made=f"{timezone.localtime(other.created_at):%Y-%m-%d %H:%M}",
                ),
            )


@transaction.atomic
def create_request(
    *,
    user: User,
    client: Client,
    instrument_ids: Sequence[str],
    session_number: int,
    timing: str,
    now: dt.datetime,
    send_at: dt.datetime | None = None,
) -> tuple[QuestionnaireRequest, str | None]:
    """A new questionnaire set for `client`, and the secret of its private link to show the
    therapist now; None when it is to be emailed (`send_at` set: then, at once for `now`, by
    `send_due` or the email button), as the email carries a link of its own: no second link
    stays open on the screen, and none works before its date.
    """
    check_instruments(instrument_ids)
    check_can_ask(client, by_email=send_at is not None)
    if timing not in Timing.values:
        raise InvalidValue("timing", timing, NOT_A_TIMING)
    if session_number < 1:
        raise InvalidValue("session", str(session_number), BAD_SESSION)
    _check_not_asked(client, instrument_ids, session_number, timing, now)
    clinic = selectors.portal_settings(client.clinic)
    start = max(send_at or now, now)
    request = QuestionnaireRequest.objects.create(
        client=client,
        created_by=user,
        instruments=list(dict.fromkeys(instrument_ids)),
        session_number=session_number,
        timing=timing,
        expires_at=start + dt.timedelta(days=clinic.expiry_days),
        send_at=send_at,
    )
    record_audit(
        user,
        AuditAction.PORTAL_REQUEST_CREATED,
        client_code=client.code,
        detail=f"request {request.pk}: {asked_for(request)}",
    )
    return request, new_link(user=user, request=request) if send_at is None else None


def asked_for(request: QuestionnaireRequest) -> str:
    """What a request asks for, as the therapist's pages name it, for the audit log: "after
    session 10: PHQ-9, GAD-7" (the timing's label and the questionnaires' names)."""
    when = f"{choice_label(Timing, request.timing).lower()} {request.session_number}"
    return f"{when}: {', '.join(pages.named(request.instruments))}"


@transaction.atomic
def new_link(*, user: User, request: QuestionnaireRequest) -> str:
    """A private link to the request, shown once (never stored, only its hash): the first,
    made with the request, or another. Each is an audit row of its own."""
    secret = _issue(request, TokenKind.LINK, request.expires_at)
    record_audit(
        user,
        AuditAction.PORTAL_LINK_CREATED,
        client_code=request.client.code,
        detail=f"request {request.pk}",
    )
    return secret


ALREADY_ANSWERED = "The client has already answered it; there is nothing to withdraw."


@transaction.atomic
def withdraw_request(*, user: User, request: QuestionnaireRequest, now: dt.datetime) -> bool:
    """Take a request back: it closes at once (its links and kiosk codes stop working, it is
    neither sent nor reminded), shows as withdrawn, and the audit log says who did it. False
    when it was withdrawn already. Answers already stored stay in the record; a safety answer
    sent from a page still open is kept all the same (`keep_late_safety_answer`)."""
    if request.completed_at is not None:
        raise InvalidValue("questionnaire", "", ALREADY_ANSWERED)
    closed = QuestionnaireRequest.objects.filter(
        pk=request.pk, withdrawn_at__isnull=True, completed_at__isnull=True
    ).update(withdrawn_at=now, expires_at=Least(F("expires_at"), Value(now)))
    if not closed:
        return False
    AccessToken.objects.filter(request=request, expires_at__gt=now).update(expires_at=now)
    request.refresh_from_db()
    record_audit(
        user,
        AuditAction.PORTAL_REQUEST_WITHDRAWN,
        client_code=request.client.code,
        detail=f"request {request.pk}",
    )
    return True


@transaction.atomic
def new_kiosk_code(*, user: User, request: QuestionnaireRequest, now: dt.datetime) -> str:
    expires = min(now + dt.timedelta(minutes=tokens.KIOSK_CODE_MINUTES), request.expires_at)
    code = _issue(request, TokenKind.KIOSK, expires)
    record_audit(
        user,
        AuditAction.PORTAL_KIOSK_CODE_CREATED,
        client_code=request.client.code,
        detail=f"request {request.pk}",
    )
    return code


def spend_kiosk_code(token: int | None, now: dt.datetime) -> bool:
    """Use up a kiosk code as it opens its request (False: it was used a moment ago). A code
    works once: a second tablet typing the same code gets nothing."""
    if token is None:
        return False
    spent = AccessToken.objects.filter(pk=token, kind=TokenKind.KIOSK, expires_at__gt=now)
    return spent.update(expires_at=now) == 1


def open_request(request: QuestionnaireRequest, *, via: str, now: dt.datetime) -> None:
    with transaction.atomic():
        QuestionnaireRequest.objects.filter(pk=request.pk, opened_at__isnull=True).update(
            opened_at=now
        )
        _client_audit(
            AuditAction.PORTAL_REQUEST_OPENED,
            request.client,
            f"request {request.pk} by {choice_label(TokenKind, via).lower()}",
        )


def save_draft(
    request: QuestionnaireRequest, instrument_id: str, answers: Sequence[int | None]
) -> None:
    request.draft = {**request.draft, instrument_id: list(answers)}
    QuestionnaireRequest.objects.filter(pk=request.pk, completed_at__isnull=True).update(
        draft=request.draft
    )


@dataclass(frozen=True)
class Stored:
    safety: bool  # a safety question was answered above 0 in what was stored now


def _store(
    request: QuestionnaireRequest,
    instrument_ids: Sequence[str],
    now: dt.datetime,
    *,
    partial: bool = False,
) -> Stored:
    """Store the drafts of `instrument_ids` not stored yet; each answered in full, unless
    `partial` (a page with a safety answer, stored as far as it was answered)."""
    locked = (
        QuestionnaireRequest.objects.select_for_update().select_related("client").get(pk=request.pk)
    )
    if not locked.is_open(now):
        raise InvalidValue("questionnaire", "", CLOSED)
    todo: dict[str, list[int | None]] = {}
    for instrument_id in instrument_ids:
        if instrument_id in locked.recorded:
            continue
        answers = request.draft.get(instrument_id)
        if answers is None or (None in answers and not partial):
            raise InvalidValue("questionnaire", instrument_id, NOT_ANSWERED)
        todo[instrument_id] = answers
    check_id = client_check().instrument.id
    if check_id in todo:
        ClientReport.objects.create(
            client=locked.client,
            request=locked,
            check_id=check_id,
            answers=todo.pop(check_id),
            reported_at=now,
        )
        _client_audit(AuditAction.PORTAL_BARRIERS_REPORTED, locked.client, f"request {request.pk}")
        locked.recorded = [*locked.recorded, check_id]
        locked.save(update_fields=["recorded"])
    if not todo:
        return Stored(safety=False)
    session = record_client_answers(
        client=locked.client,
        session_number=locked.session_number,
        answers=todo,
        on=timezone.localdate(now),
    )
    safety = session.responses.filter(instrument__in=list(todo), safety_alert=True).exists()
    locked.recorded = [*locked.recorded, *todo]
    # Placed on another session (see `record_client_answers`): the request says where, and
    # the rest of its answers follow them there.
    locked.session_number = request.session_number = session.number
    locked.save(update_fields=["recorded", "session_number"])
    request.recorded = locked.recorded
    if safety:
        _client_audit(AuditAction.PORTAL_SAFETY_ANSWER, locked.client, f"request {request.pk}")
        notify_therapist(locked.client)
    return Stored(safety=safety)


@transaction.atomic
def record_now(request: QuestionnaireRequest, instrument_id: str, now: dt.datetime) -> Stored:
    """Store one questionnaire in the record at once, before the rest of the request: a page
    answered in full (so nothing sent is lost if the link closes before the rest), or a page
    with a safety answer, with its other questions answered or not (a safety answer never
    waits for the rest; the response is then stored as incomplete)."""
    stored = _store(request, [instrument_id], now, partial=True)
    if not stored.safety:  # a safety answer has its own entry
        _client_audit(
            AuditAction.PORTAL_PAGE_SENT,
            request.client,
            f"request {request.pk}: {instrument_name(instrument_id)}",
        )
    return stored


@transaction.atomic
def submit(request: QuestionnaireRequest, now: dt.datetime) -> Stored:
    """Store every questionnaire not stored yet, and close the request for good."""
    stored = _store(request, request.instruments, now)
    QuestionnaireRequest.objects.filter(pk=request.pk).update(completed_at=now, draft={})
    request.completed_at = now
    _client_audit(AuditAction.PORTAL_REQUEST_SUBMITTED, request.client, f"request {request.pk}")
    return stored


def keep_late_safety_answer(
    request: QuestionnaireRequest, instrument_id: str, answers: Sequence[int | None]
) -> bool:
    """A safety answer on a questionnaire that closed while the client was answering (it
    expired, was sent from another tab, or the episode ended), answered in full or not.

    While the episode is open the page goes into the record all the same, as the client's
    latest answers (`record_client_answers` places them), so the alert heads the caseload as
    any other; a safety answer is never turned away for a link's expiry. Otherwise (the
    episode has ended) the audit log says so. Either way the therapist is emailed to get in
    touch; the client sees the safety message. True when the answers were stored."""
    client = request.client
    try:  # refused for an ended episode (`record_client_answers`): the audit log keeps it
        with transaction.atomic():
            session = record_client_answers(
                client=client,
                session_number=request.session_number,
                answers={instrument_id: list(answers)},
                on=timezone.localdate(),
            )
            # the request says where they went, so a second tap on Send is known as one
            request.recorded = list(dict.fromkeys([*request.recorded, instrument_id]))
            request.session_number = session.number
            request.save(update_fields=["recorded", "session_number"])
    except InvalidValue:
        stored = False
    else:
        stored = True
    with transaction.atomic():
        _client_audit(
            AuditAction.PORTAL_SAFETY_ANSWER,
            client,
            f"request {request.pk}: stored after the questionnaire had closed"
            if stored
            else f"request {request.pk}: not stored, the questionnaire had closed; please "
            "contact the client",
        )
        notify_therapist(client)
    return stored
