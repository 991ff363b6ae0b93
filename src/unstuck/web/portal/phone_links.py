"""The safety message as HTML, with each phone number a link the client can tap to call
(``tel:``), or to write a text message when the message says to text it (``sms:``).

The words stay in their data file (the shipped `safety_message.toml`, or the clinic's own text
in Portal settings): numbers are found in them, not marked up by hand. A phone number is three
or more digits in groups split by single spaces or hyphens, perhaps after a "+", standing on
its own (not inside a word, a time, a date, a web address or a decimal). Left as text, because
they are seldom phone numbers: a lone four-digit figure (a year), a number before a unit
("24 hours", "365 days", "50%"), and a hyphenated one of fewer than 7 digits (hours such as
"10-12"). The message's text is escaped; only the links are HTML.
"""

from __future__ import annotations

import re

from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

NUMBER = re.compile(r"(?<![\w/:.,+-])\+?\d+(?:[ -]\d+)*(?![\w/:]|[.,]\d)")
UNIT = re.compile(
    r"\s*(?:%|(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|am|pm)\b)", re.IGNORECASE
)
CLAUSE_END = re.compile(r"[.;,!?\n(]")  # a number's clause: from the last of these to it
TEXT = re.compile(r"\btext\b", re.IGNORECASE)
CALL = re.compile(r"\b(?:call|ring|phone|dial)\b", re.IGNORECASE)


def _is_phone(number: str, after: str) -> bool:
    digits = re.sub(r"\D", "", number)
    if len(digits) < 3 or re.fullmatch(r"\d{4}", number) or UNIT.match(after):
        return False
    return "-" not in number or len(digits) >= 7


def _scheme(clause: str) -> str:
    """sms: where the clause asks to text the number (and not to call it), else tel:."""
    return "sms" if TEXT.search(clause) and not CALL.search(clause) else "tel"


def with_phone_links(text: str) -> SafeString:
    """`text` as paragraphs (as Django's `linebreaks`), its phone numbers as links."""
    html: list[str] = []
    done = 0
    for found in NUMBER.finditer(text):
        number = found.group()
        if not _is_phone(number, text[found.end() :]):
            continue
        before = text[: found.start()]
        clause = CLAUSE_END.split(before)[-1]
        target = ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)
        html.append(escape(text[done : found.start()]))
        html.append(f'<a href="{_scheme(clause)}:{target}">{escape(number)}</a>')
        done = found.end()
    html.append(escape(text[done:]))
    return mark_safe(linebreaks("".join(html), autoescape=False))  # each piece escaped above
