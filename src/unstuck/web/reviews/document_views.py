"""The printed documents of a client's work: the consultation summary, closing the episode with
a referral letter or an ending summary (with a word-for-word preview), and the letters
themselves. The consultation summary is live (`_document_context`, the record as it is now);
a letter says what the record said when it was written (`letters.written`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from unstuck.errors import InvalidValue, UnstuckError
from unstuck.web.accounts.audit import choice_label, record_audit
from unstuck.web.accounts.models import AuditAction, signed_in
from unstuck.web.idempotency.once import submit_once
from unstuck.web.records import presenters, safety, snapshots
from unstuck.web.records import selectors as records
from unstuck.web.records.models import Client, EndReason
from unstuck.web.reviews import documents, knowledge, letters, selectors, services
from unstuck.web.reviews.forms import ClosureForm
from unstuck.web.reviews.models import ClosureLetter, LetterKind
from unstuck.web.reviews.views import _client
from unstuck.web.reviews.voice import third_person
from unstuck.web.vocabulary import error_text


def _latest_review(client: Client) -> dict[str, object]:
    """The latest review's reasons and notes (the consultation's, not a letter's). The summary
    is for a consultant or supervisor, so it names the review's author: "Alex noted"."""
    review = client.reviews.select_related("opened_by").prefetch_related("reasons").first()
    if review is None:
        return {"reasons": [], "review_notes": "", "voice": None}
    words = third_person(review)
    reasons = knowledge.rated_reasons(review.reasons.all())
    return {
        "reasons": [(name, r, words.evidence(r.evidence)) for name, r in reasons],
        "review_notes": review.notes,
        "voice": words,
    }


def _document_context(client: Client) -> dict[str, object]:
    summary, sessions = snapshots.summarise(client)
    alerts = records.safety_history(client)  # newest first
    used = presenters.instruments_in(sessions)
    plans = selectors.plan_views(client, sessions)
    return {
        "client": client,
        "summary": summary,
        # each source cited once, as on the client page (the core's sentences cite each time)
        "explained": presenters.sources_cited(summary.explanations, [], used),
        "safety_history": [(a, safety.answer_text(a)) for a in alerts],
        # every measure's chart with the key of what it draws, as on the client page
        "charts": presenters.client_charts(used, sessions),
        "sessions": sessions,
        "plans": plans,
        "goals": selectors.all_goals(client),
        **_latest_review(client),
        "now": timezone.localtime(),
        "episode": records.current_episode(client),
    }


@login_required
def consultation(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id, write=False)
    record_audit(signed_in(request), AuditAction.PRINT_CONSULTATION, client_code=client.code)
    return documents.respond(
        request,
        "reviews/consultation.html",
        _document_context(client),
        f"consultation-{client.code}",
    )


@login_required
def close(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id, write=True)
    initial = {"kind": request.GET.get("kind", LetterKind.TERMINATION)}
    episode = records.current_episode(client)  # the end date is checked with the preview too
    form = ClosureForm(request.POST or None, initial=initial, episode=episode)
    preview = None
    letter_text: dict[str, object] = {}
    if request.method == "POST" and form.is_valid() and request.POST.get("preview"):
        preview = form.cleaned_data  # shown above the form; nothing is written yet
        preview["end_reason_label"] = EndReason(preview["end_reason"]).label
        letter_text = _letter_preview(client, form.cleaned_data)
    elif request.method == "POST" and form.is_valid():
        try:
            letter = submit_once(
                request,
                lambda: services.close_with_letter(
                    user=signed_in(request), client=client, **form.cleaned_data
                ),
                lambda entry: reverse("letter", args=[client.pk, entry.pk]),
            )
        except InvalidValue as exc:
            form.add_error(None, exc.reason)
        except UnstuckError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request, f"{letter.get_kind_display()} written and the episode closed."
            )
            return redirect("letter", client_id=client.pk, letter_id=letter.pk)
    open_alerts = [(a, safety.open_sentence(a)) for a in records.open_safety_alerts(client)]
    return render(
        request,
        "reviews/close_form.html",
        {
            **letter_text,
            "client": client,
            "form": form,
            "open_alerts": open_alerts,
            "preview": preview,
            "previewing": bool(request.POST.get("preview")),
        },
    )


LETTER_BODIES = {
    LetterKind.REFERRAL: "reviews/_referral_body.html",
    LetterKind.TERMINATION: "reviews/_termination_body.html",
}


def _letter_preview(client: Client, data: dict[str, object]) -> dict[str, object]:
    """What the letter will say, word for word, from the form as sent (nothing is saved):
    the same text the printed letter includes."""
    text = {
        f: str(data.get(f) or "") for f in ("recipient", "reason", "recommendations", "resources")
    }
    kind = str(data["kind"])
    draft = ClosureLetter(
        client=client,
        kind=kind,
        created_at=timezone.now(),
        written_from=letters.letter_facts(client, kind),
        **text,
    )
    return {
        "letter": draft,
        "written": letters.written(draft),
        "letter_body": LETTER_BODIES[LetterKind(draft.kind)],
    }


@login_required
def letter(request: HttpRequest, client_id: int, letter_id: int) -> HttpResponse:
    client = _client(request, client_id, write=False)
    can_record = records.may_change(signed_in(request), client)
    entry = get_object_or_404(client.letters, pk=letter_id)
    record_audit(
        signed_in(request),
        AuditAction.PRINT_LETTER,
        client_code=client.code,
        detail=choice_label(LetterKind, entry.kind),
    )
    context = {
        "client": client,
        "letter": entry,
        "written": letters.written(entry),
        # for the therapist on screen, never printed: the ending summary is the client's
        "open_alerts": [safety.open_sentence(a) for a in records.open_safety_alerts(client)],
        "asked": "" if can_record else safety.therapist_asked(client),
    }
    template = (
        "reviews/referral_letter.html"
        if entry.kind == LetterKind.REFERRAL
        else "reviews/termination_summary.html"
    )
    # named as it is titled ("ending-summary-C-1.pdf"), not by the code it is stored under
    name = f"{slugify(entry.get_kind_display())}-{client.code}"
    return documents.respond(request, template, context, name)
