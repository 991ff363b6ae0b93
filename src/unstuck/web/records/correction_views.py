"""Pages for corrections and endings: correct or void a session, preview an ending, reopen an
episode, choose a client's questionnaires, change a client's name and contact details.

A colleague gets 404 (`selectors.access_client`); a supervisor reads but does not write (403);
only a session's author corrects it (see `corrections.can_correct`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from unstuck.errors import InvalidValue, UnstuckError
from unstuck.web.accounts.models import User, signed_in
from unstuck.web.idempotency.once import replay_first, submit_once
from unstuck.web.records import corrections, handover, safety, selectors, services
from unstuck.web.records.forms import (
    ClientDetailsForm,
    CorrectionForm,
    EndEpisodeForm,
    HandOverForm,
    InstrumentsForm,
    VoidForm,
)
from unstuck.web.records.instruments import instrument_name, instruments
from unstuck.web.records.models import (
    Attendance,
    Client,
    EndReason,
    Episode,
    Session,
    SessionRevision,
)
from unstuck.web.vocabulary import error_text

HAND_OVER_INTRO = (
    "When care moves to a colleague of this clinic, the record goes with it: every session, "
    "questionnaire, safety check, review and plan, with the episode of care still open. The "
    "client leaves your caseload for theirs."
)
HAND_OVER_ALERT = (
    " The open safety alert goes too: it heads their caseload until the safety check is "
    "recorded, so tell them today."
)


def _writable(request: HttpRequest, client_id: int) -> Client:
    client, can_write = selectors.access_client(signed_in(request), client_id)
    if not can_write:
        raise PermissionDenied
    return client


def _own_session(request: HttpRequest, client: Client, number: int) -> Session:
    try:
        session = corrections.find_session(client, number)
    except InvalidValue:
        raise Http404("No such session.") from None
    if not corrections.can_correct(signed_in(request), client, session):
        raise PermissionDenied
    return session


def _form_instruments(client: Client, session: Session) -> list[str]:
    """The client's questionnaires and any other the session already holds answers to."""
    ids = corrections.chosen_instruments(client)
    return ids + [r.instrument for r in session.responses.all() if r.instrument not in ids]


@login_required
def session_correct(request: HttpRequest, client_id: int, number: int) -> HttpResponse:
    client = _writable(request, client_id)
    session = _own_session(request, client, number)
    if session.voided_at is not None:
        raise Http404("This session is voided.")
    form = CorrectionForm(
        request.POST or None,
        initial=CorrectionForm.initial_for(session),
        instrument_ids=_form_instruments(client, session),
    )
    cleared = None
    if form.clear_pressed():  # one questionnaire's answers taken back; nothing is saved
        form, cleared = form.cleared()
    elif request.method == "POST" and form.is_valid():
        data = form.session_input()
        try:
            submit_once(
                request,
                lambda: corrections.correct_session(
                    user=signed_in(request),
                    client=client,
                    number=number,
                    data=data,
                    reason=form.cleaned_data["reason"],
                ),
                lambda _: reverse("client", args=[client.pk]),
            )
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        else:
            client.refresh_from_db()
            messages.success(
                request,
                f"Session {number} corrected; the earlier values are kept in its history. "
                f"Status now: {client.get_status_display()}.",
            )
            return redirect("client", client_id=client.pk)
    return render(
        request,
        "records/session_form.html",
        {
            "client": client,
            "form": form,
            "blocks": form.blocks(),
            "cleared": cleared,
            "correcting": session,
            "void_form": VoidForm(),
        },
    )


@login_required
def session_void(request: HttpRequest, client_id: int, number: int) -> HttpResponse:
    client = _writable(request, client_id)
    _own_session(request, client, number)
    if request.method != "POST":
        return redirect("session_correct", client_id=client.pk, number=number)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            submit_once(
                request,
                lambda: corrections.void_session(
                    user=signed_in(request),
                    client=client,
                    number=number,
                    reason=form.cleaned_data["reason"],
                ),
                lambda _: reverse("client", args=[client.pk]),
            )
        except UnstuckError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request, f"Session {number} voided; it stays in the history but no longer counts."
            )
            return redirect("client", client_id=client.pk)
    else:
        messages.error(request, "Say why the session is voided.")
    return redirect("session_correct", client_id=client.pk, number=number)


@login_required
def episode_end_preview(request: HttpRequest, client_id: int) -> HttpResponse:
    """What ending the episode will do, before it is done (the form posts to episode_end)."""
    client = _writable(request, client_id)
    episode = selectors.current_episode(client)
    if episode is None or episode.ended_on is not None:
        messages.error(request, services.EPISODE_ENDED)
        return redirect("client", client_id=client.pk)
    form = EndEpisodeForm(request.GET or None, episode=episode)
    ready = form.is_valid()
    open_alerts = selectors.open_safety_alerts(client)
    return render(
        request,
        "records/end_preview.html",
        {
            "client": client,
            "form": form,
            "ready": ready,
            "reason_label": dict(EndReason.choices).get(form.cleaned_data["reason"], "")
            if ready
            else "",
            "open_alerts": [(a, safety.open_sentence(a)) for a in open_alerts],
            "sessions": len(selectors.episode_sessions(episode)),
        },
    )


@login_required
def episode_reopen(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _writable(request, client_id)
    if request.method != "POST":  # a typed or bookmarked address: the page it belongs to
        return redirect("client", client_id=client.pk)
    try:
        submit_once(
            request,
            lambda: corrections.reopen_episode(user=signed_in(request), client=client),
            lambda _: reverse("client", args=[client.pk]),
        )
    except UnstuckError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "The episode of care is open again; sessions can be recorded.")
    return redirect("client", client_id=client.pk)


@login_required
def client_instruments(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _writable(request, client_id)
    chosen = corrections.chosen_instruments(client)
    form = InstrumentsForm(request.POST or None, initial={"instruments": chosen})
    if request.method == "POST" and form.is_valid():
        try:
            corrections.choose_instruments(
                user=signed_in(request),
                client=client,
                instrument_ids=form.cleaned_data["instruments"],
            )
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "Saved: the session form asks these questionnaires.")
            dropped = corrections.asking_about_safety(chosen)
            if dropped and not corrections.asking_about_safety(form.cleaned_data["instruments"]):
                still_open = bool(selectors.open_safety_alerts(client))
                messages.warning(
                    request, safety.not_asked(client.code, dropped, still_open=still_open)
                )
            return redirect("client", client_id=client.pk)
    return render(request, "records/instruments_form.html", {"client": client, "form": form})


def correctable(user: User, client: Client, sessions: list[Session]) -> set[int]:
    """The numbers of the `sessions` this person may correct (none unless it is their client)."""
    if client.therapist_id != user.pk:
        return set()
    return {s.number for s in sessions if corrections.can_correct(user, client, s)}


def other_authors(user: User, client: Client, sessions: list[Session]) -> dict[int, str]:
    """For the client's therapist: who recorded the sessions another recorded (a colleague
    before the client was handed over), by number; only the author corrects a session."""
    if client.therapist_id != user.pk:
        return {}
    theirs = {s.number: s.recorded_by_id for s in sessions}
    others = {pk for pk in theirs.values() if pk is not None and pk != user.pk}
    if not others:
        return {}
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=others)}
    return {number: names[pk] for number, pk in theirs.items() if pk in names}


def client_page_extras(client: Client, episode: Episode | None) -> dict[str, Any]:
    """What the client page shows of corrections and endings: the voided sessions and every
    revision, every letter and summary."""
    installed = instruments()
    from unstuck.web.reviews.models import ClosureLetter

    return {
        "voided": selectors.voided_sessions(episode) if episode else [],
        "revisions": [
            (r, _before_text(r.previous))
            for r in SessionRevision.objects.filter(session__episode__client=client)
            .select_related("session", "changed_by")
            .order_by("-changed_at", "-id")
        ],
        "letters": list(ClosureLetter.objects.filter(client=client).order_by("-created_at")),
        "chosen_instruments": [installed[i].name for i in corrections.chosen_instruments(client)],
    }


def _before_text(previous: dict[str, Any]) -> str:
    """A revision's earlier values in words: date, attendance and answers by questionnaire
    name (the note is shown apart, as the page shows notes)."""
    attendance = dict(Attendance.choices)
    parts = [
        str(previous.get("date", "")),
        attendance.get(previous.get("attendance", ""), str(previous.get("attendance", ""))),
    ]
    for instrument_id, answers in (previous.get("answers") or {}).items():
        name = instrument_name(instrument_id)
        given = " ".join("blank" if a is None else str(a) for a in answers)
        parts.append(f"{name} answers {given}")
    return "; ".join(parts)


@login_required
def client_details(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's name and contact details (an email address lets links be emailed)."""
    client = _writable(request, client_id)
    initial = {"name": client.name, "contact": client.contact}
    form = ClientDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = submit_once(
                request,
                lambda: handover.change_details(
                    user=signed_in(request), client=client, **form.cleaned_data
                ),
                lambda _: reverse("client", args=[client.pk]),
            )
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        else:
            saved = f"Saved the {' and '.join(changed)}." if changed else "Nothing was changed."
            messages.success(request, saved)
            return redirect("client", client_id=client.pk)
    return _client_form(request, client, form, "name and contact details", "Save")


@login_required
def client_hand_over(request: HttpRequest, client_id: int) -> HttpResponse:
    """The therapist hands the client over to a colleague (`handover.hand_over`)."""
    replay_first(request)  # sent twice: the client is no longer theirs to find
    client = _writable(request, client_id)
    user = signed_in(request)
    form = HandOverForm(request.POST or None, therapist=user)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["colleague"]
        try:
            submit_once(
                request,
                lambda: handover.hand_over(user=user, client=client, target=target),
                lambda _: reverse("caseload"),
            )
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                f"{client.code} is now {target.display_name}'s client, with the whole record; "
                "the audit log records the handover. Let them know.",
            )
            return redirect("caseload")
    alerts = client.safety_alert_at is not None
    intro = HAND_OVER_INTRO + (HAND_OVER_ALERT if alerts else "")
    return _client_form(request, client, form, "hand over to a colleague", "Hand over", intro)


def _client_form(
    request: HttpRequest, client: Client, form: Any, what: str, button: str, intro: str = ""
) -> HttpResponse:
    """A form about the client, under its open safety alerts, cancelled back to its page."""
    return render(
        request,
        "records/client_form.html",
        {
            "form": form,
            "client": client,  # for the open safety alerts at the top
            "title": f"{client.code}: {what}",
            "intro": intro,
            "button": button,
            "cancel": reverse("client", args=[client.pk]),
        },
    )
