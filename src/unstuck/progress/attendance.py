"""Attendance kinds, and which of them count as a missed session: defined once.

The withdrawal signal counts missed sessions, the CSV check lets a missed session come
without a score, the dropout features count them, and the web's session form refuses answers
for them; all of them read `MISSED` from here. Sessions the client came to, late or not, are
`ATTENDED`: the team figures, the letters, the demo and the dropout features read it.
"""

from __future__ import annotations

import re
from typing import Literal

Attendance = Literal["attended", "late", "cancelled", "no_show"]
ATTENDANCE_KINDS: tuple[Attendance, ...] = ("attended", "late", "cancelled", "no_show")
# A cancelled or missed (no-show) session: counted by the withdrawal rule, and needs no score.
MISSED: tuple[Attendance, ...] = ("cancelled", "no_show")
# A session the client came to, on time or late.
ATTENDED: tuple[Attendance, ...] = ("attended", "late")
# Other words for an attendance kind, as clinic systems write them (UK services write DNA for
# a missed appointment), once in lower case with spaces and hyphens made underscores. Only
# words with one meaning are here: "cancelled by therapist" is not a missed session of the
# client's, so it is refused rather than read as one (`cancelled_by_therapist`).
ATTENDANCE_SPELLINGS: dict[str, Attendance] = {
    "dna": "no_show",
    "did_not_attend": "no_show",
    "noshow": "no_show",
    "canceled": "cancelled",
    "cancelled_by_client": "cancelled",
    "canceled_by_client": "cancelled",
    "cancelled_by_patient": "cancelled",
    "canceled_by_patient": "cancelled",
    "client_cancelled": "cancelled",
    "patient_cancelled": "cancelled",
}


def attendance_word(text: str) -> str:
    """`text` as the attendance kind it names, if it names one (else tidied, not a kind):
    ``No-Show``, ``DNA`` and ``Did not attend`` are ``no_show``."""
    word = "_".join(text.strip().lower().replace("-", " ").split())
    return ATTENDANCE_SPELLINGS.get(word, word)


_CANCELLED = ("cancelled", "canceled")
_STAFF = (
    "therapist",
    "clinician",
    "counsellor",
    "counselor",
    "practitioner",
    "provider",
    "clinic",
    "service",
    "hospital",
    "staff",
)
# A session the therapist (or the service) cancelled, as clinic systems write it, once in
# lower case with every run of other characters made one underscore.
THERAPIST_CANCELLED = frozenset(
    form
    for c in _CANCELLED
    for who in _STAFF
    for form in (f"{c}_by_{who}", f"{who}_{c}", f"{c}_{who}", f"{c}_by_the_{who}")
)


def cancelled_by_therapist(text: str) -> bool:
    """Whether `text` says the therapist or the service cancelled the session. Such a session
    has no attendance kind: the client missed nothing, so it must not count toward the
    withdrawal signal as `cancelled` would, and it is no session attended either."""
    return "_".join(re.findall(r"[a-z]+", text.lower())) in THERAPIST_CANCELLED
