"""Settings a deployment could mistype: a time zone, numbers that make no sense below a floor,
and host names written as addresses. Each stops every command with one line naming the
variable, as a typo in any other setting does (a wrong time zone was a Django traceback; a
negative HSTS age was sent to browsers; UNSTUCK_LOGIN_ADDRESS_FAILURE_LIMIT=0 divided by zero
at the first failed sign-in; UNSTUCK_ALLOWED_HOSTS=https://... made every page a bare 400)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from live import UNSTUCK
from unstuck.web.env import SettingError, envhosts, envint, envtimezone


def test_a_time_zone_is_taken_by_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSTUCK_TIME_ZONE", "Europe/Berlin")
    assert envtimezone("UNSTUCK_TIME_ZONE", "Europe/London") == "Europe/Berlin"
    monkeypatch.delenv("UNSTUCK_TIME_ZONE")
    assert envtimezone("UNSTUCK_TIME_ZONE", "Europe/London") == "Europe/London"


@pytest.mark.parametrize("zone", ["Mars/Base", "GMT+1 (London)", "../etc/passwd"])
def test_a_time_zone_that_does_not_exist_is_named(
    monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    monkeypatch.setenv("UNSTUCK_TIME_ZONE", zone)
    with pytest.raises(SettingError) as refused:
        envtimezone("UNSTUCK_TIME_ZONE", "Europe/London")
    assert str(refused.value).startswith(f"UNSTUCK_TIME_ZONE={zone!r}: expected a time zone")


def test_a_number_below_its_floor_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSTUCK_HSTS_SECONDS", "-5")
    with pytest.raises(SettingError) as refused:
        envint("UNSTUCK_HSTS_SECONDS", 31536000, minimum=0)
    assert str(refused.value) == ("UNSTUCK_HSTS_SECONDS='-5': expected a whole number of 0 or more")
    monkeypatch.setenv("UNSTUCK_HSTS_SECONDS", "0")
    assert envint("UNSTUCK_HSTS_SECONDS", 31536000, minimum=0) == 0


@pytest.mark.parametrize(
    "hosts", ["https://unstuck.example.org", "unstuck.example.org:443", "example.org/unstuck"]
)
def test_a_host_name_written_as_an_address_is_named(
    monkeypatch: pytest.MonkeyPatch, hosts: str
) -> None:
    monkeypatch.setenv("UNSTUCK_ALLOWED_HOSTS", f"localhost,{hosts}")
    with pytest.raises(SettingError) as refused:
        envhosts("UNSTUCK_ALLOWED_HOSTS", [])
    assert str(refused.value).startswith(
        f"UNSTUCK_ALLOWED_HOSTS: {hosts!r} is not a host name; give the name alone"
    )


def test_host_names_and_addresses_are_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSTUCK_ALLOWED_HOSTS", "unstuck.example.org, .example.org,127.0.0.1,[::1]")
    assert envhosts("UNSTUCK_ALLOWED_HOSTS", []) == [
        "unstuck.example.org",
        ".example.org",
        "127.0.0.1",
        "[::1]",
    ]


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("UNSTUCK_TIME_ZONE", "Mars/Base", "UNSTUCK_TIME_ZONE='Mars/Base': expected a time zone"),
        (
            "UNSTUCK_LOGIN_ADDRESS_FAILURE_LIMIT",
            "0",
            "UNSTUCK_LOGIN_ADDRESS_FAILURE_LIMIT='0': expected a whole number of 1 or more",
        ),
        (
            "UNSTUCK_SESSION_IDLE_SECONDS",
            "0",
            "UNSTUCK_SESSION_IDLE_SECONDS='0': expected a whole number of 60 or more",
        ),
        (
            "UNSTUCK_PORTAL_HOSTS",
            "https://answers.example.org",
            "UNSTUCK_PORTAL_HOSTS: 'https://answers.example.org' is not a host name",
        ),
    ],
)
def test_every_command_stops_in_one_line(
    tmp_path: Path, variable: str, value: str, said: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNSTUCK_", "DATABASE_"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["UNSTUCK_DATA_DIR"] = str(tmp_path / "data")
    env[variable] = value
    done = subprocess.run(
        [UNSTUCK, "manage", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"unstuck: {said}"), done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
