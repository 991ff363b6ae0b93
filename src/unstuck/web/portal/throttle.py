"""Rate limit on the client pages: too many wrong links or kiosk codes pause an address.

Each wrong attempt is a row (`models.WrongAttempt`) in the database, so the count holds
across the server's processes and restarts, as the sign-in counts of
`unstuck.web.accounts.throttle` do: an address cannot try more tokens by landing on another
process. An address is paused while it has ``PORTAL_FAILURE_LIMIT`` wrong attempts in the
last ``PORTAL_LOCKOUT_SECONDS``; older rows are deleted as new ones come.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from unstuck.web.portal.models import WrongAttempt

ADDRESS_LENGTH = WrongAttempt._meta.get_field("address").max_length


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.PORTAL_LOCKOUT_SECONDS)


def is_locked(address: str) -> bool:
    recent = WrongAttempt.objects.filter(address=address[:ADDRESS_LENGTH], at__gte=_window_start())
    return recent.count() >= settings.PORTAL_FAILURE_LIMIT


def note_failure(address: str) -> None:
    WrongAttempt.objects.filter(at__lt=_window_start()).delete()
    WrongAttempt.objects.create(address=address[:ADDRESS_LENGTH])
