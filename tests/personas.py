"""Constants and small helpers shared by the web and browser tests (the fixtures are in
conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

PASSWORD = "correct-horse-battery-staple"
PHQ9_MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]  # total 6
PHQ9_SEVERE = [3, 3, 3, 3, 2, 2, 2, 2, 0]  # total 20
FEEDBACK_GOOD = [9, 9, 9, 9]  # total 36
# A plan's review date the form accepts: within the year ahead, never in the past.
PLAN_REVIEW = (dt.date.today() + dt.timedelta(days=28)).isoformat()


def make_admin(name: str, clinic: Any) -> Any:
    """An administrator with the administration screens' full rights (staff, superuser)."""
    from unstuck.web.accounts.models import Role, User
    from unstuck.web.accounts.services import audited_by_caller

    with audited_by_caller():  # there before the test: no audit rows of its creation
        user = User.objects.create_user(
            name, password=PASSWORD, clinic=clinic, role=Role.ADMINISTRATOR, is_staff=True
        )
        user.is_superuser = True
        user.save()
    return user


def visible_text(html: str) -> str:
    """What a reader sees: no tags, attributes, styles or scripts (codes may stay in classes)."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def hold_session(client: Any, answers: list[int] | None = None) -> None:
    """Record the client's next session (a week after the latest), as held by their therapist:
    a plan's strategies get a result only once a session has been held with them."""
    from unstuck.web.records import services

    episode = client.episodes.order_by("-started_on", "-id").first()
    latest = episode.sessions.order_by("-number").first()
    day = (latest.date if latest else episode.started_on) + dt.timedelta(days=7)
    services.record_session(
        user=client.therapist,
        client=client,
        data=services.SessionInput(
            date=day, attendance="attended", answers={"phq9": answers} if answers else {}
        ),
    )


def finish_attention_emails(timeout: float = 30) -> None:
    """Wait for the therapists' attention emails, each sent on a thread of its own after the
    answer is committed (`portal.notice.notify_therapist`)."""
    from unstuck.web.portal.notice import NOTICE_THREAD

    for thread in threading.enumerate():
        if thread.name == NOTICE_THREAD:
            thread.join(timeout)
