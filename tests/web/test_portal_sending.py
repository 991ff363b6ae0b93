"""Emailing links and reminders: what arrives, when, and never twice (concurrent send-due)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from portal_helpers import body, make_request, smtp_settings, smtp_sink

from personas import PHQ9_MILD
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.portal import services as portal
from unstuck.web.portal.models import AccessToken, QuestionnaireRequest, TokenKind
from unstuck.web.portal.sending import send_due
from unstuck.web.send_due import send_due as command


@pytest.fixture(autouse=True)
def email_set_up(settings):
    """Links are emailed only where email is set up: a schedule or an emailed link is refused
    otherwise (`services.check_can_ask`); each test's real SMTP server takes the sending."""
    settings.EMAIL_CONFIGURED = True


@pytest.fixture
def record(make_client):
    client = make_client("C-500", [PHQ9_MILD])
    client.contact = "client500@example.test"
    client.save()
    return client


def test_it_sends_a_scheduled_link_then_one_reminder_two_days_later(personas, record) -> None:
    start = timezone.now()
    request, _ = make_request(personas.therapist, record, now=start, send_at=start)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        assert send_due(start).sent == [request.pk]
        assert send_due(start + dt.timedelta(hours=1)).sent == []  # nothing twice
        assert send_due(start + dt.timedelta(days=1, hours=23)).reminded == []  # not yet
        assert send_due(start + dt.timedelta(days=2, minutes=1)).reminded == [request.pk]
        assert send_due(start + dt.timedelta(days=3)).reminded == []  # one reminder only
    assert [m["To"] for m in sink.messages] == ["client500@example.test"] * 2
    first, reminder = sink.messages
    assert "Reminder" in reminder["Subject"]
    text = first["Subject"] + body(first)
    assert "Test clinic" in text
    assert "/q/" in text
    for private in ("C-500", "PHQ", "depress", "Alex"):
        assert private not in text
    actions = AuditEntry.objects.filter(client_code="C-500").values_list("action", flat=True)
    assert "portal_request_sent" in actions
    assert "portal_reminder_sent" in actions


def test_the_emailed_link_opens_the_questionnaire(personas, record) -> None:
    start = timezone.now()
    make_request(personas.therapist, record, now=start, send_at=start)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        send_due(start)
    link = next(line for line in body(sink.messages[0]).splitlines() if "/q/" in line)
    path = link[link.index("/q/") :]
    assert HttpClient().get(path)["Location"] == reverse("portal_start")


def test_it_sends_nothing_not_due_answered_or_expired(personas, record) -> None:
    now = timezone.now()
    later, _ = make_request(personas.therapist, record, now=now, send_at=now + dt.timedelta(days=1))
    done, _ = make_request(personas.therapist, record, now=now, send_at=now, session_number=3)
    QuestionnaireRequest.objects.filter(pk=done.pk).update(completed_at=now)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        assert send_due(now).sent == []
        assert send_due(now + dt.timedelta(days=1)).sent == [later.pk]
        assert send_due(now + dt.timedelta(days=30)).reminded == []  # expired by then
    assert len(sink.messages) == 1


def test_a_failed_send_is_tried_again(personas, record) -> None:
    now = timezone.now()
    request, _ = make_request(personas.therapist, record, now=now, send_at=now)
    with override_settings(**smtp_settings(1)):  # nothing listens on port 1
        assert send_due(now).failed == [request.pk]
    request.refresh_from_db()
    assert request.sent_at is None
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        assert send_due(now).sent == [request.pk]


def test_every_private_link_made_is_one_audit_row(personas, record) -> None:
    """A link shown on the screen (the first, made with the request, or another), emailed, or
    emailed again with the reminder: one "Made a private questionnaire link" row each. The
    first was not logged; a send that failed leaves no link behind, logged or not."""
    now = timezone.now()
    shown, _ = make_request(personas.therapist, record, now=now)
    portal.new_link(user=personas.therapist, request=shown)
    emailed, _ = make_request(personas.therapist, record, ["session_feedback"], send_at=now)
    with override_settings(**smtp_settings(1)):  # nothing listens on port 1
        assert send_due(now).failed == [emailed.pk]
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        assert send_due(now).sent == [emailed.pk]
        assert send_due(now + dt.timedelta(days=2, minutes=1)).reminded == [emailed.pk]
    made = AuditEntry.objects.filter(action=AuditAction.PORTAL_LINK_CREATED).order_by("id")
    assert [m.detail for m in made] == [f"request {shown.pk}"] * 2 + [
        f"request {emailed.pk}, by email"
    ] * 2
    assert AccessToken.objects.filter(kind=TokenKind.LINK).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_nothing_twice(personas, make_client) -> None:
    if connection.vendor == "sqlite":
        # The test database is in-memory SQLite with a shared cache, which locks whole tables
        # across threads without waiting ("database table is locked"); a clinic's SQLite file
        # waits for the lock instead. `make test` runs this again on PostgreSQL.
        pytest.skip("concurrent runs are tested on PostgreSQL")
    now = timezone.now()
    requests = []
    for i in range(6):
        client = make_client(f"C-51{i}", [PHQ9_MILD])
        client.contact = f"client51{i}@example.test"
        client.save()
        requests.append(make_request(personas.therapist, client, now=now, send_at=now)[0])
    barrier = threading.Barrier(2)
    results: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(send_due(now))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    sent = [pk for r in results for pk in r.sent]  # type: ignore[attr-defined]
    assert sorted(sent) == sorted(r.pk for r in requests)
    recipients = [m["To"] for m in sink.messages]
    assert len(recipients) == len(set(recipients)) == 6


def test_the_command_reports_what_it_sent(personas, record, capsys) -> None:
    now = timezone.now()
    make_request(personas.therapist, record, now=now, send_at=now)
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        assert command() == 0
    assert "sent 1 link, 0 reminders" in capsys.readouterr().out
    assert len(sink.messages) == 1


def test_links_due_with_email_not_set_up_are_counted_and_the_run_fails(
    personas, record, settings, capsys
) -> None:
    """The cron line carried no email settings: "sent 0 links; 0 failed", exit 0, and
    nothing was ever sent."""
    now = timezone.now()
    request, _ = make_request(personas.therapist, record, now=now, send_at=now)
    settings.EMAIL_CONFIGURED = False
    assert command() == 1
    out, err = capsys.readouterr()
    assert "sent 0 links, 0 reminders; 0 failed" in out
    assert "1 due could not be sent (email is not set up)" in out
    assert err.startswith("unstuck: 1 link or reminder due could not be sent: email is")
    assert err.count("\n") == 1
    assert "UNSTUCK_EMAIL_HOST" in err
    request.refresh_from_db()
    assert request.sent_at is None  # still due, for the run after email is set up


def test_a_client_with_no_email_address_is_counted(personas, record, capsys) -> None:
    now = timezone.now()
    request, _ = make_request(personas.therapist, record, now=now, send_at=now)
    record.contact = "phone only: 01632 960000"
    record.save()
    with smtp_sink() as sink, override_settings(**smtp_settings(sink.port)):
        report = send_due(now)
        assert command() == 0  # email works; this client's details need an address
    assert report.unsendable == [request.pk]
    assert "1 due could not be sent (no email address" in capsys.readouterr().out
    assert sink.messages == []
