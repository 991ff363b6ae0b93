"""A refused form on the client page comes back as it was typed.

The questionnaire-request and schedule forms post to views of their own, which redirect to
the client page: on a refusal that page drew the form afresh, and what the therapist had
chosen (questionnaires, session number, date) was gone. The refused form's fields are kept in
the session for the next drawing of that client's page, which binds the form to them, shows
each field's message beside it, a refusal that is no one field's at the top of the form, and
opens its section (a message at the top of the page was out of sight, far above the form).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict

from unstuck.web.idempotency.once import PER_PAGE

KEY = "portal_refused_form"  # {"form", "client", "data": {field: [values]}, "message"}


def keep(request: HttpRequest, form: str, client_id: int, message: str = "") -> None:
    """Keep what was posted to `form` (``"request"`` or ``"schedule"``) for the client page,
    with the `message` of a refusal that is no one field's."""
    data = {k: request.POST.getlist(k) for k in request.POST if k not in PER_PAGE}
    request.session[KEY] = {"form": form, "client": client_id, "data": data, "message": message}


def take(
    request: HttpRequest | None, form: str, client_id: int
) -> tuple[MultiValueDict[str, str], str] | None:
    """What was posted to `form` for this client and refused, with the refusal's message,
    once; None if nothing was."""
    if request is None:
        return None
    kept = request.session.get(KEY)
    if not isinstance(kept, dict) or (kept.get("form"), kept.get("client")) != (form, client_id):
        return None
    del request.session[KEY]
    return MultiValueDict(kept["data"]), str(kept.get("message", ""))
