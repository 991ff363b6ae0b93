"""How messages reach people: a small interface, with email implemented.

The portal asks a `Messenger` whether it can reach a contact and to send a plain-text message.
Email goes through Django's email framework (SMTP settings from ``UNSTUCK_EMAIL_*``; the demo
writes files). To add text messages, write a class with the same two methods that calls your
SMS provider and name it in ``UNSTUCK_MESSENGER`` (a dotted path); see docs/portal.md.

Messages never carry a name or clinical data: only that a questionnaire is waiting, or that
something needs the therapist's attention.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.utils.module_loading import import_string


class Messenger(Protocol):
    def can_reach(self, contact: str) -> bool: ...

    def send(self, *, to: str, subject: str, body: str) -> None: ...


class EmailMessenger:
    def can_reach(self, contact: str) -> bool:
        if not settings.EMAIL_CONFIGURED:
            return False
        try:
            validate_email(contact.strip())
        except ValidationError:
            return False
        return True

    def send(self, *, to: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [to.strip()], fail_silently=False)


def messenger() -> Messenger:
    cls = import_string(settings.PORTAL_MESSENGER)
    result: Messenger = cls()
    return result


def request_message(clinic: str, link: str, until: str, *, reminder: bool) -> tuple[str, str]:
    """Subject and body of the message that carries a questionnaire link to a client."""
    subject = f"{'Reminder: a' if reminder else 'A'} questionnaire from {clinic} is waiting"
    body = (
        f"{'A reminder: ' if reminder else ''}{clinic} has a short questionnaire for you.\n\n"
        f"Open it here (it works until {until}):\n{link}\n\n"
        "The link is private to you; please do not forward it. If you did not expect this "
        "message, you can ignore it.\n"
    )
    return subject, body


def attention_message(link: str) -> tuple[str, str]:
    """Subject and body of the notice to a therapist: no client code, name or answer."""
    return (
        "Unstuck: an answer needs your attention",
        "One of your clients has just answered a questionnaire, and an answer needs your "
        f"attention today.\n\nSign in to Unstuck to see it:\n{link}\n",
    )
