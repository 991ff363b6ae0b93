"""The caseload's "Last session" cue: the date of a client's last recorded session, how long ago
that was in words, and a mark in words when it is longer ago than thresholds.toml's
`[last_seen] days` while the episode is open.

A client who simply stops coming leaves no new scores, so their status stays as it was ("On
track") however long ago they were last seen; this cue is what shows it. It reads only the
client's stored `last_session_on` (no query per row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from unstuck.plural import counted
from unstuck.web.records.instruments import thresholds

NOT_SEEN = "No session for over {span}"  # the threshold in words: "4 weeks"


@dataclass(frozen=True)
class LastSeen:
    date: str  # "2026-03-02"; empty with no session recorded
    ago: str  # "5 weeks ago"; empty with no session
    mark: str  # NOT_SEEN in words, or empty


def last_seen(on: dt.date | None, today: dt.date, *, ended: bool) -> LastSeen:
    """The cue for a last session `on` (None: none yet); an ended episode is never marked."""
    if on is None:
        return LastSeen("", "", "")
    days = (today - on).days
    limit = thresholds().last_seen.days
    mark = NOT_SEEN.format(span=span(limit)) if days > limit and not ended else ""
    return LastSeen(on.isoformat(), ago(days), mark)


def ago(days: int) -> str:
    """How long ago, as people say it: 'today', 'yesterday', '5 days ago', '3 weeks ago',
    '4 months ago' (whole weeks from two weeks on, whole months from nine weeks on)."""
    if days < 0:  # a session dated ahead (answered by the client for a later date)
        return "in " + counted(-days, "day")
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 63:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days * 12 // 365} months ago"
    return f"{days // 365} years ago"


def span(days: int) -> str:
    """A threshold in words: '4 weeks' for 28 days, '10 days' otherwise."""
    return counted(days // 7, "week") if days % 7 == 0 else counted(days, "day")
