"""Pages of client records: caseload, client, new client, session entry, ending an episode.

Views parse input, call one service or selector, and render; every record is reached through
`selectors.access_client`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from unstuck.errors import InvalidValue, UnstuckError
from unstuck.plural import counted
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, Role, signed_in
from unstuck.web.idempotency.once import submit_once
from unstuck.web.portal.selectors import questionnaire_marks
from unstuck.web.records import alerts, charts, presenters, safety, selectors, services, snapshots
from unstuck.web.records.correction_views import (
    client_page_extras,
    correctable,
    other_authors,
)
from unstuck.web.records.corrections import chosen_instruments
from unstuck.web.records.forms import ClientForm, EndEpisodeForm, SafetyCheckForm, SessionForm
from unstuck.web.records.instruments import instruments
from unstuck.web.records.last_seen import last_seen
from unstuck.web.records.models import CheckOutcome, Client, Status
from unstuck.web.records.selectors import PLAN_DUE, REVIEW_SUGGESTED
from unstuck.web.validation import parse_id, search_text
from unstuck.web.vocabulary import error_text, flag

PLAN_DUE_MARK = "Plan due for review (review date {day:%Y-%m-%d})"
CODE_TAKEN = "Another client in this clinic already has the code {code!r}."


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if user.role == Role.ADMINISTRATOR:
        return redirect("overview")  # administrators see no clinical records
    if user.role == Role.CLINIC_LEAD:
        return redirect("team")  # the clinic's figures; no client's record
    query = search_text(request.GET.get("q", ""))
    status = request.GET.get("status", "")
    therapists = selectors.caseload_therapists(user) if user.role == Role.SUPERVISOR else []
    therapist = parse_id(request.GET.get("therapist"))
    if therapist not in {t.pk for t in therapists}:
        therapist = None  # none chosen, or one whose clients this user does not see
    listed = selectors.caseload(user, query=query, status=status, therapist=therapist)
    if status == REVIEW_SUGGESTED:
        listed = snapshots.review_suggested(listed)
    clients = list(listed)
    from unstuck.web.reviews import selectors as reviews

    due: dict[int, str] = {}
    for plan in reviews.due_plans(clients):  # the earliest review date first
        due.setdefault(plan.client_id, PLAN_DUE_MARK.format(day=plan.review_on))
    if status == PLAN_DUE:
        clients = [c for c in clients if c.pk in due]
    main = instruments()["phq9"]
    low, high = main.score_min or 0, main.score_max or 27
    labels = dict(Status.choices)
    client_url = reverse("client", args=[0]).removesuffix("0/")
    # The therapist's own clients with an open alert get the safety check form in their row.
    own_alerts = selectors.open_alert_ids(
        [c.pk for c in clients if c.safety_alert_at is not None and c.therapist_id == user.pk]
    )
    waiting = questionnaire_marks(clients, timezone.now())
    today = timezone.localdate()
    # Rows are prepared here rather than in the template: with hundreds of clients, Django's
    # template engine spends most of the page's time on per-row tags and filters.
    rows = [
        {
            "code": c.code,
            "name": c.name,
            "url": f"{client_url}{c.pk}/",
            "status": "ended" if c.episode_ended_on and c.status_rank else c.status,
            "status_label": "Ended" if c.episode_ended_on and c.status_rank else labels[c.status],
            "safety": c.status_rank == 0,
            "flags": [(f, flag(f), presenters.measure_names(f, c.flag_measures)) for f in c.flags],
            **_latest(c.measures.get("phq9")),
            "spark": mark_safe(
                charts.sparkline(
                    c.trend,
                    low,
                    high,
                    f"{main.name} trend: " + ", ".join(f"{v:g}" for v in c.trend),
                )
            ),
            "sessions": c.sessions_count,
            # its fields as a dict: the template's first lookup finds them
            "last": vars(last_seen(c.last_session_on, today, ended=c.episode_ended_on is not None)),
            "next_action": c.next_action,
            "plan_due": due.get(c.pk, ""),
            "check_url": f"{client_url}{c.pk}/safety-check/?back=caseload"
            if c.pk in own_alerts
            else "",
            "alert_ids": ",".join(map(str, own_alerts.get(c.pk, ()))),
            "therapist": c.therapist.display_name,
            "questionnaires": waiting.get(c.pk, ""),
        }
        for c in clients
    ]
    record_audit(user, AuditAction.VIEW_CASELOAD, detail=counted(len(rows), "client"))
    shown_safety = sum(1 for c in clients if c.status_rank == 0)
    if query or status or therapist:  # a filter never hides that a safety answer is waiting
        hidden_safety = selectors.caseload(user, status="safety").count() - shown_safety
    else:
        hidden_safety = 0
    counts = {
        "safety": shown_safety + hidden_safety,
        "hidden_safety": hidden_safety,
        "off_track": sum(1 for c in clients if c.status == Status.OFF_TRACK),
        "at_risk": sum(1 for c in clients if c.status == Status.AT_RISK),
    }
    return render(
        request,
        "records/caseload.html",
        {
            "rows": rows,
            "query": query,
            "status": status,
            "statuses": Status.choices,
            "counts": counts,
            "supervisor": user.role == "supervisor",
            # a choice only when there is one to make
            "therapists": [(t.pk, t.display_name) for t in therapists]
            if len(therapists) > 1
            else [],
            "therapist": therapist,
            "plan_due": PLAN_DUE,
            "review_suggested": REVIEW_SUGGESTED,
            "outcomes": CheckOutcome.choices,
            "note_label": safety.NOTE_LABEL,
            "note_help": safety.NOTE_HELP,
        },
    )


def _latest(measure: dict[str, object] | None) -> dict[str, str]:
    """The caseload row's latest score and its band (named keys: a template looking up
    ``.0`` on a tuple tries and fails three other lookups first, in every row)."""
    if not measure:
        return {"latest": "", "band": ""}
    last = measure["last"]
    return {
        "latest": f"{last:g}" if isinstance(last, float | int) else str(last),
        "band": str(measure.get("last_severity") or ""),
    }


@login_required
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    user = signed_in(request)
    client, can_write = selectors.access_client(user, client_id)
    client = snapshots.fresh(client)  # the status the caseload shows, made by today's rules
    episode = selectors.current_episode(client)
    sessions = selectors.episode_sessions(episode) if episode else []
    used = presenters.instruments_in(sessions)
    chart_list = presenters.client_charts(used, sessions)
    from unstuck.web.reviews import selectors as reviews
    from unstuck.web.reviews.models import Result

    alerts = selectors.safety_history(client)  # newest first, the open ones among them
    open_alerts = [a for a in alerts if a.is_open]
    correct_url = reverse("session_correct", args=[client.pk, 0]).replace("/0/", "/{}/")
    authors = other_authors(user, client, sessions)
    record_audit(user, AuditAction.VIEW_CLIENT, client_code=client.code)
    return render(
        request,
        "records/client_detail.html",
        {
            "client": client,
            "can_write": can_write,
            "glance": presenters.glance(
                client.status,
                [*client.flags, *snapshots.notes_in(client.explanations)],
                open_alerts,
                client.next_action,
                client.flag_measures,
                client.measures,
                # who is to check in, named for a reader who may not record the check
                asked="" if can_write else client.therapist.display_name,
            ),
            "explained": presenters.sources_cited(
                client.explanations, presenters.courses_in_use(used), used
            ),
            "charts": chart_list,
            "measures": [(i, client.measures.get(i.id)) for i in used],
            "sessions": sessions,
            "answered_ahead": sum(s.started_by_client for s in sessions),
            "history": presenters.history(
                sessions,
                [i.id for i in used],
                correctable(user, client, sessions),
                correct_url,
                authors,
            ),
            "recorded_by_others": bool(authors),
            "instruments": used,
            "episode": episode,
            "end_form": EndEpisodeForm(),
            "open_alerts": [(a, safety.open_sentence(a)) for a in open_alerts],
            "checked_safety": safety.checked_in_episode(
                alerts, episode.started_on if episode else None
            ),
            "alert_ids": ",".join(str(a.pk) for a in open_alerts),
            "check_form": SafetyCheckForm(),
            "safety_history": [(a, safety.answer_text(a)) for a in alerts],
            "panel": reviews.panel(client, sessions),
            "result_choices": Result.choices,
            **client_page_extras(client, episode),
        },
    )


@login_required
def client_new(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if user.role != "therapist" or user.clinic_id is None:
        raise PermissionDenied
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = submit_once(
                request,
                lambda: services.create_client(therapist=user, **form.cleaned_data),
                lambda c: reverse("client", args=[c.pk]),
            )
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        except IntegrityError:
            form.add_error("code", CODE_TAKEN.format(code=form.cleaned_data["code"]))
        else:
            messages.success(request, f"Client {client.code} added.")
            return redirect("client", client_id=client.pk)
    return render(request, "records/client_form.html", {"form": form})


@login_required
def session_new(request: HttpRequest, client_id: int) -> HttpResponse:
    user = signed_in(request)
    client, can_write = selectors.access_client(user, client_id)
    if not can_write:
        raise PermissionDenied
    started = selectors.client_started(client)
    form = SessionForm(
        request.POST or None,
        instrument_ids=chosen_instruments(client),
        answered=[r.instrument for r in started.responses.all()] if started else (),
        initial={"takes_over": started.number if started else None},
    )
    cleared = None
    if form.clear_pressed():  # one questionnaire's answers taken back; nothing is saved
        form, cleared = form.cleared()
    elif request.method == "POST" and form.is_valid():
        data = form.session_input()
        try:
            session = submit_once(
                request,
                lambda: services.record_session(user=user, client=client, data=data),
                lambda _: reverse("client", args=[client.pk]),
            )
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        else:  # record_session stored the new status on `client` itself
            messages.success(
                request,
                f"Session {session.number} saved. Status now: {client.get_status_display()}"
                + (f" ({', '.join(flag(f).lower() for f in client.flags)})" if client.flags else "")
                + ".",
            )
            return redirect("client", client_id=client.pk)
    record_audit(user, AuditAction.OPEN_SESSION_FORM, client_code=client.code)
    return render(
        request,
        "records/session_form.html",
        {
            "client": client,
            "form": form,
            "blocks": form.blocks(),
            "cleared": cleared,
            "started": started,
            "started_names": presenters.instrument_names(started) if started else "",
        },
    )


@login_required
def episode_end(request: HttpRequest, client_id: int) -> HttpResponse:
    user = signed_in(request)
    client, can_write = selectors.access_client(user, client_id)
    if not can_write:
        raise PermissionDenied
    if request.method != "POST":  # a typed or bookmarked address: the page it belongs to
        return redirect("client", client_id=client.pk)
    form = EndEpisodeForm(request.POST)
    if form.is_valid():
        try:
            submit_once(
                request,
                lambda: services.end_episode(user=user, client=client, **form.cleaned_data),
                lambda _: reverse("client", args=[client.pk]),
            )
        except UnstuckError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "The episode of care is closed.")
    else:
        messages.error(request, "Give the date and how the episode ended.")
    return redirect("client", client_id=client.pk)


@login_required
def safety_check(request: HttpRequest, client_id: int) -> HttpResponse:
    """Record a safety check in one step; it closes the open alerts shown with the form."""
    user = signed_in(request)
    client, can_write = selectors.access_client(user, client_id)
    if not can_write:
        raise PermissionDenied
    back = request.GET.get("back", "client")
    back = back if back in BACK_TO else "client"
    form = SafetyCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                request,
                lambda: alerts.record_safety_check(
                    user=user,
                    client=client,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                    alert_ids=form.cleaned_data["alerts"],
                ),
                lambda _: _back_to(back, client),
            )
        except UnstuckError as exc:  # 'Other' without a note is the note's error
            field = exc.field if isinstance(exc, InvalidValue) else None
            form.add_error(field if field in form.fields else None, error_text(exc))
        else:
            still_open = selectors.open_safety_alerts(client)
            messages.success(request, f"Safety check recorded for {client.code}.")
            if still_open:
                messages.warning(
                    request,
                    "Another safety answer is still open: " + safety.open_sentence(still_open[0]),
                )
            return redirect(_back_to(back, client))
    open_alerts = selectors.open_safety_alerts(client)
    return render(
        request,
        "records/safety_check.html",
        {
            "client": client,
            "check_form": form,
            "open_alerts": [(a, safety.open_sentence(a)) for a in open_alerts],
            "alert_ids": form.data.get("alerts")
            if form.is_bound
            else ",".join(str(a.pk) for a in open_alerts),
            "back": back,
            "back_url": _back_to(back, client),
        },
    )


# Where the safety check page leads back to: the caseload, the client page, or the impasse
# review it was recorded for (a review waits for the check while an alert is open).
BACK_TO = {"caseload": "caseload", "client": "client", "review": "review_new"}


def _back_to(back: str, client: Client) -> str:
    name = BACK_TO[back]
    return reverse(name) if name == "caseload" else reverse(name, args=[client.pk])
