"""The client page's questionnaire schedule form (what `unstuck send-due` follows)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from unstuck.errors import UnstuckError
from unstuck.web.accounts.models import signed_in
from unstuck.web.portal import refused, schedules
from unstuck.web.portal.models import Cadence, QuestionnaireSchedule
from unstuck.web.portal.staff_views import RequestForm
from unstuck.web.records import selectors as records
from unstuck.web.vocabulary import error_text


class ScheduleForm(forms.Form):
    cadence = forms.ChoiceField(
        choices=Cadence.choices, widget=forms.RadioSelect, initial=Cadence.OFF, label="When"
    )
    instruments = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="Questionnaires", required=False
    )
    dates = forms.CharField(
        required=False,
        label="Dates (for chosen dates)",
        help_text="YYYY-MM-DD, separated by commas or spaces.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Ids of its own: it shares the client page with RequestForm, whose fields have the
        # same names (a label must tick this form's box, not the other's).
        kwargs.setdefault("auto_id", "id_schedule-%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["instruments"].choices = RequestForm().fields["instruments"].choices  # type: ignore[attr-defined]


def initial_for(schedule: QuestionnaireSchedule | None) -> dict[str, object]:
    if schedule is None:
        return {"cadence": Cadence.OFF, "instruments": ["phq9", "gad7"]}
    return {
        "cadence": schedule.cadence,
        "instruments": schedule.instruments,
        "dates": ", ".join(schedule.dates),
    }


@login_required
@require_POST
def schedule_set(request: HttpRequest, client_id: int) -> HttpResponse:
    user = signed_in(request)
    client, can_write = records.access_client(user, client_id)
    if not can_write:
        raise PermissionDenied
    form = ScheduleForm(request.POST)
    again = reverse("client", args=[client.pk]) + "#questionnaire-schedule"
    if not form.is_valid():
        refused.keep(request, "schedule", client.pk, "Choose when, and which questionnaires.")
        return redirect(again)
    data = form.cleaned_data
    try:
        schedule = schedules.set_schedule(
            user=user,
            client=client,
            cadence=data["cadence"],
            instrument_ids=data["instruments"],
            dates=data["dates"].replace(",", " ").split(),
            now=timezone.now(),
        )
    except UnstuckError as exc:  # said in the form, which comes back as it was typed
        refused.keep(request, "schedule", client.pk, error_text(exc))
        return redirect(again)
    else:
        messages.success(request, f"Questionnaire schedule: {schedule.get_cadence_display()}.")
    return redirect("client", client_id=client.pk)
