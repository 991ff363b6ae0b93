"""HTTP hardening (issue 15): one switch for HTTPS, a CSP with no inline script, no-store on
every page, an idle session timeout, and `check --deploy` clean in HTTPS mode."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PASSWORD, PHQ9_MILD
from unstuck.web import security

ROOT = Path(__file__).resolve().parents[2]
INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script block without src
    re.compile(r"\sstyle\s*=", re.I),  # a style attribute
    re.compile(r"\son[a-z]+\s*=", re.I),  # an event handler attribute
    re.compile(r"javascript:", re.I),
]


def pages(client: HttpClient, personas, record) -> dict[str, str]:
    client.force_login(personas.therapist)
    return {
        "caseload": reverse("caseload"),
        "client": reverse("client", args=[record.pk]),
        "session form": reverse("session_new", args=[record.pk]),
        "goals": reverse("goals", args=[record.pk]),
        "reflections": reverse("reflections"),
        "consultation": reverse("consultation", args=[record.pk]),
    }


def test_every_page_has_a_strict_policy_and_no_inline_code(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-990", [PHQ9_MILD, PHQ9_MILD])
    for name, url in pages(client, personas, record).items():
        response = client.get(url)
        assert response.status_code == 200, name
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy, name
        assert "script-src 'self';" in policy + ";", name  # no 'unsafe-inline', no nonce
        assert "'unsafe-inline'" not in policy, name
        body = response.content.decode()
        for pattern in INLINE:
            assert not pattern.search(body), f"{name}: {pattern.pattern}"


def test_the_printable_documents_style_block_carries_the_nonce(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-991", [PHQ9_MILD])
    client.force_login(personas.therapist)
    response = client.get(reverse("consultation", args=[record.pk]))
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode())
    assert nonce is not None
    assert f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_sign_in_pages_have_the_policy_too(client: HttpClient, url: str) -> None:
    response = client.get(url)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_pages_with_client_data_are_never_stored(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-992", [PHQ9_MILD])
    for name, url in pages(client, personas, record).items():
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control, name
        assert "private" in cache_control, name


def test_the_style_sheet_is_a_static_file(client: HttpClient) -> None:
    response = client.get("/static/unstuck/app.css")
    assert response.status_code == 200
    assert b".badge" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


def sign_in(client: HttpClient) -> None:
    assert client.post("/login/", {"username": "alex", "password": PASSWORD}).status_code == 302


def age_session(client: HttpClient, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_ends(client: HttpClient, personas, settings) -> None:
    sign_in(client)
    assert client.get("/").status_code == 200
    age_session(client, security.LAST_SEEN, settings.SESSION_IDLE_SECONDS + 5)
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0].startswith("/login/")
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert client.get("/").status_code == 302  # and it stays ended


def test_activity_keeps_the_session(client: HttpClient, personas, settings) -> None:
    sign_in(client)
    age_session(client, security.LAST_SEEN, settings.SESSION_IDLE_SECONDS - 60)
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200


def test_a_session_ends_at_its_absolute_limit_even_when_active(
    client: HttpClient, personas, settings
) -> None:
    sign_in(client)
    age_session(client, security.SIGNED_IN_AT, settings.SESSION_COOKIE_AGE + 5)
    assert client.get("/").status_code == 302


def manage_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # A fresh environment as a clinic's server has it: no Unstuck settings, and none of the
    # test run's own switches (the browser tests allow Django's async-unsafe calls).
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("UNSTUCK_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environ |= {"UNSTUCK_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "", **env}
    environ.pop("DJANGO_SETTINGS_MODULE")
    unstuck = Path(sys.executable).parent / "unstuck"
    return subprocess.run(
        [str(unstuck), "manage", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


SITE = "https://unstuck.clinic.example"


def test_check_deploy_has_no_warning_in_https_mode(tmp_path: Path) -> None:
    result = manage_check(
        tmp_path,
        UNSTUCK_HTTPS="true",
        UNSTUCK_SITE_URL=SITE,
        UNSTUCK_TRUSTED_PROXIES="127.0.0.1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_in_https_mode_names_a_missing_trusted_proxy(tmp_path: Path) -> None:
    """Behind the README's proxy without UNSTUCK_TRUSTED_PROXIES, every sign-in seemed to come
    from 127.0.0.1 and 50 failures from anyone paused sign-in for the clinic: nothing said so."""
    result = manage_check(tmp_path, UNSTUCK_HTTPS="true", UNSTUCK_SITE_URL=SITE)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert set(re.findall(r"(?:security|unstuck)\.W\d+", output)) == {"unstuck.W002"}
    assert "set it to the proxy's address" in output


def test_a_trusted_proxy_given_by_host_name_stops_at_start_naming_it(tmp_path: Path) -> None:
    """UNSTUCK_TRUSTED_PROXIES=localhost passed every check, then each sign-in failed with a
    server error (the address was compared with it only then): nobody could sign in."""
    result = manage_check(tmp_path, UNSTUCK_TRUSTED_PROXIES="127.0.0.1, localhost")
    assert result.returncode == 2
    assert result.stderr == (
        "unstuck: UNSTUCK_TRUSTED_PROXIES: 'localhost' is not an IP address or network; give "
        "addresses such as 127.0.0.1 or networks such as 10.0.0.0/8, separated by commas (host "
        "names are not looked up)\n"
    )
    networks = manage_check(
        tmp_path,
        UNSTUCK_HTTPS="true",
        UNSTUCK_SITE_URL=SITE,
        UNSTUCK_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8, ::1",
    )
    assert networks.returncode == 0, networks.stdout + networks.stderr


def test_without_https_check_deploy_names_what_the_switch_turns_on(tmp_path: Path) -> None:
    result = manage_check(tmp_path)
    found = set(re.findall(r"security\.W\d+", result.stderr + result.stdout))
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_without_https_check_deploy_names_the_unstuck_setting_that_answers_djangos(
    tmp_path: Path,
) -> None:
    """Django's four warnings name SECURE_HSTS_SECONDS and the like, which a clinic cannot set:
    nothing said that UNSTUCK_HTTPS=true is what answers them."""
    output = manage_check(tmp_path).stderr
    assert set(re.findall(r"unstuck\.W\d+", output)) == {"unstuck.W003"}
    assert "(unstuck.W003) UNSTUCK_HTTPS is off" in output
    assert "set UNSTUCK_HTTPS=true, which turns all four on" in output


def test_every_setting_is_documented_in_the_readme() -> None:
    settings_source = (ROOT / "src/unstuck/web/settings.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r'env\w+\(\s*"(UNSTUCK_\w+)"', settings_source))
    assert "UNSTUCK_HTTPS" in names
    for name in sorted(names):
        assert f"| `{name}` |" in readme, f"{name} is read by settings.py but not in README.md"
    https_row = next(line for line in readme.splitlines() if line.startswith("| `UNSTUCK_HTTPS`"))
    assert "| `false` |" in https_row


def test_the_old_secure_cookies_setting_alone_stops_with_what_to_set(tmp_path: Path) -> None:
    """The docs said UNSTUCK_SECURE_COOKIES=true, which left check --deploy's W004 and W008
    (no HSTS, no redirect); UNSTUCK_HTTPS is the one setting. The old name alone is refused,
    never silently dropped (cookies would then go over plain HTTP)."""
    result = manage_check(tmp_path, UNSTUCK_SECURE_COOKIES="true")
    assert result.returncode == 2
    assert result.stderr.startswith("unstuck: UNSTUCK_SECURE_COOKIES is no longer read:")
    assert "set UNSTUCK_HTTPS=true instead" in result.stderr
    assert result.stderr.count("\n") == 1
    with_https = manage_check(
        tmp_path,
        UNSTUCK_SECURE_COOKIES="true",
        UNSTUCK_HTTPS="true",
        UNSTUCK_SITE_URL=SITE,
        UNSTUCK_TRUSTED_PROXIES="127.0.0.1",
    )
    assert with_https.returncode == 0, with_https.stdout + with_https.stderr


def test_the_docs_name_one_setting_for_https() -> None:
    for doc in ("README.md", "docs/portal.md", "docs/web.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert "UNSTUCK_SECURE_COOKIES=true" not in text, doc
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`UNSTUCK_HTTPS=true`" in readme.split("```nginx")[1]
