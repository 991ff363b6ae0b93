"""The therapist's session record completes a session the client started by answering before it.

The portal creates session N when the client answers "before session N"; the therapist's form
must then complete N (their attendance, markers and note; the client's answers kept), not add
N+1. A form sent twice, or two saves at once, must not make a second session either.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from portal_helpers import GAD7_MILD

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.errors import InvalidValue
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.records import services
from unstuck.web.records.models import MeasureResponse, Session

ON = dt.date(2026, 1, 20)


@pytest.fixture
def record(make_client):
    return make_client("C-TAKE", [PHQ9_MILD, PHQ9_MILD])


def client_answers(record: Any, number: int = 3, **answers: list[int | None]) -> Session:
    return services.record_client_answers(
        client=record,
        session_number=number,
        answers=answers or {"phq9": PHQ9_SEVERE, "gad7": GAD7_MILD},
        on=ON,
    )


def therapist_input(**extra: Any) -> services.SessionInput:
    values: dict[str, Any] = {
        "date": dt.date(2026, 1, 21),
        "attendance": "attended",
        "duration_minutes": 50,
        "markers": ["avoided_topics"],
        "note": "Talked about the week.",
        "completed_by": "therapist",
        **extra,
    }
    return services.SessionInput(**values)


def form_data(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "date": "2026-01-21",
        "attendance": "attended",
        "completed_by": "therapist",
        "markers": ["avoided_topics"],
        "note": "Talked about the week.",
    }
    data.update(extra)
    return data


def test_the_portal_marks_the_session_it_creates_as_started_by_the_client(record) -> None:
    session = client_answers(record)
    assert session.number == 3
    assert session.started_by_client
    assert session.recorded_by is None


def test_record_session_completes_the_clients_session_and_keeps_their_answers(
    personas, record
) -> None:
    client_answers(record)
    session = services.record_session(
        user=personas.therapist,
        client=record,
        data=therapist_input(answers={"phq9": PHQ9_MILD, "session_feedback": [3, 3, 3, 3]}),
    )
    assert session.number == 3
    assert Session.objects.filter(episode__client=record).count() == 3
    session.refresh_from_db()
    assert not session.started_by_client
    assert session.recorded_by == personas.therapist
    assert session.date == dt.date(2026, 1, 21)
    assert session.markers == ["avoided_topics"]
    assert session.note == "Talked about the week."
    assert session.duration_minutes == 50
    phq = session.responses.get(instrument="phq9")
    assert phq.answers == PHQ9_SEVERE  # the client's, not the therapist's
    assert phq.completed_by == "client"
    assert session.responses.get(instrument="gad7").completed_by == "client"
    assert session.responses.get(instrument="session_feedback").completed_by == "therapist"
    record.refresh_from_db()
    assert record.sessions_count == 3


def test_without_a_client_session_the_next_number_is_made(personas, record) -> None:
    session = services.record_session(
        user=personas.therapist, client=record, data=therapist_input()
    )
    assert session.number == 3
    assert not session.started_by_client


def test_a_second_record_after_the_takeover_is_the_next_session(personas, record) -> None:
    client_answers(record)
    services.record_session(user=personas.therapist, client=record, data=therapist_input())
    later = services.record_session(user=personas.therapist, client=record, data=therapist_input())
    assert later.number == 4


def test_the_form_says_the_client_already_answered_and_leaves_those_out(
    client: HttpClient, personas, record
) -> None:
    client_answers(record)
    client.force_login(personas.therapist)
    page = client.get(reverse("session_new", args=[record.pk])).content.decode()
    assert "Session 3: the client already answered PHQ-9 and GAD-7" in page
    assert 'name="takes_over" value="3"' in page
    assert 'name="phq9__item_1"' not in page
    assert 'name="gad7__item_1"' not in page
    assert 'name="session_feedback__item_1"' in page


def test_the_form_without_a_client_session_says_nothing_of_it(
    client: HttpClient, personas, record
) -> None:
    client.force_login(personas.therapist)
    page = client.get(reverse("session_new", args=[record.pk])).content.decode()
    assert "already answered" not in page
    assert 'name="phq9__item_1"' in page


def test_a_form_sent_twice_saves_one_session(client: HttpClient, personas, record) -> None:
    client_answers(record)
    client.force_login(personas.therapist)
    url = reverse("session_new", args=[record.pk])
    first = client.post(url, form_data(takes_over=3))
    assert first.status_code == 302
    second = client.post(url, form_data(takes_over=3))
    assert second.status_code == 200
    assert "Session 3 is already recorded for this client." in second.content.decode()
    assert Session.objects.filter(episode__client=record).count() == 3
    assert (
        AuditEntry.objects.filter(action="record_session", detail__startswith="session 3").count()
        == 1
    )


def test_takes_over_a_session_that_is_not_the_clients_is_refused(personas, record) -> None:
    with pytest.raises(InvalidValue, match="already recorded"):
        services.record_session(
            user=personas.therapist, client=record, data=therapist_input(takes_over=2)
        )
    assert Session.objects.filter(episode__client=record).count() == 2


def test_client_answers_after_the_therapist_recorded_go_into_that_session(personas, record) -> None:
    services.record_session(user=personas.therapist, client=record, data=therapist_input())
    session = client_answers(record, gad7=GAD7_MILD)
    assert session.number == 3
    assert not session.started_by_client


# --- two at once, on PostgreSQL (row locks; SQLite takes one writer at a time anyway) ---

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)


def _together(*calls: Callable[[], object]) -> list[object]:
    """Run `calls` in threads released at the same moment; each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the test looks at what each call did
            results[index] = exc
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_form_at_once_make_one_session(personas, make_client) -> None:
    record = make_client("C-RACE", [PHQ9_MILD])
    for _ in range(5):
        started = client_answers(record, number=record.sessions_count + 1)
        data = therapist_input(takes_over=started.number)

        def save(data: services.SessionInput = data) -> Session:
            return services.record_session(user=personas.therapist, client=record, data=data)

        results = _together(save, save)
        errors = [r for r in results if isinstance(r, InvalidValue)]
        saved = [r for r in results if isinstance(r, Session)]
        assert len(saved) == 1, results
        assert len(errors) == 1, results
        record.refresh_from_db()
        assert record.sessions_count == started.number


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_client_and_the_therapist_at_once_share_one_session(personas, make_client) -> None:
    record = make_client("C-RACE2", [PHQ9_MILD])
    for number in range(2, 7):
        results = _together(
            lambda number=number: client_answers(record, number=number, gad7=GAD7_MILD),
            lambda: services.record_session(
                user=personas.therapist,
                client=record,
                data=therapist_input(answers={"phq9": PHQ9_MILD}),
            ),
        )
        assert all(isinstance(r, Session) for r in results), results
        session = Session.objects.get(episode__client=record, number=number)
        assert session.recorded_by == personas.therapist
        assert not session.started_by_client
        assert set(session.responses.values_list("instrument", flat=True)) == {"phq9", "gad7"}
        assert MeasureResponse.objects.get(session=session, instrument="gad7").completed_by == (
            "client"
        )
    assert Session.objects.filter(episode__client=record).count() == 6


def test_answers_given_ahead_are_not_a_session_held_until_the_therapist_records_it(
    client: HttpClient, personas, record
) -> None:
    """The portal's session read 'Attended' on the client page and counted in 'We met for N
    sessions' though nobody had met: a reviewer saw two 'Attended' sessions on one day."""
    client_answers(record)
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "3 sessions in this episode (1 answered ahead by the client, not yet recorded)" in page
    assert "<td>Answered by the client; session not yet recorded</td>" in page
    assert '<li class="pending">3: Answered ahead' in page
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": "termination", "ended_on": "2026-01-25", "recommendations": "Keep walking."},
    )
    letter = record.letters.get()
    html = client.get(reverse("letter", args=[record.pk, letter.pk])).content.decode()
    assert "2 sessions attended" in html
