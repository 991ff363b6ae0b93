"""`{% load review_tags %}` then `{{ why|as_of_review:review.opened_at }}`: a strategy's reason
dated to its review, so a plan read months later does not describe the record as it is now;
`{{ pv.change|plan_change }}`: the PHQ-9 before and since a plan, in one sentence;
`<p dir="{{ text|text_direction }}">`: a paragraph the therapist typed, in its own direction."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django import template

from unstuck.progress.trend import BeforeAfter
from unstuck.web.reviews import knowledge

register = template.Library()


@register.filter
def as_of_review(why: str, reviewed_at: dt.datetime) -> str:
    return knowledge.as_of(why, reviewed_at)


def _slope(value: float) -> str:
    """A slope to one decimal, signed; a slope that rounds to nothing is 0.0, not -0.0."""
    rounded = round(value, 1)
    return "0.0" if rounded == 0 else f"{rounded:+.1f}"


def _score(value: float | None) -> str:
    return f"{value:g}" if value is not None else ""


@register.filter
def plan_change(change: BeforeAfter) -> str:
    """The PHQ-9 before and since the plan, each part only when there is one (a single score
    before the plan has no slope: the parts were joined as 'At risk. ; since: ...')."""
    parts = []
    if change.before_slope is not None:
        average = _slope(change.before_slope)
        parts.append(f"PHQ-9 before the plan: {average} points a session on average")
    if change.after_n == 1 and change.before_last is not None:
        before, now = _score(change.before_last), _score(change.after_last)
        since = f"one score so far, {before} before the plan and {now} now, too few for an average"
    elif change.after_slope is not None:
        plural = "" if change.after_n == 1 else "s"
        since = f"{_slope(change.after_slope)} ({change.after_n} score{plural})"
    else:
        none = "no scores" if parts else "No PHQ-9 scores"
        parts.append(f"{none} since the plan began yet")
        return "; ".join(parts) + "."
    parts.append(f"since: {since}" if parts else f"PHQ-9 since the plan began: {since}")
    return "; ".join(parts) + "."


@register.filter
def text_direction(text: str) -> str:
    """'rtl' when the first letter with a direction is right-to-left (Arabic, Hebrew, ...),
    otherwise 'ltr': what dir="auto" does in a browser, which WeasyPrint, drawing the PDFs, does
    not read (an Arabic reason printed left-aligned, its full stop at the wrong end)."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"
