"""The address written into emails: a warning when it is still this machine's.

Links in emails (questionnaire links, the therapist's notice) are built on UNSTUCK_PORTAL_URL
or UNSTUCK_SITE_URL, which default to http://127.0.0.1:8000. A clinic serving over HTTPS that
left them unset sent links nobody could open, and nothing said so. `unstuck manage check
--deploy` now reports it (unstuck.W001), and `unstuck serve` prints it when it starts.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1", "0.0.0.0"})


def _local(url: str) -> bool:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost")


def email_address_problem() -> str | None:
    """Why links in emails would not reach anyone, or None. Only with UNSTUCK_HTTPS on: the
    sign that the app is served to others, not tried on this machine."""
    if not settings.HTTPS:
        return None
    urls = [("UNSTUCK_SITE_URL", settings.SITE_URL)]
    if settings.PORTAL_URL:
        urls.append(("UNSTUCK_PORTAL_URL", settings.PORTAL_URL))
    for name, url in urls:
        parts = urllib.parse.urlsplit(url)
        if url and (parts.scheme not in {"http", "https"} or not parts.hostname):
            return (
                f"{name} is {url}, which is not a whole address: links in emails would not "
                "open; write it with https:// in front (e.g. https://unstuck.clinic.example)"
            )
        if _local(url):
            return (
                f"{name} is {url or 'empty'} while UNSTUCK_HTTPS is on: links in emails would "
                f"point at this machine; set {name} to the address people use (e.g. "
                "https://unstuck.clinic.example)"
            )
    return None


@register(Tags.security, deploy=True)
def check_email_address(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problem = email_address_problem()
    if problem is None:
        return []
    return [Warning(problem, id="unstuck.W001")]
