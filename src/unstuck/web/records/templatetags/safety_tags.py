"""`{% open_safety_alerts client %}`: the open safety answers, at the top of every page about a
client that is not the client page itself (goals, reviews, sessions, questionnaires, name and
contact details), so a risk answer is never out of sight while the therapist works on
something else."""

from __future__ import annotations

from typing import Any

from django import template

from unstuck.web.records import safety, selectors
from unstuck.web.records.models import Client

register = template.Library()


@register.inclusion_tag("records/_open_alerts.html")
def open_safety_alerts(client: Client) -> dict[str, Any]:
    return {
        "client": client,
        "sentences": [safety.open_sentence(a) for a in selectors.open_safety_alerts(client)],
    }
