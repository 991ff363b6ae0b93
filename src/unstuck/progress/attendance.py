"""Attendance kinds, and which of them count as a missed session: defined once.

The withdrawal signal counts missed sessions, the CSV check lets a missed session come
without a score, the dropout features count them, and the web's session form refuses answers
for them; all of them read `MISSED` from here. Sessions the client came to, late or not, are
`ATTENDED`: the team figures, the letters, the demo and the dropout features read it.
"""

from __future__ import annotations

from typing import Literal

Attendance = Literal["attended", "late", "cancelled", "no_show"]
ATTENDANCE_KINDS: tuple[Attendance, ...] = ("attended", "late", "cancelled", "no_show")
# A cancelled or missed (no-show) session: counted by the withdrawal rule, and needs no score.
MISSED: tuple[Attendance, ...] = ("cancelled", "no_show")
# A session the client came to, on time or late.
ATTENDED: tuple[Attendance, ...] = ("attended", "late")
