"""Links in emails point at the address people use: a warning when it is still this machine's.

Served over HTTPS with UNSTUCK_SITE_URL unset, every emailed link went to
http://127.0.0.1:8000 and nothing said so. `unstuck manage check --deploy` reports it
(unstuck.W001) and `unstuck serve` prints one line when it starts.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from live import UNSTUCK, free_port
from unstuck.web.portal.checks import email_address_problem

SITE = "https://unstuck.clinic.example"


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UNSTUCK_", "DATABASE_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    return environ | {"UNSTUCK_DATA_DIR": str(tmp_path / "data"), **env}


def manage_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [UNSTUCK, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=environment(tmp_path, **env),
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "UNSTUCK_SITE_URL is http://127.0.0.1:8000"),
        ({"UNSTUCK_SITE_URL": "https://localhost"}, "UNSTUCK_SITE_URL is https://localhost"),
        (
            {"UNSTUCK_SITE_URL": SITE, "UNSTUCK_PORTAL_URL": "http://127.0.0.1:8000"},
            "UNSTUCK_PORTAL_URL is http://127.0.0.1:8000",
        ),
    ],
)
def test_check_deploy_warns_when_emails_would_point_at_this_machine(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = manage_check(tmp_path, UNSTUCK_HTTPS="true", **env)
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "(unstuck.W001) " + named in output
    assert "links in emails would point at this machine" in output


@pytest.mark.parametrize(
    ("https", "site", "portal", "warned"),
    [
        (False, "http://127.0.0.1:8000", "", False),  # tried on this machine: no warning
        (True, SITE, "", False),
        (True, SITE, "https://answers.clinic.example", False),
        (True, "http://127.0.0.1:8000", "", True),
        (True, "http://127.0.1.1:8000", "", True),
        (True, "", "", True),
    ],
)
def test_which_addresses_are_this_machine(
    settings, https: bool, site: str, portal: str, warned: bool
) -> None:
    settings.HTTPS, settings.SITE_URL, settings.PORTAL_URL = https, site, portal
    assert (email_address_problem() is not None) == warned


@pytest.mark.parametrize("site", ["unstuck.clinic.example", "unstuck.clinic.example/app"])
def test_an_address_without_https_in_front_is_named_for_what_it_is(settings, site: str) -> None:
    """It was said to point "at this machine", which it did not: a link needs its scheme."""
    settings.HTTPS, settings.SITE_URL, settings.PORTAL_URL = True, site, ""
    assert email_address_problem() == (
        f"UNSTUCK_SITE_URL is {site}, which is not a whole address: links in emails would not "
        "open; write it with https:// in front (e.g. https://unstuck.clinic.example)"
    )


def test_serve_says_so_when_it_starts(tmp_path: Path) -> None:
    port = str(free_port())
    server = subprocess.Popen(
        [UNSTUCK, "serve", "--dev", "--port", port],
        env=environment(tmp_path, UNSTUCK_HTTPS="true"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert "Unstuck is running" in server.stdout.readline()
    finally:
        server.terminate()
        _, err = server.communicate(timeout=60)
    warnings = [line for line in err.splitlines() if line.startswith("unstuck: warning:")]
    assert warnings == [
        "unstuck: warning: there is no Unstuck clinic in the SQLite database "
        f"{tmp_path / 'data' / 'unstuck.sqlite3'} yet: if the clinic's records are elsewhere, "
        "stop the server and correct UNSTUCK_DATA_DIR (or DATABASE_URL); to start a clinic "
        "here, run `unstuck setup`",
        "unstuck: warning: UNSTUCK_SITE_URL is http://127.0.0.1:8000 while UNSTUCK_HTTPS is on: "
        "links in emails would point at this machine; set UNSTUCK_SITE_URL to the address "
        "people use (e.g. https://unstuck.clinic.example)",
        "unstuck: warning: UNSTUCK_TRUSTED_PROXIES is empty while UNSTUCK_HTTPS is on: behind "
        "the reverse proxy every request seems to come from the proxy's address, so the audit "
        "log cannot say where a sign-in came from and 50 failed sign-ins from anyone pause "
        "signing in for the whole clinic; set it to the proxy's address (e.g. 127.0.0.1; "
        "README, 'Serving, saving, backing up')",
    ]
