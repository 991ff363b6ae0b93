"""Client schedules: `unstuck send-due` makes and emails requests, with the clinic's reminder."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.utils import timezone
from portal_helpers import make_request, smtp_settings, smtp_sink

from personas import PHQ9_MILD
from unstuck.errors import InvalidValue
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.portal.models import Cadence, PortalSettings, QuestionnaireRequest
from unstuck.web.portal.schedules import (
    NO_DATES,
    NOT_A_CADENCE,
    NOT_A_DATE,
    PAST_DATE,
    set_schedule,
)
from unstuck.web.portal.sending import send_due
from unstuck.web.records import services as records

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def email_set_up(settings):
    """Links are emailed only where email is set up: a schedule or an emailed link is refused
    otherwise (`services.check_can_ask`); each test's real SMTP server takes the sending."""
    settings.EMAIL_CONFIGURED = True


@pytest.fixture
def record(make_client):
    client = make_client("C-SCHED", [PHQ9_MILD])
    client.contact = "sched@example.test"
    client.save()
    return client


def schedule(personas, record, cadence: str, now: dt.datetime, **extra):
    return set_schedule(
        user=personas.therapist,
        client=record,
        cadence=cadence,
        instrument_ids=extra.pop("instruments", ["phq9", "gad7"]),
        now=now,
        **extra,
    )


def recorded(personas, record) -> None:
    records.record_session(
        user=personas.therapist,
        client=record,
        data=records.SessionInput(date=timezone.localdate(), attendance="attended"),
    )
    record.refresh_from_db()


def test_before_every_session_sends_then_reminds_after_2_days_and_expires_after_4(
    personas, record
) -> None:
    start = timezone.now()
    schedule(personas, record, Cadence.BEFORE_EACH, start)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        first = send_due(start)
        assert len(first.planned) == 1
        assert first.sent == first.planned
        request = QuestionnaireRequest.objects.get(pk=first.planned[0])
        assert request.session_number == 2
        assert request.timing == "before"
        assert request.instruments == ["phq9", "gad7"]
        assert request.expires_at == start + 4 * DAY  # the clinic default
        assert send_due(start + DAY).planned == []  # one request per session
        assert send_due(start + DAY).reminded == []
        assert send_due(start + 2 * DAY + dt.timedelta(minutes=1)).reminded == [request.pk]
        assert send_due(start + 3 * DAY).reminded == []  # one reminder only
        assert send_due(start + 5 * DAY).planned == []  # expired, but session 2 was asked for
        recorded(personas, record)
        after = send_due(start + 6 * DAY)
    assert len(after.planned) == 1
    assert QuestionnaireRequest.objects.get(pk=after.planned[0]).session_number == 3
    assert len(sink.messages) == 3  # link, reminder, next link
    made = AuditEntry.objects.filter(action="portal_request_created", username="unstuck send-due")
    assert made.count() == 2


def test_the_clinics_own_reminder_and_expiry_days_are_followed(personas, record) -> None:
    PortalSettings.objects.create(clinic=personas.clinic, reminder_days=1, expiry_days=3)
    start = timezone.now()
    schedule(personas, record, Cadence.BEFORE_EACH, start)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        request_id = send_due(start).sent[0]
        assert send_due(start + DAY - dt.timedelta(minutes=1)).reminded == []
        assert send_due(start + DAY + dt.timedelta(minutes=1)).reminded == [request_id]
    assert QuestionnaireRequest.objects.get(pk=request_id).expires_at == start + 3 * DAY
    assert len(sink.messages) == 2


def test_weekly_makes_one_a_week_at_most(personas, record) -> None:
    start = timezone.now()
    schedule(personas, record, Cadence.WEEKLY, start)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        assert len(send_due(start).planned) == 1
        recorded(personas, record)
        assert send_due(start + 3 * DAY).planned == []  # not a week yet
        assert len(send_due(start + 7 * DAY).planned) == 1
    assert len([m for m in sink.messages if "Reminder" not in m["Subject"]]) == 2


def test_chosen_dates_make_one_request_on_each_date(personas, record) -> None:
    start = timezone.now()
    today = timezone.localdate(start)
    schedule(personas, record, Cadence.DATES, start, dates=[(today + 2 * DAY).isoformat(), today])
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        assert len(send_due(start).planned) == 1
        assert send_due(start + DAY).planned == []
        recorded(personas, record)
        assert len(send_due(start + 2 * DAY).planned) == 1
        assert send_due(start + 3 * DAY).planned == []
    assert len([m for m in sink.messages if "Reminder" not in m["Subject"]]) == 2


def test_a_request_made_by_hand_for_the_next_session_is_not_doubled(personas, record) -> None:
    start = timezone.now()
    make_request(personas.therapist, record, now=start)
    schedule(personas, record, Cadence.BEFORE_EACH, start)
    assert send_due(start).planned == []


def test_off_and_ended_episodes_make_nothing(personas, record) -> None:
    start = timezone.now()
    schedule(personas, record, Cadence.OFF, start, instruments=[])
    assert send_due(start).planned == []
    schedule(personas, record, Cadence.BEFORE_EACH, start)
    records.end_episode(
        user=personas.therapist, client=record, ended_on=timezone.localdate(), reason="completed"
    )
    assert send_due(start).planned == []


@pytest.mark.parametrize(
    ("cadence", "extra", "reason"),
    [
        ("monthly", {}, NOT_A_CADENCE),
        (Cadence.DATES, {}, NO_DATES),
        (Cadence.DATES, {"dates": ["next tuesday"]}, NOT_A_DATE),
        # a year typed wrong: the link was emailed at the next run
        (Cadence.DATES, {"dates": [(timezone.localdate() - DAY).isoformat()]}, PAST_DATE),
        (Cadence.WEEKLY, {"instruments": ["nope"]}, "not an installed questionnaire"),
    ],
)
def test_a_bad_schedule_is_refused_with_what_was_wrong(
    personas, record, cadence, extra, reason
) -> None:
    with pytest.raises(InvalidValue, match=re.escape(reason)):
        schedule(personas, record, cadence, timezone.now(), **extra)


def test_the_client_page_sets_the_schedule(client, personas, record) -> None:
    from django.urls import reverse

    from unstuck.web.portal.models import QuestionnaireSchedule

    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "Schedule: No schedule" in page
    url = reverse("portal_schedule", args=[record.pk])
    done = client.post(url, {"cadence": "weekly", "instruments": ["phq9"]}, follow=True)
    assert "Questionnaire schedule: Every week." in done.content.decode()
    assert QuestionnaireSchedule.objects.get(client=record).instruments == ["phq9"]
    assert AuditEntry.objects.filter(action="portal_schedule_set", client_code="C-SCHED").exists()
    bad = client.post(
        url, {"cadence": "dates", "instruments": ["phq9"], "dates": "2026-13-01"}, follow=True
    )
    assert bad.status_code == 200
    said = bad.content.decode().replace("&#x27;", "'")
    assert "Date '2026-13-01' is not a date (YYYY-MM-DD)." in said  # in the form, as typed
    assert 'name="dates" value="2026-13-01"' in said
    assert "column" not in said[said.index("Date '2026-13-01'") :][:80]  # no internal names
    assert QuestionnaireSchedule.objects.get(client=record).cadence == "weekly"
    other = client.post(url, {"cadence": "weekly", "instruments": ["phq9"]})
    assert other.status_code == 302
    client.force_login(personas.colleague)
    assert client.post(url, {"cadence": "off"}).status_code in (403, 404)
