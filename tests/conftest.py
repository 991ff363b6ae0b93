"""Fixed personas for the web tests: therapist, colleague, supervisor, administrator, outsider.

- ``therapist`` (Alex) owns the clients made with `make_client`.
- ``colleague`` (Sam) is another therapist in the same clinic, supervised by ``supervisor``.
- ``supervisor`` (Jordan) supervises both therapists.
- ``outsider`` (Riley) is a supervisor of nobody.
- ``administrator`` manages accounts and reads the audit log, but sees no clinical records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
from hypothesis import settings

from personas import PASSWORD, finish_attention_emails

# Property tests check what is computed, not how fast: a wall-clock deadline only makes them
# fail on a busy machine (seen at a load of 20+ on two cores).
settings.register_profile("unstuck", deadline=None)
settings.load_profile("unstuck")


@dataclass(frozen=True)
class Personas:
    clinic: object
    therapist: object
    colleague: object
    supervisor: object
    outsider: object
    administrator: object


@pytest.fixture(autouse=True)
def _attention_emails_end_with_their_test() -> Iterator[None]:
    """An email sent on its own thread (a safety answer's notice to the therapist) arrives
    within the test that caused it, never in the next test's outbox."""
    yield
    finish_attention_emails()


@pytest.fixture
def personas(db: None) -> Personas:
    from unstuck.web.accounts.models import Clinic, Role, User
    from unstuck.web.accounts.services import audited_by_caller

    clinic = Clinic.objects.create(name="Test clinic", synthetic=True)

    def user(name: str, role: str, supervisor: User | None = None) -> User:
        return User.objects.create_user(
            name,
            password=PASSWORD,
            clinic=clinic,
            role=role,
            supervisor=supervisor,
            first_name=name.title(),
        )

    # The accounts a test starts with were there before it: no audit rows of their creation.
    with audited_by_caller():
        supervisor = user("jordan", Role.SUPERVISOR)
        return Personas(
            clinic=clinic,
            therapist=user("alex", Role.THERAPIST, supervisor),
            colleague=user("sam", Role.THERAPIST, supervisor),
            supervisor=supervisor,
            outsider=user("riley", Role.SUPERVISOR),
            administrator=user("admin", Role.ADMINISTRATOR),
        )


@pytest.fixture
def make_client(personas: Personas) -> Callable[..., object]:
    """A client of `therapist` with one session per PHQ-9 answer list given (weekly)."""
    from unstuck.web.records import services

    def make(
        code: str = "C-001",
        phq9: Sequence[Sequence[int | None] | None] = (),
        *,
        therapist: object | None = None,
        feedback: Sequence[Sequence[int] | None] = (),
        attendance: Sequence[str] = (),
        start: dt.date = dt.date(2026, 1, 5),
    ) -> object:
        owner = therapist or personas.therapist
        client = services.create_client(therapist=owner, code=code, started_on=start)
        for i, answers in enumerate(phq9):
            given: dict[str, Sequence[int | None]] = {}
            if answers is not None:
                given["phq9"] = answers
            if i < len(feedback) and feedback[i] is not None:
                given["session_feedback"] = feedback[i]
            services.record_session(
                user=owner,
                client=client,
                data=services.SessionInput(
                    date=start + dt.timedelta(days=7 * i),
                    attendance=attendance[i] if i < len(attendance) else "attended",
                    answers=given,
                ),
            )
        client.refresh_from_db()
        return client

    return make


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_append_only_audit() -> None:
    """Let the test suite empty the audit table between transactional (browser) tests.

    The audit table refuses DELETE and TRUNCATE (accounts.append_only); Django's `flush`, which
    pytest-django runs after each transactional test, lifts the guard and puts it back in the
    same transaction. Only the tests do this: `unstuck manage flush` is refused.
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    from unstuck.web.accounts import append_only

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        if any(append_only.TABLE in sql for sql in sql_list):
            vendor = self.connection.vendor
            sql_list = [
                *append_only.remove_statements(vendor),
                *sql_list,
                *append_only.create_statements(vendor),
            ]
        original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
