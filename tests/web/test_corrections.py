"""Corrections: a session corrected or voided by its author keeps its earlier values in the
history and the audit log (never the answers, note or reason text); the status is recomputed;
safety alerts are raised by a newly positive answer and never erased by a correction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.errors import InvalidValue
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.records import corrections, services
from unstuck.web.records.models import SafetyAlert, Session, SessionRevision

RISK_1 = [1, 1, 1, 1, 1, 1, 0, 0, 1]  # item 9 answered 1
NO_RISK = [1, 1, 1, 1, 1, 1, 0, 0, 0]
NOTE = "Private words about the week."


def form_data(answers: list[int], **extra: str) -> dict[str, str]:
    data = {
        "date": "2026-01-12",
        "attendance": "attended",
        "completed_by": "client",
        "note": NOTE,
        "reason": "Typed the wrong answers",
    }
    data |= {f"phq9__item_{n}": str(a) for n, a in enumerate(answers, start=1)}
    return data | extra


def url(record, number: int, what: str = "session_correct") -> str:
    return reverse(what, args=[record.pk, number])


def test_a_correction_keeps_the_old_values_and_recomputes_the_status(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-701", [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_SEVERE])
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert url(record, 3) in page
    response = client.post(url(record, 3), form_data(PHQ9_MILD))
    assert response.status_code == 302
    session = Session.objects.get(episode__client=record, number=3)
    assert session.responses.get(instrument="phq9").total == 6
    assert session.note == NOTE
    revision = SessionRevision.objects.get(session=session)
    assert revision.kind == "corrected"
    assert revision.previous["answers"]["phq9"] == PHQ9_SEVERE
    assert revision.previous["note"] == ""
    record.refresh_from_db()
    assert record.trend[-1] == 6  # the status snapshot was recomputed
    entry = AuditEntry.objects.get(action="correct_session")
    assert entry.detail == "session 3; changed: date, note, PHQ-9 answers"
    for private in (NOTE, "Typed the wrong", "6"):
        assert private not in entry.detail.replace("session 3", "")
    history = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "Typed the wrong answers" in history  # the reason shows in the history


def test_a_correction_needs_a_reason(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-702", [PHQ9_SEVERE])
    client.force_login(personas.therapist)
    response = client.post(url(record, 1), form_data(PHQ9_MILD, reason=""))
    assert response.status_code == 200
    assert not SessionRevision.objects.exists()
    with pytest.raises(InvalidValue):
        corrections.void_session(user=personas.therapist, client=record, number=1, reason=" ")


def test_voiding_keeps_the_session_but_it_no_longer_counts(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-703", [PHQ9_SEVERE, PHQ9_MILD])
    client.force_login(personas.therapist)
    response = client.post(url(record, 2, "session_void"), {"reason": "Wrong client"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.sessions_count == 1
    assert record.trend == [20]
    session = Session.objects.get(episode__client=record, number=2)
    assert session.voided_at is not None
    assert session.responses.count() == 1
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "Voided sessions" in page
    assert "Wrong client" in page
    assert AuditEntry.objects.get(action="void_session").detail == "session 2"
    # a voided session cannot be corrected, and the next session gets a new number
    assert client.post(url(record, 2, "session_void"), {"reason": "again"}).status_code == 302
    assert SessionRevision.objects.count() == 1
    services.record_session(
        user=personas.therapist,
        client=record,
        data=services.SessionInput(date=dt.date(2026, 1, 26), attendance="attended"),
    )
    assert Session.objects.filter(episode__client=record).count() == 3


def test_a_corrected_answer_no_longer_positive_keeps_its_alert_open(personas, make_client) -> None:
    record = make_client("C-704", [PHQ9_MILD, RISK_1])
    data = services.SessionInput(
        date=dt.date(2026, 1, 12), attendance="attended", answers={"phq9": NO_RISK}
    )
    corrections.correct_session(
        user=personas.therapist, client=record, number=2, data=data, reason="misread"
    )
    alert = SafetyAlert.objects.get()
    assert alert.is_open
    assert alert.answer == 1
    record.refresh_from_db()
    assert record.status_rank == 0  # still in the safety group until a check closes it


def test_a_newly_positive_answer_raises_an_alert(personas, make_client) -> None:
    record = make_client("C-705", [PHQ9_MILD, NO_RISK])
    assert not SafetyAlert.objects.exists()
    data = services.SessionInput(
        date=dt.date(2026, 1, 12), attendance="attended", answers={"phq9": RISK_1}
    )
    corrections.correct_session(
        user=personas.therapist, client=record, number=2, data=data, reason="misread"
    )
    assert SafetyAlert.objects.get().session_number == 2
    record.refresh_from_db()
    assert record.status_rank == 0


def test_answers_that_raised_an_alert_cannot_be_cleared(personas, make_client) -> None:
    record = make_client("C-706", [PHQ9_MILD, RISK_1])
    data = services.SessionInput(
        date=dt.date(2026, 1, 12), attendance="attended", answers={"phq9": [None] * 9}
    )
    with pytest.raises(InvalidValue, match="safety alert"):
        corrections.correct_session(
            user=personas.therapist, client=record, number=2, data=data, reason="x"
        )
    assert Session.objects.get(episode__client=record, number=2).responses.count() == 1


def test_colleague_gets_404_and_supervisor_reads_only(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-707", [PHQ9_SEVERE])
    client.force_login(personas.colleague)
    assert client.get(url(record, 1)).status_code == 404
    assert client.post(url(record, 1, "session_void"), {"reason": "x"}).status_code == 404
    client.force_login(personas.supervisor)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert url(record, 1) not in page
    assert client.get(url(record, 1)).status_code == 403
    assert client.post(url(record, 1), form_data(PHQ9_MILD)).status_code == 403
    assert client.post(url(record, 1, "session_void"), {"reason": "x"}).status_code == 403
    assert not SessionRevision.objects.exists()


def test_only_the_author_corrects(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-708", [PHQ9_SEVERE])
    session = Session.objects.get(episode__client=record)
    assert corrections.can_correct(personas.therapist, record, session)
    session.recorded_by = personas.colleague  # recorded by a colleague before a transfer
    session.save()
    with pytest.raises(InvalidValue, match="Only the person who recorded"):
        corrections.void_session(user=personas.therapist, client=record, number=1, reason="x")
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert url(record, 1) not in page
    assert client.get(url(record, 1)).status_code == 403
    assert client.post(url(record, 1, "session_void"), {"reason": "x"}).status_code == 403
    assert Session.objects.get(pk=session.pk).voided_at is None


def test_an_unknown_session_is_404(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-709", [PHQ9_SEVERE])
    client.force_login(personas.therapist)
    assert client.get(url(record, 9)).status_code == 404


def test_no_ending_is_suggested_beside_an_alert_still_open_after_a_correction(
    personas, make_client
) -> None:
    """20, 14, 8 then two sessions missed is the core's "sessions missed while improving"
    note (plan an ending), which it never gives beside a safety answer. Session 2's positive
    item 9 corrected to 0 leaves the alert open until a check, but the core no longer saw the
    answer, and suggested planning an ending beside the open alert."""

    def phq(total: int, item9: int = 0) -> list[int]:
        rest = total - item9
        return [min(3, max(0, rest - 3 * i)) for i in range(8)] + [item9]

    record = make_client("C-708", [])
    start = dt.date(2026, 1, 5)
    for i, (attendance, answers) in enumerate(
        [
            ("attended", phq(20)),
            ("attended", phq(14, item9=1)),
            ("attended", phq(8)),
            ("no_show", None),
            ("cancelled", None),
        ]
    ):
        services.record_session(
            user=personas.therapist,
            client=record,
            data=services.SessionInput(
                date=start + dt.timedelta(days=7 * i),
                attendance=attendance,
                answers={"phq9": answers} if answers else {},
            ),
        )
    data = services.SessionInput(
        date=start + dt.timedelta(days=7), attendance="attended", answers={"phq9": phq(14)}
    )
    corrections.correct_session(
        user=personas.therapist, client=record, number=2, data=data, reason="misread"
    )
    assert SafetyAlert.objects.get().is_open
    record.refresh_from_db()
    assert record.flags[0] == "safety"
    assert not [e for e in record.explanations if e.startswith("Sessions missed while improving")]
    # and once the alert is checked, the core's note is back
    from unstuck.web.records.alerts import record_safety_check
    from unstuck.web.records.models import CheckOutcome

    record_safety_check(
        user=personas.therapist,
        client=record,
        outcome=CheckOutcome.NO_CURRENT_RISK,
        alert_ids=[SafetyAlert.objects.get().pk],
    )
    record.refresh_from_db()
    assert [e for e in record.explanations if e.startswith("Sessions missed while improving")]
