"""Typed readers for settings that come from environment variables.

Each fails loudly with the variable's name when the value cannot be understood, so a typo in a
deployment is a clear start-up error instead of a silently ignored setting (the habit of
healthchecks' ``envbool``/``envint``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

import dj_database_url

from unstuck.errors import UnstuckError

# The databases Unstuck is built and tested on (README: "SQLite or PostgreSQL").
DATABASE_ENGINES = ("django.db.backends.sqlite3", "django.db.backends.postgresql")
DATABASE_EXAMPLE = "postgresql://USER@HOST:5432/NAME"


class SettingError(UnstuckError):
    """A setting that cannot be used; `unstuck` prints it as one line and exits with 2."""


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name}={value!r}: expected true or false")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    """A whole number of at least `minimum`: a negative HSTS age was sent to browsers as it
    was, and a limit of 0 failed sign-ins divided by zero at the first wrong password."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}={value!r}: expected a whole number of {minimum} or more")
    return number


def envtimezone(name: str, default: str) -> str:
    """A time zone by its IANA name (`Europe/London`); Django's own check was a traceback."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = envstr(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(
            f"{name}={value!r}: expected a time zone by its name in the tz database, such as "
            "Europe/London, Europe/Berlin or America/New_York"
        ) from None
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def envhosts(name: str, default: list[str]) -> list[str]:
    """Host names, as Django compares them with a request's host: without scheme, path or
    port. `https://unstuck.example.org` (the site's address pasted in) matched no request,
    and every page was a bare "Bad Request (400)" with nothing said at start."""
    hosts = envlist(name, default)
    for host in hosts:
        if "/" in host or re.search(r"[^\]:]:\d*$", host):
            raise SettingError(
                f"{name}: {host!r} is not a host name; give the name alone, as in "
                "unstuck.example.org (no https://, no path, no port), separated by commas"
            )
    return hosts


def envnetworks(name: str) -> list[str]:
    """A comma-separated list of IP addresses or networks (`127.0.0.1`, `10.0.0.0/8`).

    Checked here, at start-up: a host name such as `localhost` would otherwise be found out only
    when a request compared its address with it, and every sign-in failed with a server error.
    """
    networks = envlist(name, [])
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingError(
                f"{name}: {network!r} is not an IP address or network; give addresses such as "
                "127.0.0.1 or networks such as 10.0.0.0/8, separated by commas (host names "
                "are not looked up)"
            ) from None
    return networks


def envdatabase(name: str, default: str, **options: Any) -> dict[str, Any]:
    """Django's settings for the database the URL in `name` names (`default` when unset).

    The value is never repeated in a message: it may hold a password.
    """
    return database_at(os.environ.get(name, default), name, **options)


def database_at(value: str, name: str, *, setting: bool = True, **options: Any) -> dict[str, Any]:
    """`envdatabase` of a URL given otherwise (a command's argument, called `name` in the
    messages, which then do not suggest unsetting it: `setting` False)."""
    unset = ", or unset it to use SQLite in the data folder" if setting else ""
    if not value.strip():
        raise SettingError(f"{name} is empty: give a database such as {DATABASE_EXAMPLE}{unset}")
    try:
        db: dict[str, Any] = dict(dj_database_url.parse(value, **options))
    except ValueError:
        raise SettingError(
            f"{name} is not a database address: give one such as {DATABASE_EXAMPLE}{unset}"
        ) from None
    if db["ENGINE"] not in DATABASE_ENGINES:
        scheme = urllib.parse.urlsplit(value).scheme
        raise SettingError(
            f"{name}: Unstuck runs on PostgreSQL or SQLite, not {scheme!r}; give a database "
            f"such as {DATABASE_EXAMPLE}{unset}"
        )
    if db["ENGINE"].endswith("postgresql") and not db["NAME"]:
        raise SettingError(f"{name} names no database: end it with one, as in {DATABASE_EXAMPLE}")
    if db["ENGINE"].endswith("sqlite3") and db["NAME"] in {"", ":memory:"}:
        raise SettingError(
            f"{name} names no SQLite file (the records would vanish when the program stops): "
            f"give sqlite:////full/path/unstuck.sqlite3{', or unset it' if setting else ''}"
        )
    return db


def data_dir() -> Path:
    """UNSTUCK_DATA_DIR (default ./unstuck-data), resolved: the SQLite file and secret key."""
    return Path(envstr("UNSTUCK_DATA_DIR", "unstuck-data")).resolve()


def database(**options: Any) -> dict[str, Any]:
    """The database DATABASE_URL names, else SQLite in `data_dir` (the settings, and the
    commands that check for a clinic before the settings load, read it the same way)."""
    return envdatabase("DATABASE_URL", f"sqlite:///{data_dir() / 'unstuck.sqlite3'}", **options)
