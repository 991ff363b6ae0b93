"""Saves that happen once: every form that creates something carries a one-time token.

The page issues a fresh token with each form (``{% submit_token %}``). `submit_once` claims the
token and runs the save in one transaction: the token's row and the created record are stored
together or not at all. A second submission of the same form (a double-click, the browser's
"resend", a retry after a slow answer) cannot claim the token again, so it stores nothing and is
sent to what the first one created. On PostgreSQL a concurrent second claim waits on the unique
index until the first commits; on SQLite writes are serialised by ``BEGIN IMMEDIATE``.

Going Back to a form and sending it again is a submission from a new page, with a new token
(pages with client data are never kept by the browser, so Back loads the form again). When
someone sends the same form with the same content as their latest submission to it, within
`SAME_AGAIN`, it is taken as sent twice too: a second identical review, goal or session a few
minutes after the first is a repeat, never intended. Comparing with the latest submission
only leaves a deliberate change back (a rating of 5, then 6, then 5 again) stored each time.
A form whose creation can be taken back (a questionnaire request, withdrawn) says so with
``stands``: once the first one no longer stands, the same content again is a new submission.

A form posted without a token (a script, an old page) is saved as before; the per-client lock
in the services still serialises it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from unstuck.errors import UnstuckError
from unstuck.web.accounts.models import User, signed_in
from unstuck.web.idempotency.models import FormSubmission

T = TypeVar("T")

TOKEN_FIELD = "submit_token"
# Fields that differ between two loads of one page, left out of the content digest.
PER_PAGE = frozenset({TOKEN_FIELD, "csrfmiddlewaretoken"})
# How long after a submission the same content sent to the same form is taken as a repeat.
SAME_AGAIN = dt.timedelta(minutes=10)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
ALREADY_SAVED = "That was already saved; it has not been stored twice."
BAD_TOKEN = (
    "This form could not be matched to the page it came from; reload the page and enter it again."
)


class UnknownForm(UnstuckError):
    """The form's token is malformed or belongs to someone else's form."""

    def __str__(self) -> str:
        return BAD_TOKEN


class Replay(Exception):  # not an error: the answer to a repeated submission
    """The form was already submitted; `url` shows what that submission created."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def new_token() -> str:
    return secrets.token_urlsafe(24)


def submit_once(
    request: HttpRequest,
    save: Callable[[], T],
    url: Callable[[T], str],
    *,
    stands: Callable[[str], bool] | None = None,
) -> T:
    """Run `save` unless this form's token was used before; then raise `Replay`.

    The same content sent again within `SAME_AGAIN` is a repeat too, unless `stands` (given
    the address the earlier submission led to) says what it created was taken back since.

    Raises
    ------
    Replay
        The token was already used by this person; nothing was stored now.
    UnknownForm
        The token is malformed or was used by someone else.
    """
    user = signed_in(request)
    token = request.POST.get(TOKEN_FIELD, "")
    if token and not TOKEN_PATTERN.fullmatch(token):
        raise UnknownForm
    with transaction.atomic():
        if token:
            form, content = request.get_full_path()[:300], content_digest(request)
            latest = (
                FormSubmission.objects.filter(user=user, form=form)
                .order_by("-created_at", "-id")
                .values_list("content", "result_url", "created_at")
                .first()
            )
            if latest is not None:
                same, where, when = latest[0] == content, latest[1], latest[2]
                recent = when >= timezone.now() - SAME_AGAIN
                if same and where and recent and (stands is None or stands(where)):
                    raise Replay(where)
            try:
                with transaction.atomic():
                    FormSubmission.objects.create(
                        token=token, user=user, form=form, content=content
                    )
            except IntegrityError:
                done = _led_to(token, user)
                if done is None:
                    raise UnknownForm from None
                raise Replay(done) from None
        result = save()
        if token:
            FormSubmission.objects.filter(token=token).update(result_url=url(result)[:300])
        return result


def replay_first(request: HttpRequest) -> None:
    """Raise `Replay` for a form this person already sent (by its token), before the view
    looks at anything else: for a save after which the page itself is out of reach (a client
    handed over to a colleague), whose second send would otherwise find no client."""
    token = request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
    done = _led_to(token, signed_in(request)) if token else None
    if done:  # claimed, and its save done ("": under way, or rolled back)
        raise Replay(done)


def _led_to(token: str, user: User) -> str | None:
    """Where this person's submission of the form with `token` led ("" while its save is
    not done); None when they never sent it."""
    return (
        FormSubmission.objects.filter(token=token, user=user)
        .values_list("result_url", flat=True)
        .first()
    )


def content_digest(request: HttpRequest) -> str:
    """A digest of what the form holds, without the fields that change with every load of
    its page; an uploaded file counts by its name and size."""
    digest = hashlib.sha256()
    for name in sorted(set(request.POST) - PER_PAGE):
        for value in request.POST.getlist(name):
            digest.update(f"{len(name)}:{name}={len(value)}:{value};".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"file {name}={upload.name}:{upload.size};".encode())
    return digest.hexdigest()


class ReplayMiddleware:
    """Answers a repeated submission (`Replay`, from any view) in one place: where the first
    one led, with a plain note; nothing was stored by this one (its transaction rolled back)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Replay):
            return None
        messages.info(request, ALREADY_SAVED)
        return redirect(exception.url or request.path)
