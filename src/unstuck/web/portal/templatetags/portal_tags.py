"""`{% portal_panel %}`: the client page's questionnaire section, without touching its view."""

from __future__ import annotations

from typing import Any

from django import template

from unstuck.web.portal import pages, refused, selectors
from unstuck.web.portal.models import QuestionnaireSchedule
from unstuck.web.portal.schedule_views import ScheduleForm, initial_for
from unstuck.web.portal.staff_views import RequestForm
from unstuck.web.records.models import Client, Episode

register = template.Library()


@register.inclusion_tag("portal/_client_panel.html", takes_context=True)
def portal_panel(
    context: template.Context, client: Client, can_write: bool, episode: Episode | None
) -> dict[str, Any]:
    rows = [
        {
            "pk": r.pk,
            "label": f"{r.get_timing_display()} {r.session_number}",
            "names": ", ".join(pages.named(r.instruments)),
            "status": r.status(),
            "created": r.created_at,
        }
        for r in selectors.client_requests(client)[:20]
    ]
    page = context.get("request")
    typed = refused.take(page, "request", client.pk)
    form = (
        RequestForm(
            initial={"session_number": client.sessions_count + 1, "instruments": ["phq9", "gad7"]}
        )
        if typed is None
        else RequestForm(typed[0])
    )
    schedule = QuestionnaireSchedule.objects.filter(client=client).first()
    typed_schedule = refused.take(page, "schedule", client.pk)
    schedule_form = (
        ScheduleForm(initial=initial_for(schedule))
        if typed_schedule is None
        else ScheduleForm(typed_schedule[0])
    )
    return {
        "refused": typed[1] if typed else "",
        "schedule_refused": typed_schedule[1] if typed_schedule else "",
        "schedule": schedule,
        "schedule_form": schedule_form,
        "client": client,
        "can_write": can_write,
        "in_progress": episode is not None and episode.ended_on is None,
        "rows": rows,
        "form": form,
        "csrf_token": context.get("csrf_token"),
    }
