"""`{% load review_tags %}` then `{{ why|as_of_review:review.opened_at }}`: a strategy's reason
dated to its review, so a plan read months later does not describe the record as it is now."""

from __future__ import annotations

import datetime as dt

from django import template

from unstuck.web.reviews import knowledge

register = template.Library()


@register.filter
def as_of_review(why: str, reviewed_at: dt.datetime) -> str:
    return knowledge.as_of(why, reviewed_at)
