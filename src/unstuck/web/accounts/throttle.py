"""Sign-in throttling with django-axes, keyed so one person's mistakes lock nobody else out.

Why django-axes: it hooks Django's authentication itself (its backend and the sign-in signals),
so every sign-in form, the clinic's /login/ and the administration's /admin/login/, is counted
by one throttle; it keeps its counts in the database, so they hold across the server's
processes and restarts (a per-process cache does not); and it has an admin screen and an
`axes_reset` command for unlocking. What it lacks is a higher limit for an address than for an
account, which `ClinicAxesHandler` adds in one method.

Two counts, in `LOGIN_LOCKOUT_SECONDS`:
- per account (the name typed, any address): `LOGIN_FAILURE_LIMIT` failures pause that name;
- per address: `LOGIN_ADDRESS_FAILURE_LIMIT` (higher) failures pause the address, so a scan of
  made-up names is stopped without one person's typos locking the rest of the clinic out.

The address is the connecting one, or, only when it is one of `TRUSTED_PROXIES`, the last
address in X-Forwarded-For that is not itself a trusted proxy.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts. For your clients' privacy, signing in is paused for "
    "this account or address; try again in {minutes} minutes or ask your administrator."
)
NAME_LENGTH = 150  # a user name's length in Django; longer typed names are cut, not refused


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in settings.TRUSTED_PROXIES)


def client_address(request: HttpRequest) -> str:
    """The address a request came from, honouring X-Forwarded-For only from trusted proxies."""
    address = str(request.META.get("REMOTE_ADDR", ""))
    if not _trusted(address):
        return address
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # a garbled header: count the proxy, not the garbage
    return address


def account_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The typed name as counted: case-folded (Alex and alex are one account's guesses) and
    cut to a user name's length, without NUL characters that PostgreSQL refuses."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(typed).replace("\0", "").strip().lower()[:NAME_LENGTH]


class ClinicAxesHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler with a higher limit per address than per account."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """Failures on the scale of the account limit: the account's own count, or the
        address's count scaled down by the ratio of the two limits, whichever is higher."""
        recent = _recent()
        username = get_client_username(request, credentials)
        per_account = _sum(recent.filter(username=username)) if username else 0
        per_address = _sum(recent.filter(ip_address=request.axes_ip_address))
        scaled = per_address * settings.LOGIN_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT
        return max(per_account, scaled)

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """After a successful sign-in, forget that account's own failures from that address,
        and nothing else. (Axes' own reset deletes every failure of the address as well, so
        signing in as oneself wiped the count of guesses at a colleague's password made from
        the same computer, or, behind a clinic's proxy, from anywhere.)"""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        own = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address)
        count, _ = own.delete()
        return int(count)


def _recent() -> Any:  # a QuerySet of AccessAttempt (axes has no type hints)
    """The failed sign-ins that still count (within `LOGIN_LOCKOUT_SECONDS`)."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    return AccessAttempt.objects.filter(attempt_time__gte=since)


def _sum(attempts: Any) -> int:
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


def paused_now() -> tuple[int, int]:
    """How many account names and how many addresses are paused now, by the two counts
    `ClinicAxesHandler` keeps (for the administrator's overview)."""
    recent = _recent()

    def over(field: str, limit: int) -> int:  # a failure with no name counts for no account
        totals = recent.values_list(field).annotate(n=Sum("failures_since_start"))
        return sum(1 for key, _ in totals.filter(n__gte=limit) if key)

    return (
        over("username", settings.LOGIN_FAILURE_LIMIT),
        over("ip_address", settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    )


def pause_minutes() -> int:
    """How long a pause lasts, in whole minutes (at least one), as people are told it."""
    return max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """The sign-in page again, with the reason and no hint of whether the name exists."""
    context = {
        "form": AuthenticationForm(request),
        "locked": LOCKED_MESSAGE.format(minutes=pause_minutes()),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)


class ClinicAxesBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Axes' backend, except that a check without a request (Django's test client `login`, a
    script) is left to the next backend: there is no address to count and nobody to lock out.
    Every sign-in form passes its request, so every form is still throttled."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None


def proxy_problem() -> str | None:
    """Why sign-ins would all seem to come from one address, or None. With UNSTUCK_HTTPS on the
    app is behind a reverse proxy (`unstuck serve` speaks plain HTTP), and without
    UNSTUCK_TRUSTED_PROXIES every request has the proxy's address."""
    if not settings.HTTPS or settings.TRUSTED_PROXIES:
        return None
    return (
        "UNSTUCK_TRUSTED_PROXIES is empty while UNSTUCK_HTTPS is on: behind the reverse proxy "
        "every request seems to come from the proxy's address, so the audit log cannot say "
        f"where a sign-in came from and {settings.LOGIN_ADDRESS_FAILURE_LIMIT} failed sign-ins "
        "from anyone pause signing in for the whole clinic; set it to the proxy's address "
        "(e.g. 127.0.0.1; README, 'Serving, saving, backing up')"
    )


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problem = proxy_problem()
    return [] if problem is None else [Warning(problem, id="unstuck.W002")]
