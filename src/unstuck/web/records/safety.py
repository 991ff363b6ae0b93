"""Safety alerts in words: what an open alert says, and what the next step is.

One place for these sentences, so the caseload's next step, the client page and the close
forms say the same thing. Plain words, no codes; the therapist decides what to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from unstuck.web.records.instruments import instrument_name, instruments
from unstuck.web.records.models import Client, SafetyAlert

NEXT_STEP = "Check in about safety: {answer}"
ANSWER = "{name} item {item} answered {value} at session {session} ({date:%Y-%m-%d})"
OPEN_SENTENCE = (
    "{name} item {item} (a risk question) was answered {value} at session {session} on "
    "{date:%Y-%m-%d}; no safety check is recorded since."
)
OPEN_AT_CLOSE = (
    "A safety alert is still open ({answers}). Tick 'I have considered the open safety alert' "
    "to close the episode anyway; the alert stays open until you record a safety check."
)
CHECKED = "{answer}; the safety check on {when:%Y-%m-%d}: {outcome}."
# For a reader who may look at the client's record but not record the check (a supervisor):
# who is asked to, in the caseload's words for supervisors.
THERAPIST_ASKED = (
    "{therapist} (their therapist) is asked to check in with them about safety and record the "
    "safety check; you can talk it over with the therapist."
)
NO_OPEN_ALERT = "There is no open safety alert for this client to close."
OTHER_NEEDS_NOTE = "Note: say what was done. A note is needed when you choose 'Other'."
# The check's note: optional, but needed with 'Other' (the rule is `alerts.record_safety_check`'s).
NOTE_LABEL = "Note (needed if you choose Other)"
NOTE_HELP = (
    "Say what was done when you choose 'Other'; otherwise optional. Kept in the record; never "
    "written to logs."
)
CONFIRM_LABEL = "I have considered the open safety alert"
# After a client's questionnaires are chosen without any that asks about safety: the names of
# those that did, and whether an alert is still open.
NOT_ASKED = (
    "None of the questionnaires chosen for {code} asks about safety now: the session form "
    "will no longer ask about it. To ask again, choose {names} under 'Choose questionnaires' "
    "on this page."
)
NOT_ASKED_STILL_OPEN = (
    " A safety answer is still waiting for a check-in: it stays open until you record the "
    "safety check."
)


def answer_text(alert: SafetyAlert) -> str:
    """Which answer raised the alert: instrument, item, value, session and its date."""
    return ANSWER.format(**_answer_fields(alert))


def open_sentence(alert: SafetyAlert) -> str:
    return OPEN_SENTENCE.format(**_answer_fields(alert))


def answer_words(instrument_id: str, item: int, value: int) -> str:
    """An answer as the client saw it: '2 (More than half the days)'."""
    found = instruments().get(instrument_id)
    items = {i.number: i for i in found.items} if found else {}
    labels = {o.value: o.label for o in items[item].options} if item in items else {}
    return f"{value} ({labels[value]})" if value in labels else str(value)


def _answer_fields(alert: SafetyAlert) -> dict[str, object]:
    """The fields both sentences quote: where the answer was given, and its value."""
    return {
        "name": instrument_name(alert.instrument),
        "item": alert.item,
        "value": answer_words(alert.instrument, alert.item, alert.answer),
        "session": alert.session_number,
        "date": alert.session_date,
    }


def next_step(still_open: Sequence[SafetyAlert]) -> str:
    """The caseload's next step for a client with these open alerts (newest first): the
    gravest answer (the newest of equal ones), and how many answers wait when more than one.
    A row naming only the newest showed 'answered 1' while an open '2' stayed out of sight."""
    gravest = max(still_open, key=lambda a: a.answer)  # max keeps the first (newest) of a tie
    answer = answer_text(gravest)
    if len(still_open) > 1:
        answer = f"{len(still_open)} open answers, the highest {answer}"
    return NEXT_STEP.format(answer=answer)[:200]


def checked_in_episode(alerts: Sequence[SafetyAlert], started_on: dt.date | None) -> str:
    """The newest safety answer of the episode that began on `started_on`, and its check, in
    words ('' when there is none, or when one is still open: the open alert then leads the
    page). A checked answer leaves the safety group, yet stays worth knowing at a glance."""
    if started_on is None or any(a.is_open for a in alerts):
        return ""
    for alert in alerts:  # newest first
        check = alert.safety_check
        if check is not None and alert.session_date >= started_on:
            when = check.checked_at.date()
            outcome = check.get_outcome_display().lower()
            return CHECKED.format(answer=answer_text(alert), when=when, outcome=outcome)
    return ""


def therapist_asked(client: Client) -> str:
    """Who is asked to record the safety check, for a reader who may not (a supervisor)."""
    return THERAPIST_ASKED.format(therapist=client.therapist.display_name)


def not_asked(code: str, dropped: Sequence[str], *, still_open: bool) -> str:
    """The warning when no chosen questionnaire asks about safety any more: `dropped` names
    the ones that did."""
    names = " or ".join(dropped)
    return NOT_ASKED.format(code=code, names=names) + (NOT_ASKED_STILL_OPEN if still_open else "")


def open_at_close(alerts: Sequence[SafetyAlert]) -> str:
    return OPEN_AT_CLOSE.format(answers="; ".join(answer_text(a) for a in alerts))
