"""`{% open_safety_alerts client %}`: the open safety answers, at the top of every page about a
client that is not the client page itself (goals, reviews, sessions, questionnaires, name and
contact details), so a risk answer is never out of sight while the therapist works on
something else. A reader who may not record the check (a supervisor) sees the alert in full,
with who is asked to record it in place of the link to a page they cannot open."""

from __future__ import annotations

from typing import Any

from django import template

from unstuck.web.records import safety, selectors
from unstuck.web.records.models import Client

register = template.Library()


@register.inclusion_tag("records/_open_alerts.html", takes_context=True)
def open_safety_alerts(context: template.Context, client: Client) -> dict[str, Any]:
    # the safety check view's own rule (`access_client`'s answer), asked of the same function
    user = getattr(context.get("request"), "user", None)
    can_record = user is not None and selectors.may_change(user, client)
    return {
        "client": client,
        "sentences": [safety.open_sentence(a) for a in selectors.open_safety_alerts(client)],
        "can_record": can_record,
        "asked": "" if can_record else safety.therapist_asked(client),
    }
