"""Reads for the portal: which request a secret opens, and a client's requests.

`find_request` is the only way a client page reaches a request. It never says which client a
wrong token might belong to; a token opens exactly one request of exactly one client.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from unstuck.impasse.client_check import with_client_report as merge_client_report
from unstuck.plural import counted
from unstuck.web.accounts.models import Clinic
from unstuck.web.portal import tokens
from unstuck.web.portal.models import (
    AccessToken,
    ClientReport,
    PortalSettings,
    QuestionnaireRequest,
    Timing,
    TokenKind,
)
from unstuck.web.records.instruments import instruments
from unstuck.web.records.models import Client, MeasureResponse
from unstuck.web.records.selectors import current_episode

Outcome = Literal["ok", "unknown", "expired", "used", "withdrawn"]


@dataclass(frozen=True)
class Lookup:
    outcome: Outcome
    request: QuestionnaireRequest | None = None
    token: int | None = None  # the AccessToken's id (a kiosk code is spent when used)


def find_request(secret: str, kind: TokenKind, now: dt.datetime) -> Lookup:
    if kind == TokenKind.KIOSK:
        secret = tokens.normalise_kiosk_code(secret)
    if not secret or len(secret) > 100:
        return Lookup("unknown")
    row = (
        AccessToken.objects.select_related("request__client__clinic")
        .filter(kind=kind, digest=tokens.digest(secret))
        .first()
    )
    if row is None or not tokens.same_digest(row.digest, secret):
        return Lookup("unknown")
    request = row.request
    if request.completed_at is not None:
        return Lookup("used")
    if request.withdrawn_at is not None:
        return Lookup("withdrawn")
    if row.expires_at <= now or request.expires_at <= now or not _answerable(request):
        return Lookup("expired")
    return Lookup("ok", request, row.pk)


def open_request(request_id: int, now: dt.datetime) -> QuestionnaireRequest | None:
    """A request unlocked earlier in this browser, if it may still be answered."""
    request = (
        QuestionnaireRequest.objects.select_related("client__clinic", "client__therapist")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not request.is_open(now) or not _answerable(request):
        return None
    return request


def page_pass_request(value: str) -> tuple[QuestionnaireRequest, TokenKind] | None:
    """The request a page sent names in its pass (`tokens.page_pass`), and how it was opened:
    only for a pass made here, naming a token of that very request, and no older than that
    token's life (a link's days; a kiosk code's 30 minutes), whether or not it is still open."""
    named = tokens.read_page_pass(value)
    if named is None:
        return None
    row = (
        AccessToken.objects.select_related("request__client__clinic", "request__client__therapist")
        .filter(pk=named.token_id, request_id=named.request_id)
        .first()
    )
    if row is None:
        return None
    life = row.expires_at - row.created_at
    if row.kind == TokenKind.KIOSK:  # a code's expiry is moved to the moment it was used
        life = dt.timedelta(minutes=tokens.KIOSK_CODE_MINUTES)
    if tokens.read_page_pass(value, max_age=life) is None:
        return None
    return row.request, TokenKind(row.kind)


def _answerable(request: QuestionnaireRequest) -> bool:
    """Whether the client's episode is in progress: answers for an ended one have no session
    to go to, so its requests close before anything is typed. Read from the client row the
    request was loaded with (`Client.episode_ended_on`, kept by ending and reopening), not
    from another query on every page."""
    return request.client.episode_ended_on is None


def stored_answers(request: QuestionnaireRequest, instrument_id: str) -> list[int | None] | None:
    """The answers to `instrument_id` this request put into the record (None: none yet)."""
    if instrument_id not in request.recorded:
        return None
    answers: list[int | None] | None = (
        MeasureResponse.objects.filter(
            session__episode__client_id=request.client_id,
            session__number=request.session_number,
            instrument=instrument_id,
        )
        .order_by("-id")
        .values_list("answers", flat=True)
        .first()
    )
    return answers


def portal_settings(clinic: Clinic) -> PortalSettings:
    """The clinic's settings, or the defaults while none are saved (what every link follows)."""
    found = PortalSettings.objects.filter(clinic=clinic).first()
    return found or PortalSettings(clinic=clinic)


def settings_in_force(clinic: Clinic) -> str:
    """The settings links follow now, in words, for the administrator: saved or the defaults
    (until first saved, the settings list is empty and the defaults were shown nowhere)."""
    found = portal_settings(clinic)
    message = "the clinic's own" if found.safety_message.strip() else "the default (UK numbers)"
    return (
        f"In force now ({'as saved' if found.pk else 'the defaults, nothing saved yet'}): a "
        f"private link works for {counted(found.expiry_days, 'day')}; one reminder goes "
        f"{counted(found.reminder_days, 'day')} after sending if it is not answered; the "
        f"safety message is {message}; clients "
        f"{'see' if found.show_own_scores else 'do not see'} their own scores."
    )


def client_requests(client: Client) -> QuerySet[QuestionnaireRequest]:
    return QuestionnaireRequest.objects.filter(client=client).order_by("-created_at", "-id")


def latest_client_report(client: Client) -> ClientReport | None:
    """The client's latest "what gets in the way" answers, for the impasse review."""
    return ClientReport.objects.filter(client=client).order_by("-reported_at", "-id").first()


def with_client_report(
    client: Client, prefill: dict[str, tuple[int, str]]
) -> dict[str, tuple[int, str]]:
    """The review's pre-filled ratings, with the client's latest check added (if any)."""
    report = latest_client_report(client)
    if report is None:
        return prefill
    return merge_client_report(prefill, report.answers, timezone.localdate(report.reported_at))


WAITING = "Questionnaires: {done} of {total} answered"
SCHEDULED = "Questionnaires to be sent"
LAPSED = "Questionnaires: {done} of {total} answered; the link has expired"


def _still_relevant(request: QuestionnaireRequest, sessions_count: int) -> bool:
    """An expired request matters until the session it was for has been recorded."""
    if request.timing == Timing.BEFORE:
        return sessions_count < request.session_number
    return sessions_count <= request.session_number


def _waiting(now: dt.datetime) -> Q:
    """Requests the client can answer now: open, not withdrawn, and sent or not waiting for a
    date to be emailed on."""
    return Q(completed_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=now) & (
        Q(sent_at__isnull=False) | Q(send_at__isnull=True) | Q(send_at__lte=now)
    )


def questionnaire_marks(clients: list[Client], now: dt.datetime) -> dict[int, str]:
    """A short note per client about their questionnaire requests, for the caseload.

    Only what needs the therapist's eye. While requests are waiting: the questionnaires
    answered of those asked, by every request still waiting and every one answered since the
    oldest of them was made (the client page lists each). So the count only grows as the
    client answers: PHQ-9 with GAD-7 and session feedback asked read "0 of 3", then "2 of 3"
    once the first request is answered, never "0 of 1"; a request answered before the waiting
    ones were made is an earlier round and does not count. Else the latest expired unanswered
    before its session was recorded, else one scheduled. Once every request is answered, no
    note. One query whatever the number of clients.
    """
    counts = {c.pk: c.sessions_count for c in clients}
    waiting: dict[int, tuple[int, int]] = {}
    lapsed: dict[int, str] = {}
    scheduled: set[int] = set()
    oldest_waiting = (
        QuestionnaireRequest.objects.filter(_waiting(now), client_id=OuterRef("client_id"))
        .order_by("created_at", "id")
        .values("created_at")[:1]
    )
    requests = (
        QuestionnaireRequest.objects.filter(client_id__in=list(counts), withdrawn_at__isnull=True)
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=Subquery(oldest_waiting)))
        .order_by("created_at", "id")
    )
    for request in requests:  # oldest first: the latest lapsed one is the one said
        done, total = len(set(request.recorded)), len(request.instruments)
        client_id = request.client_id
        unfinished = request.completed_at is None
        if unfinished and request.expires_at <= now:
            if _still_relevant(request, counts[client_id]):
                lapsed[client_id] = LAPSED.format(done=done, total=total)
        elif unfinished and request.sent_at is None and (request.send_at or now) > now:
            scheduled.add(client_id)
        else:  # waiting, or answered while one was
            answered, asked = waiting.get(client_id, (0, 0))
            waiting[client_id] = (answered + done, asked + total)
    marks = dict.fromkeys(scheduled, SCHEDULED) | lapsed
    marks |= {c: WAITING.format(done=d, total=t) for c, (d, t) in waiting.items()}
    return marks


@dataclass(frozen=True)
class OwnScores:
    name: str
    totals: list[str]
    lower_is_fewer: bool  # the direction, said in plain words on the page


def own_scores(request: QuestionnaireRequest) -> list[OwnScores]:
    """The client's own totals over this episode, for the questionnaires just answered.

    Totals only (never single answers, so never a safety question), and nothing when this
    request's session holds a safety answer: the client has just seen the safety message and
    their therapist follows up. Severity words are left out on purpose.
    """
    episode = current_episode(request.client)
    if episode is None:
        return []
    rows = list(
        MeasureResponse.objects.filter(
            session__episode=episode, instrument__in=request.instruments, total__isnull=False
        ).order_by("session__number", "id")
    )
    if MeasureResponse.objects.filter(
        session__episode=episode, session__number=request.session_number, safety_alert=True
    ).exists():
        return []
    installed = instruments()
    found: list[OwnScores] = []
    for instrument_id in request.instruments:
        totals = [f"{r.total:g}" for r in rows if r.instrument == instrument_id]
        if instrument_id in installed and totals:
            instrument = installed[instrument_id]
            found.append(OwnScores(instrument.name, totals, not instrument.higher_is_better))
    return found
