"""The therapist's side: ask a client to answer questionnaires, and follow the requests.

Every request is reached through `records.selectors.access_client`, so a colleague's request
is a plain 404, like a colleague's client. A link's secret is shown once, right after it is
made (only its hash is kept); "New link" makes another.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from unstuck.errors import UnstuckError
from unstuck.impasse.client_check import client_check
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, User, signed_in
from unstuck.web.idempotency.once import submit_once
from unstuck.web.portal import pages, refused, sending, services, tokens
from unstuck.web.portal.models import QuestionnaireRequest, Timing
from unstuck.web.records import selectors as records
from unstuck.web.records.instruments import instruments, usual_order
from unstuck.web.vocabulary import error_text

# A date to email a link on: from today, and within a year (a year typed wrong, 2030 for
# 2026, was taken, and the link stayed open for years).
MAX_DAYS_AHEAD = 366
PAST_SEND_DATE = "That date has passed: choose today or a later date."
FAR_SEND_DATE = "Choose a date within a year from today."
FRESH_KEY = "portal_fresh_secret"  # {"request": pk, "kind": "link"|"kiosk", "secret": ...}


class RequestForm(forms.Form):
    instruments = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="Questionnaires"
    )
    timing = forms.ChoiceField(choices=Timing.choices, initial=Timing.BEFORE, label="When")
    session_number = forms.IntegerField(min_value=1, max_value=999, label="Session number")
    delivery = forms.ChoiceField(
        choices=[
            ("show", "Show the link, QR code or a kiosk code now"),
            ("email", "Email the link to the client now"),
            ("schedule", "Email the link on a date"),
        ],
        initial="show",
        widget=forms.RadioSelect,
        label="How",
    )
    send_on = forms.DateField(
        required=False, label="Send on", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["instruments"]
        assert isinstance(field, forms.MultipleChoiceField)
        asked = sorted(
            (i for i in instruments().values() if i.items),
            key=lambda i: (usual_order(i.id)[0], i.name),
        )
        check = client_check().instrument
        field.choices = [(i.id, i.name) for i in asked] + [(check.id, f"{check.name} (check)")]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        day = data.get("send_on")
        if data.get("delivery") == "schedule":
            today = timezone.localdate()
            if not day:
                self.add_error("send_on", "Give the date to send it on.")
            elif day < today:
                self.add_error("send_on", PAST_SEND_DATE)
            elif day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
                self.add_error("send_on", FAR_SEND_DATE)
        return data


def _access(user: User, request_id: int, *, write: bool) -> QuestionnaireRequest:
    found = QuestionnaireRequest.objects.filter(pk=request_id).first()
    if found is None:
        raise Http404("No such questionnaire request.")
    client, can_write = records.access_client(user, found.client_id)  # 404 if not theirs
    if write and not can_write:
        raise PermissionDenied
    found.client = client
    return found


def _to_change(
    request: HttpRequest, request_id: int
) -> tuple[User, QuestionnaireRequest, dt.datetime, str]:
    """Who asks, the request they may change (404 or 403 otherwise), now, and the request's
    page, where each change goes back to: shared by the actions and the withdraw page."""
    user = signed_in(request)
    found = _access(user, request_id, write=True)
    return user, found, timezone.now(), reverse("portal_request", args=[found.pk])


def qr_svg(url: str) -> SafeString:
    """The link as a QR code, drawn here as SVG (no outside service sees the link)."""
    svg = segno.make(url, error="m").svg_inline(scale=5, title="QR code of the link")
    return mark_safe(svg)  # segno's own SVG, built from our URL


def _not_withdrawn(url: str) -> bool:
    """Whether the request an earlier "ask" led to (its page's address) still stands: asking
    again for the same questionnaires after withdrawing it is a new request, not a repeat."""
    try:
        match = resolve(url)
    except Resolver404:
        return True
    if match.url_name != "portal_request":
        return True
    found = QuestionnaireRequest.objects.filter(pk=match.kwargs["request_id"])
    return found.filter(withdrawn_at__isnull=True).exists()


@login_required
@require_POST
def request_new(request: HttpRequest, client_id: int) -> HttpResponse:
    user = signed_in(request)
    client, can_write = records.access_client(user, client_id)
    if not can_write:
        raise PermissionDenied
    form = RequestForm(request.POST)
    again = reverse("client", args=[client.pk]) + "#ask-questionnaires"
    if not form.is_valid():  # the form comes back with each message beside its field
        refused.keep(request, "request", client.pk)
        return redirect(again)
    data = form.cleaned_data
    now = timezone.now()
    send_at: dt.datetime | None = None
    if data["delivery"] == "email":
        send_at = now
    elif data["delivery"] == "schedule":
        send_at = max(now, timezone.make_aware(dt.datetime.combine(data["send_on"], dt.time(8))))
    try:
        found, secret = submit_once(
            request,
            lambda: services.create_request(
                user=user,
                client=client,
                instrument_ids=data["instruments"],
                session_number=data["session_number"],
                timing=data["timing"],
                now=now,
                send_at=send_at,
            ),
            lambda made: reverse("portal_request", args=[made[0].pk]),
            stands=_not_withdrawn,
        )
        if data["delivery"] == "email":
            sending.send_now(user=user, request=found, now=now)
            messages.success(request, "The link was emailed to the client.")
        elif data["delivery"] == "schedule":
            messages.success(
                request,
                f"The link will be emailed on {data['send_on']:%Y-%m-%d}; it works from then.",
            )
    except UnstuckError as exc:  # said in the form, which comes back as it was typed
        refused.keep(request, "request", client.pk, error_text(exc))
        return redirect(again)
    except OSError:
        messages.error(
            request, "The email could not be sent; make a new link below and show it instead."
        )
    if secret is not None:
        request.session[FRESH_KEY] = {"request": found.pk, "kind": "link", "secret": secret}
    return redirect("portal_request", request_id=found.pk)


@login_required
@never_cache
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = signed_in(request)
    found = _access(user, request_id, write=False)
    fresh = request.session.pop(FRESH_KEY, None)
    link = code = None
    if isinstance(fresh, dict) and fresh.get("request") == found.pk:
        if fresh["kind"] == "link":
            origin = f"{request.scheme}://{request.get_host()}"
            link = services.link_url(fresh["secret"], origin)
        else:
            code = tokens.display_kiosk_code(fresh["secret"])
    record_audit(
        user,
        AuditAction.PORTAL_REQUEST_VIEWED,
        client_code=found.client.code,
        detail=f"request {found.pk}",
    )
    return render(
        request,
        "portal/request_detail.html",
        {
            "found": found,
            "client": found.client,
            "names": pages.named(found.instruments),
            "status": found.status(),
            "link": link,
            "qr": qr_svg(link) if link else None,
            "code": code,
            "can_write": found.client.therapist_id == user.pk,
            "open": found.is_open(),
        },
    )


def _seen(request: HttpRequest) -> dt.datetime | Literal["unknown"] | None:
    """When the page the email button was on said the link was last sent: None for not yet,
    "unknown" for a post without the field (or one that cannot be read)."""
    if "sent_at" not in request.POST:
        return "unknown"
    value = request.POST["sent_at"]
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return "unknown"


def _shown_once(_url: str) -> bool:
    """A new link or kiosk code is shown once, on the page its button leads to, so pressing
    the button again from the page loaded anew asks for another: none would be shown (a
    double click, the same form sent twice, still makes one)."""
    return False


@login_required
@require_POST
def request_action(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    user, found, now, done = _to_change(request, request_id)
    if not found.is_open(now):
        messages.error(request, services.IS_CLOSED)
        return redirect(done)
    issue = {  # a new private link or kiosk code, shown once on the request's page
        "link": lambda: services.new_link(user=user, request=found),
        "kiosk": lambda: services.new_kiosk_code(user=user, request=found, now=now),
    }
    try:
        if action in issue:
            secret = submit_once(request, issue[action], lambda _: done, stands=_shown_once)
            request.session[FRESH_KEY] = {"request": found.pk, "kind": action, "secret": secret}
        elif action == "email":
            again = found.sent_at is not None
            if sending.send_now(user=user, request=found, now=now, seen=_seen(request)):
                messages.success(
                    request,
                    "A new link was emailed to the client; the one sent before still works."
                    if again
                    else "The link was emailed to the client.",
                )
            else:
                messages.error(request, "It was emailed just now (another click or the schedule).")
        else:
            raise Http404("No such action.")
    except UnstuckError as exc:
        messages.error(request, error_text(exc))
    except OSError:
        messages.error(request, "The email could not be sent; show the link instead.")
    return redirect(done)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    """Withdrawing asks first: the request's page leads here, this page says what withdrawing
    does, and only its button (a post) withdraws. Pressing it twice withdraws once (the
    service's conditional update), with one audit row."""
    user, found, now, done = _to_change(request, request_id)
    if not found.is_open(now):
        messages.error(request, services.IS_CLOSED)
        return redirect(done)
    if request.method == "POST":
        try:
            if services.withdraw_request(user=user, request=found, now=now):
                messages.success(request, "Withdrawn: its links and kiosk codes no longer open it.")
        except UnstuckError as exc:
            messages.error(request, error_text(exc))
        return redirect(done)
    context = {"found": found, "client": found.client, "names": pages.named(found.instruments)}
    return render(request, "portal/request_withdraw.html", context)
