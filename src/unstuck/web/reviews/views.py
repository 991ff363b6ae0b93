"""Pages of the impasse workflow: review, plan and results, goals, documents, reflections.

Every client record is reached through `selectors.access_client`; only the client's own
therapist changes anything, a supervisor reads.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from unstuck.errors import UnstuckError
from unstuck.impasse.outcomes import CAVEAT
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, User, signed_in
from unstuck.web.idempotency.once import submit_once
from unstuck.web.portal.selectors import with_client_report as portal_prefill
from unstuck.web.records import selectors as records
from unstuck.web.records.models import Client
from unstuck.web.reviews import knowledge, selectors, services
from unstuck.web.reviews import outcomes as clinic_outcomes
from unstuck.web.reviews.forms import (
    GoalForm,
    GoalRateForm,
    GoalReviseForm,
    PlanForm,
    ReflectionForm,
    ResultForm,
    ReviewForm,
)
from unstuck.web.reviews.models import (
    Goal,
    PlanStrategy,
    Review,
)
from unstuck.web.reviews.team_views import team as team  # the team page lives there
from unstuck.web.reviews.team_views import team_csv as team_csv
from unstuck.web.reviews.voice import voice
from unstuck.web.validation import parse_id
from unstuck.web.vocabulary import error_text

PLAN_SAVED = "The plan is saved. Record how each strategy goes at later sessions."


def _client(request: HttpRequest, client_id: int, *, write: bool) -> Client:
    client, can_write = records.access_client(signed_in(request), client_id)
    if write and not can_write:
        raise PermissionDenied
    return client


@login_required
def review_new(request: HttpRequest, client_id: int) -> HttpResponse:
    user = signed_in(request)
    client = _client(request, client_id, write=True)
    sessions = _sessions(client)
    evidence = selectors.evidence(client, sessions)
    prefill = knowledge.prefill(evidence)
    prefill = portal_prefill(client, prefill)  # the client's own "what gets in the way" check
    form = ReviewForm(request.POST or None, reasons=knowledge.reasons(), prefill=prefill)
    if request.method == "POST" and form.is_valid():
        try:
            review = submit_once(
                request,
                lambda: services.open_review(
                    user=user,
                    client=client,
                    ratings=form.ratings(),
                    notes=form.cleaned_data["notes"],
                ),
                lambda r: reverse("review", args=[r.pk]),
            )
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("review", review_id=review.pk)
    record_audit(user, AuditAction.OPEN_REVIEW_FORM, client_code=client.code)
    return render(
        request,
        "reviews/review_form.html",
        {"client": client, "form": form, "evidence": evidence, "safety": "safety" in client.flags},
    )


def _review(request: HttpRequest, review_id: int, *, write: bool) -> tuple[Review, bool]:
    review = get_object_or_404(Review.objects.select_related("client", "opened_by"), pk=review_id)
    _, can_write = records.access_client(signed_in(request), review.client_id)
    if write and not can_write:
        raise PermissionDenied
    return review, can_write


@login_required
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    user = signed_in(request)
    review, can_write = _review(request, review_id, write=request.method == "POST")
    client = review.client
    ratings = {r.reason_id: r.rating for r in review.reasons.all()}
    earlier = client.reviews.filter(opened_at__lt=review.opened_at).exists()
    ranked = knowledge.rank(
        ratings,
        review.flags,
        selectors.tried(client, as_of=review.opened_at),  # the ranking it was made with
        first_review=not earlier,
        tallies=clinic_outcomes.clinic_tallies(client.clinic, follow_up=False),
    )
    form = PlanForm(request.POST or None, choices=[(s.id, s.name) for s in ranked])
    if request.method == "POST" and form.is_valid():
        why = {s.id: s.why for s in ranked}
        chosen = [
            services.ChosenStrategy(sid, why.get(sid, ""))
            for sid in form.cleaned_data["strategies"]
        ]
        try:
            submit_once(
                request,
                lambda: services.make_plan(
                    user=user,
                    review=review,
                    chosen=chosen,
                    review_on=form.cleaned_data["review_on"],
                ),
                lambda _: reverse("client", args=[client.pk]),
            )
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, PLAN_SAVED)
            return redirect("client", client_id=client.pk)
    record_audit(user, AuditAction.VIEW_REVIEW, client_code=client.code)
    words = voice(review, user)  # "Your notes" to its author, "Alex's notes" to others
    plan = getattr(review, "plan", None)
    planned = {ps.strategy_id for ps in plan.strategies.all()} if plan is not None else set()
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "client": client,
            "ranked": ranked,
            "form": form,
            "can_write": can_write and not hasattr(review, "plan"),
            # A supervisor reads it: the client's therapist decides and records, not the reader.
            "reader": "" if can_write else _first_name(client.therapist),
            "planned": planned,
            "clinic_caveat": CAVEAT if any(s.clinic_hint for s in ranked) else "",
            "reasons": [
                (name, r, words.evidence(r.evidence))
                for name, r in knowledge.rated_reasons(review.reasons.all())
            ],
            "voice": words,
        },
    )


def _first_name(user: User) -> str:
    return user.first_name or user.display_name


@login_required
def strategy_result(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy = get_object_or_404(PlanStrategy.objects.select_related("plan"), pk=strategy_id)
    client = _client(request, strategy.plan.client_id, write=True)
    form = ResultForm(request.POST)
    back = f"{reverse('client', args=[client.pk])}#plans"
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                request,
                lambda: services.record_strategy_result(
                    user=signed_in(request), strategy=strategy, **form.cleaned_data
                ),
                lambda _: back,
            )
        except UnstuckError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"Result recorded for “{strategy.name}”.")
    else:
        messages.error(request, _problems(form))
    return redirect(back)


@login_required
def goals(request: HttpRequest, client_id: int) -> HttpResponse:
    user = signed_in(request)
    client, can_write = records.access_client(user, client_id)
    form = GoalForm(request.POST or None, prefix="new")
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        back = reverse("goals", args=[client.pk])
        if form.is_valid():
            try:
                submit_once(
                    request,
                    lambda: services.add_goal(
                        user=user, client=client, text=form.cleaned_data["text"]
                    ),
                    lambda _: back,
                )
            except UnstuckError as exc:
                form.add_error("text", error_text(exc))
            else:
                messages.success(request, "Goal added.")
                return redirect(back)
    record_audit(user, AuditAction.VIEW_GOALS, client_code=client.code)
    return render(
        request,
        "reviews/goals.html",
        {
            "client": client,
            "form": form,
            "goals": [(g, GoalRateForm.for_goal(g.pk)) for g in selectors.all_goals(client)],
            "can_write": can_write,
            "revise_form": GoalReviseForm(),
        },
    )


@login_required
def goal_change(request: HttpRequest, goal_id: int, action: str) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=goal_id)
    client = _client(request, goal.client_id, write=True)
    if request.method != "POST":
        raise Http404
    user = signed_in(request)
    back = reverse("goals", args=[client.pk])
    try:
        if action == "revise":
            revise = GoalReviseForm(request.POST)
            if revise.is_valid():
                submit_once(
                    request,
                    lambda: services.revise_goal(user=user, goal=goal, **revise.cleaned_data),
                    lambda _: back,
                )
                messages.success(
                    request, "Goal revised; the earlier wording is kept in its history."
                )
            else:
                messages.error(request, _problems(revise))
        elif action == "rate":
            rate = GoalRateForm(request.POST)
            if rate.is_valid():
                submit_once(
                    request,
                    lambda: services.rate_goal(user=user, goal=goal, **rate.cleaned_data),
                    lambda _: back,
                )
                messages.success(request, "Goal rating recorded.")
            else:
                messages.error(request, _problems(rate))
        else:
            raise Http404
    except UnstuckError as exc:
        messages.error(request, error_text(exc))
    return redirect(back)


def _problems(form: forms.Form) -> str:
    """Every error of a form in one message, each after its field's name (the goals page and
    a plan's results show messages, not the form)."""
    return " ".join(
        f"{form[name].label}: {e}" if name in form.fields else str(e)
        for name, errors in form.errors.items()
        for e in errors
    )


def _sessions(client: Client) -> list:  # type: ignore[type-arg]
    episode = records.current_episode(client)
    return records.episode_sessions(episode) if episode else []


@login_required
def reflections(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = ReflectionForm(request.POST or None)
    client = None
    given = request.GET.get("client") or request.POST.get("client")
    if given:  # an id that is not one names no client: 404, as a client one may not see
        client_id = parse_id(given)
        if client_id is None:
            raise Http404("No such client.")
        client, _ = records.access_client(user, client_id)
    if request.method == "POST" and form.is_valid():
        back = reverse("reflections")
        try:
            submit_once(
                request,
                lambda: services.add_reflection(user=user, client=client, **form.cleaned_data),
                lambda _: back,
            )
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "Saved. Only you can see your reflections.")
            return redirect(back)
    return render(
        request,
        "reviews/reflections.html",
        {"form": form, "reflections": selectors.own_reflections(user), "client": client},
    )
