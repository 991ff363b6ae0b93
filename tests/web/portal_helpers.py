"""Shared helpers for the portal tests: make a request, walk the client's pages, an SMTP sink
and an SMTP server that never answers."""

from __future__ import annotations

import datetime as dt
import email
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from personas import PHQ9_MILD

GAD7_MILD = [1, 1, 1, 1, 1, 0, 0]
PHQ9_SAFETY = [*PHQ9_MILD[:8], 1]  # question 9 above 0


def make_request(
    user: Any,
    client: Any,
    instruments: Sequence[str] = ("phq9", "gad7"),
    *,
    now: dt.datetime | None = None,
    send_at: dt.datetime | None = None,
    session_number: int | None = None,
) -> tuple[Any, str]:
    from unstuck.web.portal import services

    return services.create_request(
        user=user,
        client=client,
        instrument_ids=list(instruments),
        session_number=session_number or client.sessions_count + 1,
        timing="before",
        now=now or timezone.now(),
        send_at=send_at,
    )


def answer_page(browser: HttpClient, number: int, answers: Sequence[int]) -> Any:
    data = {f"item_{i}": str(a) for i, a in enumerate(answers, start=1)}
    return browser.post(reverse("portal_step", args=[number]), data)


@dataclass
class Sink:
    """Messages that arrived at the loopback SMTP server."""

    port: int
    messages: list[Message] = field(default_factory=list)


@contextmanager
def smtp_sink() -> Iterator[Sink]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) collecting what arrives."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self, sink: Sink) -> None:
            self.sink = sink

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.sink.messages.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink(port=port)
    controller = Controller(Handler(sink), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class Silent:
    """A server on 127.0.0.1 that takes connections and says nothing, not even SMTP's greeting,
    as a mail server that hangs does: a client waits for it until its own timeout."""

    port: int
    listener: socket.socket
    accepted: list[socket.socket] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def hang_up(self) -> None:
        """Close every connection: whoever was waiting hears the server go (and stops waiting)."""
        self.stop.set()
        for connection in [*self.accepted, self.listener]:
            connection.close()


@contextmanager
def silent_smtp() -> Iterator[Silent]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    silent = Silent(port=listener.getsockname()[1], listener=listener)

    def accept() -> None:  # take each connection and keep it, answering nothing
        while not silent.stop.is_set():
            try:
                silent.accepted.append(listener.accept()[0])
            except OSError:  # a timeout: look again (or the listener was closed)
                continue

    taker = threading.Thread(target=accept, daemon=True)
    taker.start()
    try:
        yield silent
    finally:
        silent.hang_up()
        taker.join()
        silent.hang_up()  # and any taken as it stopped


def smtp_settings(port: int) -> dict[str, Any]:
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_CONFIGURED": True,
    }


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")
