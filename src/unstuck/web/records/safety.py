"""Safety alerts in words: what an open alert says, and what the next step is.

One place for these sentences, so the caseload's next step, the client page and the close
forms say the same thing. Plain words, no codes; the therapist decides what to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from unstuck.web.records.instruments import instrument_name, instruments
from unstuck.web.records.models import Client, SafetyAlert, SafetyCheck

NEXT_STEP = "Check in about safety: {answer}"
ANSWER = "{name} item {item} answered {value} at session {session} ({date:%Y-%m-%d}){corrected}"
OPEN_SENTENCE = (
    "{name} item {item} (a risk question) was answered {value} at session {session} on "
    "{date:%Y-%m-%d}{corrected}; no safety check is recorded since."
)
# The alert keeps the answer it was raised by; a correction since then is said beside it, so
# the alert and the session's history (which shows the corrected answer) never disagree.
CORRECTED = ", since corrected to {value}"
# An alert a correction raised, the answer now above what a recorded check covered: from what,
# and after which check (`alerts.raise_safety_alerts_for`).
FROM_CORRECTION = ", corrected from {value} after the safety check on {when:%Y-%m-%d}"
NO_ANSWER = "no answer"
OPEN_AT_CLOSE = (
    "A safety alert is still open ({answers}). Tick 'I have considered the open safety alert' "
    "to close the episode anyway; the alert stays open until you record a safety check."
)
CHECKED = "{answer}; the safety check on {when:%Y-%m-%d}: {outcome}."
# More than one answer in the episode: how many, and the most serious (`gravest`), as the
# caseload's next step names them; the latest check too when it is another one.
MANY_ANSWERS = "{count}, the highest {answer}"
LATEST_CHECK = " The latest safety check, on {when:%Y-%m-%d}: {outcome}."
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
    """Which answer raised the alert: instrument, item, value, session and its date, and the
    value it was corrected to since, if it was."""
    return ANSWER.format(**_answer_fields(alert))


def open_sentence(alert: SafetyAlert) -> str:
    return OPEN_SENTENCE.format(**_answer_fields(alert))


def answer_words(instrument_id: str, item: int, value: int) -> str:
    """An answer as the client saw it: '2 (More than half the days)'."""
    found = instruments().get(instrument_id)
    items = {i.number: i for i in found.items} if found else {}
    labels = {o.value: o.label for o in items[item].options} if item in items else {}
    return f"{value} ({labels[value]})" if value in labels else str(value)


def answer_now(alert: SafetyAlert) -> int | None:
    """The answer the record holds now for the alert's item: the one the alert copied, or the
    one a correction put in its place (None: left unanswered)."""
    return item_value(alert.instrument, alert.item, alert.response.answers)


def item_value(instrument_id: str, item: int, answers: Sequence[int | None]) -> int | None:
    """The answer to `item` among a questionnaire's `answers` (None: left unanswered)."""
    found = instruments().get(instrument_id)
    numbers = [i.number for i in found.items] if found else []
    # answers are stored in the order of the items (`alerts.raise_safety_alerts_for`)
    index = numbers.index(item) if item in numbers else item - 1
    value = answers[index] if 0 <= index < len(answers) else None
    return int(value) if value is not None else None


def _answer_fields(alert: SafetyAlert) -> dict[str, object]:
    """The fields both sentences quote: where the answer was given, its value, and what a
    correction changed it to since ('' if none did)."""
    now = answer_now(alert)
    corrected = ""
    if alert.corrected_from is not None and alert.after_check is not None:
        corrected = FROM_CORRECTION.format(
            value=answer_words(alert.instrument, alert.item, alert.corrected_from),
            when=alert.after_check.checked_at.date(),
        )
    if now != alert.answer:
        words = NO_ANSWER if now is None else answer_words(alert.instrument, alert.item, now)
        corrected += CORRECTED.format(value=words)
    return {
        "name": instrument_name(alert.instrument),
        "item": alert.item,
        "value": answer_words(alert.instrument, alert.item, alert.answer),
        "session": alert.session_number,
        "date": alert.session_date,
        "corrected": corrected,
    }


def gravest(alerts: Sequence[SafetyAlert]) -> SafetyAlert:
    """The most serious of `alerts` (newest first): the highest answer, counting the value a
    correction gave it (a 1 corrected to 3 is a 3, a 1 corrected to 0 stays a 1: the safe
    reading); the newest of equal ones. The caseload's next step and the client page's
    summary of the episode both name this one."""
    return max(alerts, key=lambda a: max(a.answer, answer_now(a) or 0))  # max keeps the first


def next_step(still_open: Sequence[SafetyAlert]) -> str:
    """The caseload's next step for a client with these open alerts (newest first): the
    gravest answer, and how many answers wait when more than one. A row naming only the
    newest showed 'answered 1' while an open '2' stayed out of sight."""
    answer = answer_text(gravest(still_open))
    if len(still_open) > 1:
        answer = f"{len(still_open)} open answers, the highest {answer}"
    return NEXT_STEP.format(answer=answer)[:200]


@dataclass(frozen=True)
class EpisodeSafety:
    """The safety answers of an episode, all checked, in words for the client page."""

    count: int
    text: str


def checked_in_episode(
    alerts: Sequence[SafetyAlert], started_on: dt.date | None
) -> EpisodeSafety | None:
    """The safety answers of the episode that began on `started_on`, each checked: how many,
    the most serious (`gravest`, as the caseload chooses) and its check, and the latest check
    when that was another one (None when there is none, or when one is still open: the open
    alert then leads the page). A checked answer leaves the safety group, yet stays worth
    knowing at a glance; naming only the newest hid a graver answer given before it."""
    if started_on is None or any(a.is_open for a in alerts):
        return None
    checks = {
        a.pk: a.safety_check
        for a in alerts
        if a.safety_check is not None and a.session_date >= started_on
    }
    if not checks:
        return None
    top = gravest([a for a in alerts if a.pk in checks])  # newest first, as `alerts` are
    answer = answer_text(top)
    if len(checks) > 1:
        answer = MANY_ANSWERS.format(count=len(checks), answer=answer)
    text = CHECKED.format(answer=answer, **_check_fields(checks[top.pk]))
    latest = max(checks.values(), key=lambda c: c.checked_at)
    if latest.pk != checks[top.pk].pk:
        text += LATEST_CHECK.format(**_check_fields(latest))
    return EpisodeSafety(count=len(checks), text=text)


def _check_fields(check: SafetyCheck) -> dict[str, object]:
    return {"when": check.checked_at.date(), "outcome": check.get_outcome_display().lower()}


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
