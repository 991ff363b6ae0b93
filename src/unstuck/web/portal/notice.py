"""The therapist's email when a client's answer needs attention (a safety answer): sent on a
thread of its own once the answer is committed, so a slow mail server never holds back the
client's page. It carries no client code, name or answer."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections, transaction
from django.urls import reverse

from unstuck.web.portal import messaging
from unstuck.web.records.models import Client

log = logging.getLogger(__name__)

NOTICE_THREAD = "unstuck-attention-email"  # the thread that emails the therapist


def notify_therapist(client: Client) -> None:
    """Once the answer is committed, email the therapist that an answer needs attention (no
    client code, name or answer in it), on a thread of its own: a slow or silent mail server
    (up to ``UNSTUCK_EMAIL_TIMEOUT`` each) never holds back the client's safety page. The alert
    is in the database either way, first on the caseload; the email is extra."""
    transaction.on_commit(lambda: _start_notice(client))


def _start_notice(client: Client) -> None:
    therapist = client.therapist
    sender = messaging.messenger()
    if not therapist.email or not sender.can_reach(therapist.email):
        return
    subject, body = messaging.attention_message(settings.SITE_URL.rstrip("/") + reverse("caseload"))
    threading.Thread(
        target=_send_notice,
        args=(sender, therapist.pk, therapist.email, subject, body),
        name=NOTICE_THREAD,
        daemon=True,
    ).start()


def _send_notice(
    sender: messaging.Messenger, therapist_id: int, to: str, subject: str, body: str
) -> None:
    """The thread's work: nothing but the notice (which holds no answer) is at hand here, so
    nothing else can reach the log."""
    try:
        sender.send(to=to, subject=subject, body=body)
    except Exception as exc:  # any error: on this thread it would otherwise go unlogged
        log.warning(
            "attention email to therapist %s not sent: %s: %s",
            therapist_id,
            type(exc).__name__,
            exc,
        )
    finally:
        connections.close_all()  # a messenger may have used the database on this thread
