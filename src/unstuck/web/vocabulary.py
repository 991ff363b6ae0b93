"""Words for people: the one place where internal codes become what a person reads on screen.

Flags, statuses and plan badges are codes in the core and in the CLI's and API's JSON (a stable
contract); every page and printed document shows them through this table (the `plain`
template filter), so a therapist never reads `not_on_track` or `off_track`. Errors from the
services name a field and a value for the command line; `error_text` turns them into a
sentence for a form.
"""

from __future__ import annotations

from unstuck.errors import InvalidValue, UnstuckError
from unstuck.progress.wording import FLAG_NAMES
from unstuck.web.records.models import Status

FLAGS: dict[str, str] = FLAG_NAMES  # one vocabulary with the core's sentences

# The record's status (also the badge of a plan's "status then / now"): the model's labels, so
# the caseload filter, the badges and the documents all say the same.
STATUSES: dict[str, str] = dict(Status.choices)

# What a form field is called on screen, for errors that name one.
FIELDS: dict[str, str] = {
    "safety_checked": "The safety check",
    "attendance": "Attendance",
    "markers": "The checklist item",
    "episode": "This episode",
    "reason": "The choice",
    "text": "The goal",
    "change": "The kind of revision",
    "attainment": "The goal rating",
    "rated_on": "The rating date",
    "strategies": "The plan",
    "strategy": "The strategy",
    "frustration": "The frustration rating",
    "kind": "The kind of letter",
    "recipient": "The recipient",
}

WORDS: dict[str, str] = {**STATUSES, **FLAGS}


def plain(code: object) -> str:
    """The words for a flag or status code; text that is not a known code is shown as it is."""
    text = str(code)
    return WORDS.get(text, text)


def flag(code: str) -> str:
    return FLAGS.get(code, code.replace("_", " ").capitalize())


def _field(name: str) -> str:
    if name in FIELDS:
        return FIELDS[name]
    instrument, _, item = name.partition(".")
    if item.startswith("item_"):
        return f"{instrument.upper()}, question {item.removeprefix('item_')}"
    return name.replace("_", " ").replace(".", ", ").capitalize()


def error_text(exc: UnstuckError) -> str:
    """A sentence for a form: a whole-sentence reason as it is, a short one after its field.

    `InvalidValue` prints "column 'safety_checked', value False: ..." for the command line,
    where a column name helps; on a form a person needs to know what to change, in words.
    """
    if not isinstance(exc, InvalidValue):
        return str(exc)
    reason = exc.reason.strip()
    if reason[:1].isupper():
        return reason
    field = _field(exc.field)
    if reason.startswith(("is ", "are ")) and exc.value not in ("", None):
        return f"{field} {exc.value!r} {reason}."
    return f"{field}: {reason}."


# The one short sentence per flag at the top of the client page ("at a glance"): what was
# found, in plain words, no rules (those are in the explanation one click away); the page
# puts the flagged measure's first and latest score before it (`presenters.finding`).
# Collaborative and never blaming the client. The safety sentence names the answer.
HEADLINES: dict[str, str] = {
    "safety": "A risk question was answered above 0: please check in about safety.",
    "deterioration": "Scores have become reliably worse since the start.",
    "not_on_track": "Scores are behind the course expected for clients who started alike.",
    "plateau": "Progress has levelled off without reliable improvement.",
    "slow_response": "Little improvement so far; worth reviewing together how therapy is going.",
    "alliance_rupture": "Session feedback suggests strain in the working relationship.",
    "withdrawal_risk": "Recent attendance or feedback suggests engagement may be slipping.",
    "early_response": "Little change in the early sessions; worth reviewing how therapy is going.",
}
# The safety sentence for a reader who may not record the safety check (a supervisor): it
# names the therapist who is asked to, as the caseload does for supervisors.
SAFETY_ASKED = (
    "A risk question was answered above 0: {therapist} (their therapist) is asked to check in "
    "about safety."
)
# The sentence when no flag is raised: by status.
STATUS_HEADLINES: dict[str, str] = {
    "on_track": "Scores are following the expected course.",
    "at_risk": "Scores are drifting towards the edge of the expected course.",
    "off_track": "Scores are off the expected course.",
    "insufficient_data": "Too few scores yet to judge progress.",
}


def headline(code: str) -> str:
    """The short sentence for a flag (or, with no flag, a status) at the top of a page."""
    return HEADLINES.get(code) or STATUS_HEADLINES.get(code) or plain(code)
