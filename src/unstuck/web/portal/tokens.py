"""Secrets that open a questionnaire: private link tokens and short kiosk codes.

A link token carries 176 random bits (`secrets.token_urlsafe(22)`), well above the 128 bits the
OWASP Session Management Cheat Sheet asks of a session id. Only its SHA-256 digest is stored.
Lookups go by digest (an index on a hash reveals nothing about the secret) and the digest found
is compared again with `hmac.compare_digest`, in constant time.

A kiosk code is typed by hand on a clinic tablet, so it is short: 8 characters from 31 that
cannot be mistaken for one another (about 40 bits). It is safe only because it expires within
the hour, works once, and guessing is rate-limited per address (`throttle`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

LINK_TOKEN_BYTES = 22
KIOSK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
KIOSK_CODE_LENGTH = 8


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
