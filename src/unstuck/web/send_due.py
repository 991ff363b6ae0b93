"""`unstuck send-due`: scheduled questionnaire links and reminders, then a one-line tally.

Django is imported only when it runs (`unstuck.web.commands.setup`).
"""

from __future__ import annotations

import sys

from unstuck.plural import counted
from unstuck.web.commands import migrate, setup


def send_due() -> int:
    """`unstuck send-due`: scheduled questionnaire links and reminders, then a one-line tally."""
    from unstuck.web.clinic_found import check_clinic, check_database_file

    check_database_file("Nothing was sent.")  # before the settings make an empty one
    setup()
    check_clinic("Nothing was sent.")  # before a migration makes an empty one into a database
    migrate()
    from django.utils import timezone

    from unstuck.web.portal.sending import send_due as run

    report = run(timezone.now())
    print(
        f"made {counted(len(report.planned), 'scheduled request')}; "
        f"sent {counted(len(report.sent), 'link')}, {counted(len(report.reminded), 'reminder')}; "
        f"{len(report.failed)} failed (tried again next run)"
        + _unsendable(len(report.unsendable), email_set_up=report.email_set_up)
    )
    if report.unsendable and not report.email_set_up:
        due = counted(len(report.unsendable), "link or reminder", "links or reminders")
        print(f"unstuck: {due} {NO_EMAIL}", file=sys.stderr)
        return 1
    return 1 if report.failed else 0


NO_EMAIL = (
    "due could not be sent: email is not set up (set UNSTUCK_EMAIL_HOST "
    "and the other UNSTUCK_EMAIL_ settings where send-due runs; see docs/portal.md)"
)


def _unsendable(count: int, *, email_set_up: bool) -> str:
    if not count:
        return ""
    if not email_set_up:
        return f"; {count} due could not be sent (email is not set up)"
    return f"; {count} due could not be sent (no email address in the client's contact details)"
