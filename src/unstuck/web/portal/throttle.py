"""Rate limit on the client pages: too many wrong links or kiosk codes pause an address.

Counted in the cache per address (the same scheme as sign-in throttling in
`unstuck.web.accounts.throttle`), so one address cannot try many tokens. Limits are settings
(``PORTAL_FAILURE_LIMIT``, ``PORTAL_LOCKOUT_SECONDS``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _key(address: str) -> str:
    return f"portal-fail:addr:{address}"


def is_locked(address: str) -> bool:
    limit: int = settings.PORTAL_FAILURE_LIMIT
    return (cache.get(_key(address)) or 0) >= limit


def note_failure(address: str) -> None:
    key = _key(address)
    cache.add(key, 0, settings.PORTAL_LOCKOUT_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, settings.PORTAL_LOCKOUT_SECONDS)
