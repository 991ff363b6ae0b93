"""The pages of one questionnaire request as the client meets them: which questionnaire each
page shows, what a page sent says, and which page comes next. Reads only; the views write
through `services`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from unstuck.impasse.client_check import client_check
from unstuck.measures import score_answers
from unstuck.measures.model import Instrument
from unstuck.web.portal.models import QuestionnaireRequest
from unstuck.web.records.instruments import instruments

CHOOSE_ONE = _("Please choose an answer for this question.")


def askable() -> dict[str, Instrument]:
    """Every questionnaire a request can ask, by id: the installed ones and the "what gets in
    the way" check."""
    return {**instruments(), client_check().instrument.id: client_check().instrument}


def named(instrument_ids: Sequence[str]) -> list[str]:
    """The questionnaires' names as people read them (an id no longer installed as itself)."""
    known = askable()
    return [known[i].name if i in known else i for i in instrument_ids]


def steps(found: QuestionnaireRequest) -> list[Instrument]:
    """The request's questionnaires, one a page, in its order."""
    installed = askable()
    return [installed[i] for i in found.instruments if i in installed]


def common_languages(pages: list[Instrument]) -> dict[str, str]:
    """The languages (tag: name) every questionnaire of the set has a translation in, so a
    client who picks one never meets a question in another."""
    common: dict[str, str] | None = None
    for instrument in pages:
        names = {t.language: t.language_name for t in instrument.translations}
        common = names if common is None else {k: v for k, v in common.items() if k in names}
    return dict(sorted((common or {}).items(), key=lambda kv: kv[1]))


def parse(instrument: Instrument, data: Any) -> tuple[list[int | None], dict[int, str]]:
    """The answers a page sent (None where a question was left or sent wrong), and the
    questions still to answer."""
    answers: list[int | None] = []
    errors: dict[int, str] = {}
    for item in instrument.items:
        raw = data.get(f"item_{item.number}", "")
        allowed = {str(o.value): o.value for o in item.options}
        if raw not in allowed:
            answers.append(None)
            errors[item.number] = str(CHOOSE_ONE)
        else:
            answers.append(allowed[raw])
    return answers, errors


def raises_safety(instrument: Instrument, answers: list[int | None]) -> bool:
    """Whether a page sent answers a safety question above 0, with the other questions
    answered or not: the safety message and the therapist's alert never wait for the rest."""
    return bool(instrument.safety_items) and score_answers(instrument, answers).safety_alert


def unanswered(found: QuestionnaireRequest, pages: list[Instrument]) -> list[int]:
    """The pages (1-based) neither stored yet nor answered in full in the draft."""
    return [
        number
        for number, instrument in enumerate(pages, start=1)
        if instrument.id not in found.recorded
        and (instrument.id not in found.draft or None in found.draft[instrument.id])
    ]


def next_page(found: QuestionnaireRequest, pages: list[Instrument], number: int) -> int:
    """The next page still to answer after `number`; after the last, the first one left."""
    left = unanswered(found, pages)
    return next((n for n in left if n > number), next(iter(left), number + 1))
