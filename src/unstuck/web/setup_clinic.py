"""`unstuck setup`: the clinic and its first administrator, on a fresh database.

Asked for at the terminal, or given as flags (and $UNSTUCK_SETUP_PASSWORD) for scripts.
"""

from __future__ import annotations

import os
import sys

from unstuck.web.commands import migrate, setup

SETUP_PASSWORD_ENV = "UNSTUCK_SETUP_PASSWORD"
# Named as the README and the page itself name it; an administrator lands there on signing in.
ADMINISTRATION_PAGE = "the Administration page (/overview/)"
AFTER_SETUP = (
    f"sign in as the administrator: you land on {ADMINISTRATION_PAGE}, which adds "
    "therapists, supervisors, clinic leads and other administrators"
)
ANSWERS_RAN_OUT = (
    "setup stopped before every answer was given; to set up from a script, give every "
    "answer as a flag and ask nothing: unstuck setup --no-input --clinic NAME --username NAME "
    f"--email ADDRESS, with the password in ${SETUP_PASSWORD_ENV}"
)
_SETUP_FIELDS = (
    ("clinic", "Clinic name: "),
    ("username", "Administrator's user name: "),
    ("email", "Administrator's e-mail (may be empty): "),
)


def _ask_password() -> str:
    """getpass on a terminal; a plain line when answers are piped in (scripts, tests)."""
    import getpass

    if not sys.stdin.isatty():
        lines = [sys.stdin.readline(), sys.stdin.readline()]
        if not all(lines):
            raise EOFError  # the answers ran out: stop rather than ask forever
        first, second = (line.rstrip("\n") for line in lines)
    else:
        first = getpass.getpass("Password (10 characters or more): ")
        second = getpass.getpass("Password (again): ")
    if first != second:
        print("The two passwords differ; please type them again.", file=sys.stderr)
        return ""
    return first


def setup_clinic(given: dict[str, str | None], *, no_input: bool) -> int:
    """`unstuck setup`: create the clinic and its first administrator on a fresh database.

    Asks for what the flags do not give (None); with --no-input it asks nothing and stops
    with the name of the missing or wrong answer, so a script never hangs at a prompt.
    """
    setup()
    migrate()
    from unstuck.web.accounts.services import (
        SetupError,
        check_database_is_new,
        check_setup_answers,
        create_clinic,
    )

    try:
        check_database_is_new()  # before any question is asked
    except SetupError as exc:
        print(f"unstuck: {exc}", file=sys.stderr)
        return 2
    answers = dict(given)
    if not answers.get("password"):
        answers["password"] = os.environ.get(SETUP_PASSWORD_ENV) or None
    if no_input:
        missing = [name for name in ("clinic", "username", "password") if not answers[name]]
        if missing:
            print(f"unstuck: {_missing_answers(missing)}", file=sys.stderr)
            return 2
    for _attempt in range(5):
        if not no_input:
            try:
                _ask_missing(answers)
            except EOFError:
                print(f"\nunstuck: {ANSWERS_RAN_OUT}", file=sys.stderr)
                return 2
        clinic, username = answers["clinic"] or "", answers["username"] or ""
        email, password = answers["email"] or "", answers["password"] or ""
        try:
            check_setup_answers(clinic, username, email, password)
        except SetupError as exc:
            print(f"unstuck: {exc}", file=sys.stderr)
            if no_input:
                return 2
            answers[_field_of(str(exc))] = None  # ask that one again
            continue
        admin = create_clinic(clinic, username, email, password)
        print(
            f"Created the clinic {clinic!r} and its administrator {admin.username!r}.\n"
            f"Next: start it with 'unstuck serve', then {AFTER_SETUP}."
        )
        return 0
    return 2


def _missing_answers(missing: list[str]) -> str:
    message = f"setup --no-input needs {', '.join('--' + m for m in missing)}"
    if "password" in missing:
        message += f" (the password may come from ${SETUP_PASSWORD_ENV} instead)"
    return message


def _ask_missing(answers: dict[str, str | None]) -> None:
    """Ask for each answer not given yet, and check it at once: a wrong one is said and asked
    again before the next question (a wrong user name was found only after both passwords)."""
    from unstuck.web.accounts.services import SetupError, check_setup_answer

    for name, prompt in (*_SETUP_FIELDS, ("password", "")):
        while answers[name] is None or (name != "email" and not answers[name]):
            answers[name] = input(prompt).strip() if prompt else _ask_password()
            if name == "password" and not answers[name]:
                continue  # the two passwords differed: _ask_password said so
            try:
                check_setup_answer(name, {k: v or "" for k, v in answers.items()})
            except SetupError as exc:
                print(f"unstuck: {exc}", file=sys.stderr)
                answers[name] = None


def _field_of(message: str) -> str:
    """Which answer a SetupError message is about (its text starts with the answer's name)."""
    for prefix, field in (
        ("clinic", "clinic"),
        ("user name", "username"),
        ("e-mail", "email"),
        ("password", "password"),
    ):
        if message.startswith(prefix):
            return field
    return "password"
