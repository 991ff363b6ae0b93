"""`{% load vocabulary %}` then `{{ code|plain }}`: a flag or status code in words for people."""

from __future__ import annotations

from django import template

from unstuck.web import vocabulary

register = template.Library()


@register.filter
def plain(code: object) -> str:
    return vocabulary.plain(code)
