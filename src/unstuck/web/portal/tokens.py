"""Secrets that open a questionnaire: private link tokens and short kiosk codes.

A link token carries 176 random bits (`secrets.token_urlsafe(22)`), well above the 128 bits the
OWASP Session Management Cheat Sheet asks of a session id. Only its SHA-256 digest is stored.
Lookups go by digest (an index on a hash reveals nothing about the secret) and the digest found
is compared again with `hmac.compare_digest`, in constant time.

A kiosk code is typed by hand on a clinic tablet, so it is short: 8 characters from 31 that
cannot be mistaken for one another (about 40 bits). It is safe only because it expires within
the hour, works once, and guessing is rate-limited per address (`throttle`).

A page pass is the one thing a questionnaire page's form carries about its request: the ids of
the request and of the token that opened it, signed with the server's secret key
(`django.core.signing`, with a salt of its own) and dated. It finds the request of a page sent
after the browser's session ended (a session lasts hours, a link days), so that a safety answer
on it is never lost. It names ids and nothing else, and cannot be made or changed without the
secret key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core import signing

LINK_TOKEN_BYTES = 22
KIOSK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
KIOSK_CODE_LENGTH = 8
KIOSK_CODE_MINUTES = 30
PAGE_PASS_SALT = "unstuck.portal.page-pass"
PAGE_PASS_LENGTH = 200  # longer than any pass made here: anything longer is not one


def new_link_token() -> str:
    return secrets.token_urlsafe(LINK_TOKEN_BYTES)


def new_kiosk_code() -> str:
    return "".join(secrets.choice(KIOSK_ALPHABET) for _ in range(KIOSK_CODE_LENGTH))


def normalise_kiosk_code(text: str) -> str:
    """What the client typed, as stored: capitals, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def display_kiosk_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_digest(stored: str, secret: str) -> bool:
    return hmac.compare_digest(stored.encode("ascii"), digest(secret).encode("ascii"))


@dataclass(frozen=True)
class PagePass:
    request_id: int
    token_id: int


def page_pass(request_id: int, token_id: int) -> str:
    return signing.dumps([request_id, token_id], salt=PAGE_PASS_SALT)


def read_page_pass(value: str, max_age: dt.timedelta | None = None) -> PagePass | None:
    """The ids a page pass made here holds; None for anything else (a value changed or made
    without the secret key, another kind of signed value) or one older than `max_age`."""
    if not value or len(value) > PAGE_PASS_LENGTH:
        return None
    try:
        ids = signing.loads(value, salt=PAGE_PASS_SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired too
        return None
    if not (isinstance(ids, list) and len(ids) == 2 and all(type(i) is int for i in ids)):
        return None
    return PagePass(request_id=ids[0], token_id=ids[1])
