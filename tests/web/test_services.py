"""Services: each write is whole or absent, and leaves an audit entry in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.errors import InvalidValue
from unstuck.progress.summary import summarise_client
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.records import selectors, services
from unstuck.web.records.instruments import instruments
from unstuck.web.records.models import Client, MeasureResponse, Session


def test_an_invalid_answer_rolls_back_the_whole_session(personas, make_client) -> None:
    record = make_client("C-300", [PHQ9_MILD])
    data = services.SessionInput(
        date=dt.date(2026, 2, 1),
        attendance="attended",
        answers={"gad7": [0, 0, 0, 0, 0, 0, 0], "phq9": [1, 1, 1, 1, 4, 1, 1, 1, 0]},
    )
    before = (Session.objects.count(), MeasureResponse.objects.count(), AuditEntry.objects.count())
    with pytest.raises(InvalidValue) as caught:
        services.record_session(user=personas.therapist, client=record, data=data)
    assert caught.value.field == "phq9.item_5"
    assert caught.value.value == 4
    assert (
        Session.objects.count(),
        MeasureResponse.objects.count(),
        AuditEntry.objects.count(),
    ) == before


def test_an_unknown_marker_is_refused(personas, make_client) -> None:
    record = make_client("C-301", [PHQ9_MILD])
    data = services.SessionInput(date=dt.date(2026, 2, 1), attendance="attended", markers=["lazy"])
    with pytest.raises(InvalidValue, match="not a marker"):
        services.record_session(user=personas.therapist, client=record, data=data)


def test_the_snapshot_matches_the_core_summary(personas, make_client) -> None:
    record = make_client(
        "C-302",
        [PHQ9_SEVERE, PHQ9_SEVERE, None, PHQ9_MILD],
        feedback=[[9, 9, 9, 9], [5, 5, 5, 5]],
        attendance=["attended", "late", "no_show", "attended"],
    )
    episode = selectors.current_episode(record)
    assert episode is not None
    observations = selectors.observations(selectors.episode_sessions(episode), "phq9")
    expected = summarise_client("C-302", observations, instruments())
    assert record.status == expected.status
    assert record.flags == list(expected.flags)
    assert record.explanations == list(expected.explanations)
    assert record.measures["phq9"]["first"] == 20
    assert record.measures["phq9"]["last"] == 6
    assert record.trend == [20, 20, 6]
    assert "alliance_rupture" in record.flags  # feedback 36 -> 20


def test_writes_are_audited(personas, make_client) -> None:
    make_client("C-303", [PHQ9_MILD, PHQ9_MILD])
    actions = list(AuditEntry.objects.filter(client_code="C-303").values_list("action", flat=True))
    assert sorted(actions) == ["create_client", "record_session", "record_session"]
    assert all(e.username == "alex" for e in AuditEntry.objects.filter(client_code="C-303"))


def test_an_ended_episode_takes_no_more_sessions(personas, make_client) -> None:
    record = make_client("C-304", [PHQ9_MILD])
    services.end_episode(
        user=personas.therapist, client=record, ended_on=dt.date(2026, 3, 1), reason="completed"
    )
    data = services.SessionInput(date=dt.date(2026, 3, 2), attendance="attended")
    with pytest.raises(InvalidValue, match="ended"):
        services.record_session(user=personas.therapist, client=record, data=data)


def test_client_codes_are_unique_within_a_clinic(personas, make_client) -> None:
    from django.db import IntegrityError, transaction

    from unstuck.errors import InvalidValue

    first = make_client("C-305")
    with pytest.raises(InvalidValue, match="already has the code 'C-305'"):
        services.create_client(
            therapist=personas.colleague, code="C-305", started_on=dt.date(2026, 1, 1)
        )
    # The database holds the rule too, for two saves at the same instant.
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(clinic_id=first.clinic_id, therapist=personas.colleague, code="C-305")
    assert Client.objects.filter(code="C-305").count() == 1
