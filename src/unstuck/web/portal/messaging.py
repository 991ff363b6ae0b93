"""How messages reach people: a small interface, with email implemented.

The portal asks a `Messenger` whether it can reach a contact and to send a plain-text message.
Email goes through Django's email framework (SMTP settings from ``UNSTUCK_EMAIL_*``; the demo
writes files). To add text messages, write a class with the same two methods that calls your
SMS provider and name it in ``UNSTUCK_MESSENGER`` (a dotted path); see docs/portal.md.

Messages never carry a name or clinical data: only that a questionnaire is waiting, or that
something needs the therapist's attention.
"""

from __future__ import annotations

import re
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.utils.module_loading import import_string


class Messenger(Protocol):
    def can_reach(self, contact: str) -> bool: ...

    def send(self, *, to: str, subject: str, body: str) -> None: ...


def email_address(contact: str) -> str | None:
    """The first email address in a client's contact details, which often hold a phone
    number beside it ("07700 900123, jo@example.org"); None when there is none."""
    for word in re.split(r"[\s,;<>()]+", contact):
        try:
            validate_email(word)
        except ValidationError:
            continue
        return word
    return None


class EmailMessenger:
    def can_reach(self, contact: str) -> bool:
        return settings.EMAIL_CONFIGURED and email_address(contact) is not None

    def send(self, *, to: str, subject: str, body: str) -> None:
        address = email_address(to)
        if address is None:  # `can_reach` is asked first; a contact changed meanwhile lands here
            raise OSError("no email address in the client's contact details")
        send_mail(subject, body, None, [address], fail_silently=False)


def messenger() -> Messenger:
    cls = import_string(settings.PORTAL_MESSENGER)
    result: Messenger = cls()
    return result


NO_CONTACT = (
    "There is no email address in this client's contact details: add one under 'Name and "
    "contact details' on the client's page, or show the link, QR code or a kiosk code instead."
)
NO_EMAIL = (
    "Email is not set up for this clinic, so no link can be emailed (the administrator sets "
    "it up: docs/portal.md, 'Email and other messengers'); show the link, QR code or a kiosk "
    "code instead."
)


def cannot_reach(contact: str) -> str | None:
    """Why a link cannot be emailed to `contact` (a client's contact details), in words that
    say what to do; None when it can. Which of the two it is matters: one is put right on the
    client's page, the other only by the administrator."""
    sender = messenger()
    if sender.can_reach(contact):
        return None
    if isinstance(sender, EmailMessenger) and not settings.EMAIL_CONFIGURED:
        return NO_EMAIL
    return NO_CONTACT


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
