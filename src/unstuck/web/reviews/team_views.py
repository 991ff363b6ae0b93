"""The team page and its CSV exports: a supervisor's team, or the clinic lead's whole clinic;
a 404 for everyone else.

The page shows aggregates only (no client codes, answers or notes); every view and export is
audited. The exports are one CSV per table (`?table=`), so each opens as a plain sheet.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from unstuck.analysis.clinic import CASE_MIX, to_csv
from unstuck.analysis.clinic_time import completion_csv, periods_csv
from unstuck.analysis.retention import median_stay, summary
from unstuck.analysis.retention import to_csv as retention_csv
from unstuck.impasse.outcomes import CAVEAT, default_outcome_rules
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, Role, signed_in
from unstuck.web.downloads import content_disposition
from unstuck.web.records.instruments import instruments
from unstuck.web.reviews import knowledge
from unstuck.web.reviews import outcomes as clinic_outcomes
from unstuck.web.reviews import team as team_selectors
from unstuck.web.reviews.team_charts import periods_chart, retention_chart

TABLES = ("therapists", "quarters", "retention", "completion")


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """A supervisor's view of their team's clients in aggregate (a clinic lead's: the whole
    clinic's); a 404 for everyone else."""
    user = signed_in(request)
    found = team_selectors.team(user)
    if found is None:
        raise Http404("No such page.")
    record_audit(user, AuditAction.VIEW_TEAM_FIGURES)
    tallies = clinic_outcomes.clinic_tallies(user.clinic) if user.clinic else {}
    strategies, reasons = knowledge.strategy_names(), knowledge.reason_names()
    helps = [
        (strategies.get(t.strategy, t.strategy), reasons.get(t.reason or "", "any reason"), t)
        for t in tallies.values()
        if t.helped_share or t.back_on_track
    ]
    min_n = default_outcome_rules().min_n
    names = {i.id: i.name for i in instruments().values()}
    episodes = found.retention[0].at_risk if found.retention else 0
    return render(
        request,
        "reviews/team.html",
        {
            "whole_clinic": user.role == Role.CLINIC_LEAD,
            "reviews_to_begin": team_selectors.reviews_to_begin(user),
            "rows": found.rows,
            "case_mix": CASE_MIX,
            "instrument": "PHQ-9",
            "helps": helps,
            "caveat": CAVEAT,
            "follow_up": default_outcome_rules().follow_up_sessions,
            "periods": found.periods,
            "periods_chart": mark_safe(periods_chart(found.periods)),
            "completion": [(c, names.get(c.instrument, c.instrument)) for c in found.completion],
            "retention": found.retention if episodes >= min_n else [],
            "retention_chart": mark_safe(retention_chart(found.retention)),
            "retention_summary": summary(found.retention),
            "retention_median": median_stay(found.retention),
            "episodes": episodes,
            "min_n": min_n,
        },
    )


@login_required
def team_csv(request: HttpRequest) -> HttpResponse:
    """One table of the page as CSV: by therapist (the default), quarters, retention, completion."""
    user = signed_in(request)
    found = team_selectors.team(user)
    if found is None:
        raise Http404("No such page.")
    table = request.GET.get("table", "therapists")
    if table not in TABLES:
        return HttpResponse(
            f"There is no table called {table[:40]!r} to download; choose one of "
            f"{', '.join(TABLES)}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    record_audit(user, AuditAction.EXPORT_TEAM_FIGURES)
    text = {
        "therapists": lambda: to_csv(found.rows),
        "quarters": lambda: periods_csv(found.periods),
        "retention": lambda: retention_csv(found.retention),
        "completion": lambda: completion_csv(found.completion),
    }[table]()
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    name = "team-figures" if table == "therapists" else f"team-{table}"
    response["Content-Disposition"] = content_disposition(f"{name}.csv", as_attachment=True)
    return response
