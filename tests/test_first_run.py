"""The README's "Running it for a clinic", word for word, on a fresh data folder.

The commands are read from the README itself and run as a person would type them (answers to
`unstuck setup` on standard input; the port comes from $UNSTUCK_PORT so the test never clashes
with another server). Then the administrator signs in over real HTTP, lands on the
administration page, adds a therapist through the account pages, and the therapist signs in
and can open "New client" (which was a bare 403 before there was a set-up).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from live import Browser, free_port, wait_until_serving
from unstuck.web.setup_clinic import ADMINISTRATION_PAGE, SETUP_PASSWORD_ENV

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "first-run-Passw0rd"
ANSWERS = f"SYN First-run Clinic\nadmin\nadmin@example.org\n{PASSWORD}\n{PASSWORD}\n"


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Running it for a clinic", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    return [line for line in lines if line]


def administration_page() -> tuple[str, str]:
    """The page `unstuck setup` sends the administrator to, by its name and its address; the
    README names it alike."""
    found = re.fullmatch(r"the (\w+) page \((/\S+/)\)", ADMINISTRATION_PAGE)
    assert found, ADMINISTRATION_PAGE
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"the **{found[1]}** page" in readme
    return found[1], found[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNSTUCK_", "DATABASE_"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["UNSTUCK_PORT"] = str(free_port())
    return env


def run_setup(
    tmp_path: Path, env: dict[str, str], command: list[str], answers: str = ""
) -> subprocess.CompletedProcess[str]:
    """`unstuck setup` (with `command`'s flags) in `tmp_path`, `answers` piped in."""
    return subprocess.run(
        command,
        input=answers,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def served(tmp_path: Path, env: dict[str, str]) -> Iterator[str]:
    commands = readme_commands()
    assert [c.split()[:2] for c in commands] == [["unstuck", "setup"], ["unstuck", "serve"]]
    setup = run_setup(tmp_path, env, shlex.split(commands[0]), ANSWERS)
    assert setup.returncode == 0, setup.stderr
    assert "Created the clinic 'SYN First-run Clinic'" in setup.stdout
    assert ADMINISTRATION_PAGE in setup.stdout  # it said "/admin/, 'Accounts and audit'"
    assert (tmp_path / "unstuck-data" / "unstuck.sqlite3").exists()  # README: ./unstuck-data
    server = subprocess.Popen(
        shlex.split(commands[1]),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{env['UNSTUCK_PORT']}"
    try:
        wait_until_serving(server, base, 120)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_readme_first_run_gives_an_administrator_who_adds_a_working_therapist(
    served: str,
) -> None:
    admin = Browser(served)
    admin.request("/login/")  # the sign-in page sets the form token's cookie
    url, page = admin.follow("/login/", {"username": "admin", "password": PASSWORD})
    name, address = administration_page()
    assert url.endswith(address), url  # where `unstuck setup` said: not an empty caseload
    assert f"{name}: SYN First-run Clinic" in page
    for link in ("/admin/accounts/user/add/", "/instruments/", "/audit/"):
        assert f'href="{link}"' in page, link
    for path in ("/instruments/", "/audit/", "/admin/accounts/user/"):
        assert admin.follow(path)[0].endswith(path)  # each opens (follow fails on a 403)

    _, form = admin.follow("/admin/accounts/user/add/")
    clinic = re.search(r'<option value="(\d+)" selected>SYN First-run Clinic</option>', form)
    assert clinic, "a new account should start in the administrator's clinic"
    fields = {
        "username": "sam",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "usable_password": "true",
        "clinic": clinic[1],
        "role": "therapist",
        "supervisor": "",
        "_save": "Save",
    }
    url, _ = admin.follow("/admin/accounts/user/add/", fields)
    assert re.search(r"/admin/accounts/user/\d+/change/$", url), url

    therapist = Browser(served)
    therapist.request("/login/")
    url, page = therapist.follow("/login/", {"username": "sam", "password": PASSWORD})
    assert url == "/password/", url  # the administrator's password is replaced first
    own = PASSWORD + "-sams-own"
    data = {"old_password": PASSWORD, "new_password1": own, "new_password2": own}
    url, page = therapist.follow("/password/", data)
    url, page = therapist.follow("/")
    assert url == "/", url
    assert "Caseload" in page
    url, page = therapist.follow("/clients/new/")
    assert url.endswith("/clients/new/")
    assert "<form" in page


def test_setup_refuses_a_second_clinic_and_names_a_missing_answer(
    tmp_path: Path, env: dict[str, str]
) -> None:
    def setup(*args: str, answers: str = "") -> subprocess.CompletedProcess[str]:
        return run_setup(tmp_path, env, ["unstuck", "setup", *args], answers)

    missing = setup("--no-input", "--clinic", "SYN Clinic")
    assert missing.returncode == 2
    assert "--username, --password" in missing.stderr
    weak = setup("--no-input", "--clinic", "SYN Clinic", "--username", "a", "--password", "abc")
    assert weak.returncode == 2
    assert "password:" in weak.stderr
    assert "Traceback" not in weak.stderr
    piped = setup(answers="SYN Clinic\nadmin\n\nshort\nshort\n")  # asks again, then stops
    assert piped.returncode == 2
    assert "password:" in piped.stderr
    assert "setup stopped" in piped.stderr
    env["UNSTUCK_SETUP_PASSWORD"] = PASSWORD
    no_clinic = setup("--no-input", "--username", "admin")
    assert no_clinic.returncode == 2
    assert no_clinic.stderr == "unstuck: setup --no-input needs --clinic\n"  # no password note
    bad_name = setup("--no-input", "--clinic", "SYN Clinic", "--username", "bo ss/!")
    assert bad_name.returncode == 2  # the account pages' rule: no space, '/' or '!'
    assert bad_name.stderr.startswith("unstuck: user name 'bo ss/!': Enter a valid username")
    made = setup("--no-input", "--clinic", "SYN Clinic", "--username", "admin")  # none made yet
    assert made.returncode == 0, made.stderr
    again = setup(answers=ANSWERS)
    assert again.returncode == 2
    assert "already holds the clinic 'SYN Clinic'" in again.stderr
    assert f"its administrator adds people on {ADMINISTRATION_PAGE}." in again.stderr


def test_setup_says_a_wrong_answer_at_once_and_asks_it_again(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """A user name the accounts refuse was reported only after both passwords were typed, and
    the answers piped in after it then landed on the wrong questions."""
    answers = f"SYN Clinic\nbad user!\nadmin\nnot-an-address\n\n{PASSWORD}\n{PASSWORD}\n"
    done = run_setup(tmp_path, env, ["unstuck", "setup"], answers)
    assert done.returncode == 0, done.stderr
    assert "user name 'bad user!': Enter a valid username" in done.stderr
    assert "e-mail 'not-an-address': Enter a valid email address" in done.stderr
    assert "Created the clinic 'SYN Clinic' and its administrator 'admin'" in done.stdout


def test_setup_whose_piped_answers_run_out_names_the_scripted_way(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """Answers piped in that stop short said only "setup stopped before every answer was
    given"; it now names --no-input and the password's environment variable, and that way
    works."""
    stopped = run_setup(tmp_path, env, ["unstuck", "setup"], "SYN Clinic\nadmin\n")
    assert stopped.returncode == 2
    said = stopped.stderr.splitlines()[-1]
    assert said.startswith("unstuck: setup stopped before every answer was given; "), said
    scripted = said.split(": ", 2)[2]
    assert f"with the password in ${SETUP_PASSWORD_ENV}" in said
    command = scripted.split(", with the password", 1)[0]
    words = command.replace("NAME", "SYN-Clinic").replace("ADDRESS", "a@example.org").split()
    env[SETUP_PASSWORD_ENV] = PASSWORD
    done = run_setup(tmp_path, env, words)
    assert done.returncode == 0, done.stderr
