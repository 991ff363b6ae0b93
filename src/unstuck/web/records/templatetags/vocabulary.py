"""`{% load vocabulary %}` then `{{ code|plain }}`: a flag or status code in words for people;
`{{ change|points }}`: a change on a scale with its unit, '1 point', '-2.5 points'."""

from __future__ import annotations

from django import template

from unstuck.progress import wording
from unstuck.web import vocabulary

register = template.Library()


@register.filter
def plain(code: object) -> str:
    return vocabulary.plain(code)


@register.filter
def points(value: float) -> str:
    return wording.points(wording.number(float(value), places=1))
