"""`{% load vocabulary %}` then `{{ code|plain }}`: a flag or status code in words for people;
`{{ change|signed_points }}`: a change on a scale with its sign and unit, '+1 point', '-2.5 points';
`{{ change|change_words:instrument }}`: '+6 (worse)', '-2 (better)', '0'."""

from __future__ import annotations

from django import template

from unstuck.measures.model import Instrument
from unstuck.progress import wording
from unstuck.web import vocabulary

register = template.Library()


@register.filter
def plain(code: object) -> str:
    return vocabulary.plain(code)


@register.filter
def signed_points(value: float) -> str:
    """A change in points with its sign always written: '+1 point', '-17 points'."""
    return wording.points(wording.signed(round(float(value), 1)))


@register.filter
def change_words(change: float, instrument: Instrument) -> str:
    """A change with its sign always written, and which way it goes for this scale."""
    written = wording.signed(float(change))
    if change == 0:
        return written
    better = (change > 0) == instrument.higher_is_better
    return f"{written} ({'better' if better else 'worse'})"
