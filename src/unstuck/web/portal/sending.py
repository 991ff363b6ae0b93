"""Sending questionnaire links and reminders by email (or another `Messenger`).

`send_due` is what `unstuck send-due` runs from cron or a systemd timer. Each message is
claimed before it is sent with one conditional UPDATE (``... WHERE sent_at IS NULL``): of two
runs at once only one changes the row, so nothing is sent twice (PostgreSQL re-checks the
condition after waiting for the other run's row lock; SQLite runs writes one at a time). A send
that fails gives its claim back, so the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone

from unstuck.errors import InvalidValue
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, User
from unstuck.web.portal import messaging, selectors, tokens
from unstuck.web.portal.models import AccessToken, QuestionnaireRequest, TokenKind
from unstuck.web.portal.schedules import plan_due
from unstuck.web.portal.services import (
    IS_CLOSED,
    SCHEDULER_ACTOR,
    _client_audit,
    _issue,
    link_url,
)

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    planned: list[int] = field(default_factory=list)  # requests made by client schedules
    # Due (links and reminders) but with no way to send them: no address the messenger can
    # reach, or no email at all (`email_set_up` false). Counted every run until they expire.
    unsendable: list[int] = field(default_factory=list)
    email_set_up: bool = True


def _deliver(request: QuestionnaireRequest, *, reminder: bool) -> None:
    client = request.client
    with transaction.atomic():
        secret = _issue(request, TokenKind.LINK, request.expires_at)
    until = formats.date_format(timezone.localtime(request.expires_at), "j F Y")
    subject, body = messaging.request_message(
        client.clinic.name, link_url(secret), until, reminder=reminder
    )
    try:
        messaging.messenger().send(to=client.contact, subject=subject, body=body)
    except OSError:
        # Never delivered, so nobody holds it: no link stays that the audit log does not name.
        AccessToken.objects.filter(digest=tokens.digest(secret)).delete()
        raise


def _claim(pk: int, column: str, now: dt.datetime) -> bool:
    return (
        QuestionnaireRequest.objects.filter(pk=pk, **{f"{column}__isnull": True}).update(
            **{column: now}
        )
        == 1
    )


def _send_one(
    request: QuestionnaireRequest, now: dt.datetime, *, reminder: bool, actor: User | None
) -> bool:
    column = "reminded_at" if reminder else "sent_at"
    if not _claim(request.pk, column, now):
        return False  # another run has it
    try:
        _deliver(request, reminder=reminder)
    except OSError as exc:
        QuestionnaireRequest.objects.filter(pk=request.pk).update(**{column: None})
        log.warning("questionnaire request %s not sent: %s", request.pk, exc)
        raise
    sent = AuditAction.PORTAL_REMINDER_SENT if reminder else AuditAction.PORTAL_REQUEST_SENT
    # Each email carries a new private link: one row for the link (as for a link shown on the
    # screen), one for the sending.
    rows = ((AuditAction.PORTAL_LINK_CREATED, "by email"), (sent, ""))
    with transaction.atomic():
        for action, how in rows:
            detail = f"request {request.pk}" + (f", {how}" if how else "")
            if actor is None:
                _client_audit(action, request.client, detail, actor=SCHEDULER_ACTOR)
            else:
                record_audit(actor, action, client_code=request.client.code, detail=detail)
    return True


def send_now(
    *,
    user: User,
    request: QuestionnaireRequest,
    now: dt.datetime,
    seen: dt.datetime | Literal["unknown"] | None = "unknown",
) -> bool:
    """Email the link at once (the therapist's button), or again with a new link when it was
    sent before (the client lost it, or their address was corrected). `seen` is when the
    therapist's page said it was last sent (None: not yet): the email goes only if that is
    still so, so a second click on the same page sends nothing. False: it was sent meanwhile
    (another click, or `send_due`)."""
    if not request.is_open(now):
        raise InvalidValue("questionnaire", "", IS_CLOSED)
    if why := messaging.cannot_reach(request.client.contact):
        raise InvalidValue("contact", "", why)
    last = request.sent_at if seen == "unknown" else seen
    if last is not None:  # again: only the click that finds it as its page showed it sends
        again = QuestionnaireRequest.objects.filter(pk=request.pk, sent_at=last)
        if not again.update(sent_at=None):
            return False
    QuestionnaireRequest.objects.filter(pk=request.pk, send_at__isnull=True).update(send_at=now)
    return _send_one(request, now, reminder=False, actor=user)


def send_due(now: dt.datetime) -> SendReport:
    """Make what the client schedules call for, then send every link whose time has come, and
    reminders that are due."""
    report = SendReport(planned=plan_due(now))
    sender = messaging.messenger()
    report.email_set_up = not (
        isinstance(sender, messaging.EmailMessenger) and not settings.EMAIL_CONFIGURED
    )
    due = QuestionnaireRequest.objects.select_related("client__clinic").filter(
        send_at__lte=now, sent_at__isnull=True, completed_at__isnull=True, expires_at__gt=now
    )
    waiting = QuestionnaireRequest.objects.select_related("client__clinic").filter(
        sent_at__isnull=False,
        reminded_at__isnull=True,
        completed_at__isnull=True,
        expires_at__gt=now,
    )
    for reminder, rows in ((False, list(due)), (True, list(waiting))):
        for request in rows:
            if reminder:
                days = selectors.portal_settings(request.client.clinic).reminder_days
                assert request.sent_at is not None
                if request.sent_at + dt.timedelta(days=days) > now:
                    continue
            if not sender.can_reach(request.client.contact):
                report.unsendable.append(request.pk)
                continue
            try:
                done = _send_one(request, now, reminder=reminder, actor=None)
            except OSError:
                report.failed.append(request.pk)
                continue
            if done:
                (report.reminded if reminder else report.sent).append(request.pk)
    return report
