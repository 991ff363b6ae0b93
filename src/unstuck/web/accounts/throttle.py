"""Login throttling: too many failed attempts lock a user name and an address for a while.

Counted in the cache per user name and per address separately, so that one address cannot try
many names and many addresses cannot try one name. Limits are settings
(``LOGIN_FAILURE_LIMIT``, ``LOGIN_LOCKOUT_SECONDS``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts. For your clients' privacy, signing in is paused for "
    "this account or address; try again in {minutes} minutes or ask your administrator."
)


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"login-fail:user:{username.lower()}", f"login-fail:addr:{address}"


def is_locked(username: str, address: str) -> bool:
    limit: int = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(k) or 0) >= limit for k in _keys(username, address))


def note_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def clear(username: str, address: str) -> None:
    cache.delete_many(list(_keys(username, address)))
