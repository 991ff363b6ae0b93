"""``{% submit_token %}``: the hidden one-time token of a form that creates something."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from unstuck.web.idempotency.once import TOKEN_FIELD, new_token

register = template.Library()


@register.simple_tag
def submit_token() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, new_token())
