"""The administrator's instrument pages: what is installed, add a definition, FHIR export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from unstuck.errors import UnstuckError
from unstuck.measures.definition_schema import instrument_schema
from unstuck.measures.fhir import to_fhir_questionnaire
from unstuck.plural import listed
from unstuck.web.accounts.models import Role, User
from unstuck.web.downloads import content_disposition
from unstuck.web.idempotency.once import submit_once
from unstuck.web.instruments.services import add_clinic_instrument
from unstuck.web.records.instruments import instruments

MAX_DEFINITION_BYTES = 512 * 1024
NOT_UTF8 = "The file is not UTF-8 text; save it as UTF-8 and upload it again."
TOO_BIG = "The file is larger than 512 KB; an instrument definition is much smaller."


# Said without the source at hand (an installed package has no docs/ folder): the fields the
# schema requires, by their names in the file.
DEFINITION_HELP = (
    f"One questionnaire as a TOML file: {listed(instrument_schema()['required'])}, then its "
    "items with their answer options (bands, safety_items, change numbers and translations may "
    "follow). Once added it is never replaced: add a corrected version under a new id. Every "
    "field, with a complete example, is in docs/instruments.md in Unstuck's source repository."
)


class DefinitionUploadForm(forms.Form):
    definition = forms.FileField(help_text=DEFINITION_HELP)


def _administrator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role != Role.ADMINISTRATOR:
        raise PermissionDenied
    return user


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    user = _administrator(request)
    form = DefinitionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["definition"]
        if upload.size > MAX_DEFINITION_BYTES:
            form.add_error("definition", TOO_BIG)
        else:
            try:
                text = upload.read().decode("utf-8")
                instrument = submit_once(
                    request,
                    lambda: add_clinic_instrument(user=user, filename=upload.name, text=text),
                    lambda _: reverse("instruments"),
                )
            except UnicodeDecodeError:
                form.add_error("definition", NOT_UTF8)
            except UnstuckError as exc:
                form.add_error("definition", str(exc))
            else:
                messages.success(request, f"{instrument.name} ({instrument.id}) was added.")
                return redirect("instruments")
    installed = instruments()
    rows = [(installed[i], installed.origin(i)) for i in installed]
    return render(request, "instruments/list.html", {"rows": rows, "form": form})


@login_required
def instrument_fhir(request: HttpRequest, instrument_id: str) -> HttpResponse:
    installed = instruments()
    if instrument_id not in installed:
        raise Http404("No such instrument.")
    response = JsonResponse(
        to_fhir_questionnaire(installed[instrument_id]), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = content_disposition(
        f"{instrument_id}.fhir.json", as_attachment=True
    )
    return response
