"""Safety alerts: raised by a positive safety answer, closed by a recorded check, kept in the
history; a later positive answer raises a new one. Open alerts head the caseload, newest first."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.errors import InvalidValue
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.records import alerts, selectors, services, snapshots
from unstuck.web.records.models import Client, MeasureResponse, SafetyAlert, SafetyCheck
from unstuck.web.records.safety import NO_OPEN_ALERT, OTHER_NEEDS_NOTE

RISK_2 = [3, 3, 3, 3, 2, 2, 2, 2, 2]  # total 22, item 9 answered 2
RISK_1 = [1, 1, 1, 1, 1, 1, 0, 0, 1]  # total 7, item 9 answered 1
NOTE = "Talked it through; a friend stays over this week."


def add_session(personas, record, phq9, day: dt.date, **answers) -> None:
    given = {"phq9": phq9, **answers}
    services.record_session(
        user=personas.therapist,
        client=record,
        data=services.SessionInput(date=day, attendance="attended", answers=given),
    )


def rows(client: HttpClient, **query: str) -> list[str]:
    """The client codes of the caseload's rows, top to bottom."""
    body = client.get(reverse("caseload"), query).content.decode()
    return re.findall(r'data-client="([^"]+)"', body)


def check(client: HttpClient, record, **data: str):
    return client.post(reverse("safety_check", args=[record.pk]), data)


def test_a_positive_safety_answer_raises_an_alert_with_its_source(personas, make_client) -> None:
    record = make_client("C-900", [PHQ9_MILD, RISK_2])
    alert = SafetyAlert.objects.get()
    response = MeasureResponse.objects.get(session__number=2)
    assert (alert.client, alert.response, alert.session_number) == (record, response, 2)
    assert (alert.session_date, alert.instrument, alert.item, alert.answer) == (
        dt.date(2026, 1, 12),
        "phq9",
        9,
        2,
    )
    assert alert.is_open
    assert record.status_rank == 0
    assert record.flags[0] == "safety"
    assert record.next_action == (
        "Check in about safety: PHQ-9 item 9 answered 2 (More than half the days) at session 2 "
        "(2026-01-12)"
    )
    raised = AuditEntry.objects.get(action="safety_alert_raised")
    assert raised.client_code == "C-900"
    assert raised.detail == "session 2 (2026-01-12) PHQ-9 item 9"  # where, never the answer


def test_a_zero_answer_raises_nothing_and_a_refused_save_leaves_no_alert(
    personas, make_client
) -> None:
    record = make_client("C-901", [PHQ9_MILD, PHQ9_SEVERE])
    assert not SafetyAlert.objects.exists()
    with pytest.raises(InvalidValue):  # GAD-7 answer 7 is out of range: the whole save goes
        add_session(personas, record, RISK_1, dt.date(2026, 2, 1), gad7=[7, 0, 0, 0, 0, 0, 0])
    assert not SafetyAlert.objects.exists()
    assert not AuditEntry.objects.filter(action="safety_alert_raised").exists()


def test_raising_twice_for_the_same_answer_opens_one_alert(personas, make_client) -> None:
    make_client("C-902", [RISK_1])
    response = MeasureResponse.objects.get()
    assert alerts.raise_safety_alerts_for(response, user=personas.therapist) == []
    assert SafetyAlert.objects.count() == 1


def test_the_whole_life_of_an_alert(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-903", [PHQ9_MILD, RISK_2])  # 6 -> 22: deterioration too
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert 'id="safety-alert"' in page
    assert 'id="safety-check-form"' in page
    assert (
        "answered 2 (More than half the days) at session 2 on 2026-01-12; no safety check is "
        "recorded since"
    ) in page
    first = SafetyAlert.objects.get()

    response = check(client, record, outcome="safety_plan", note=NOTE, alerts=str(first.pk))
    assert response.status_code == 302
    first.refresh_from_db()
    assert not first.is_open
    assert first.safety_check is not None
    assert first.safety_check.outcome == "safety_plan"
    assert first.safety_check.checked_by == personas.therapist
    record.refresh_from_db()
    assert "safety" not in record.flags
    assert record.flags[0] == "deterioration"  # the rest of the signals stay
    assert (record.status, record.status_rank) == ("off_track", 1)
    assert record.safety_alert_at is None
    assert record.next_action == snapshots.NEXT_ACTIONS["deterioration"]
    audit = AuditEntry.objects.get(action="safety_check_recorded")
    assert audit.detail == "Safety plan made or updated; closes session 2 (2026-01-12) PHQ-9 item 9"
    assert not AuditEntry.objects.filter(detail__contains="friend").exists()  # note never logged

    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert 'id="safety-alert"' not in page
    history = page[page.index('id="safety-history"') :]
    assert "PHQ-9 item 9 answered 2 (More than half the days) at session 2 (2026-01-12)" in history
    assert "Safety plan made or updated" in history
    assert NOTE in history

    add_session(personas, record, RISK_1, dt.date(2026, 1, 19))
    record.refresh_from_db()
    second = SafetyAlert.objects.exclude(pk=first.pk).get()
    assert second.is_open
    assert second.session_number == 3
    assert record.status_rank == 0
    assert record.next_action.endswith("answered 1 (Several days) at session 3 (2026-01-19)")
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "Open: no check recorded yet" in page
    assert "Safety plan made or updated" in page  # the first check stays in the history
    assert page.index("at session 3 (2026-01-19)") < page.index("at session 2 (2026-01-12)")


def test_a_checked_answer_no_longer_pins_a_recovered_client(
    client: HttpClient, personas, make_client
) -> None:
    calm = make_client("A-CALM", [RISK_1, PHQ9_MILD, [0] * 9])
    worse = make_client("B-WORSE", [PHQ9_MILD, PHQ9_SEVERE])
    assert calm.status_rank == 0
    client.force_login(personas.therapist)
    check(client, calm, outcome="no_current_risk")
    calm.refresh_from_db()
    assert calm.status_rank > worse.status_rank
    assert "safety" not in calm.next_action.lower()
    assert rows(client) == ["B-WORSE", "A-CALM"]
    assert 'id="safety-summary"' not in client.get(reverse("caseload")).content.decode()


def test_open_alerts_head_the_caseload_newest_first(
    client: HttpClient, personas, make_client
) -> None:
    make_client("M-OFF", [PHQ9_MILD, PHQ9_SEVERE])  # off track, no safety answer
    for code in ("A-OLDEST", "Z-NEWEST"):
        make_client(code, [PHQ9_MILD, RISK_1])
    middle = make_client("C-MIDDLE", [PHQ9_MILD])
    add_session(personas, middle, RISK_1, dt.date(2026, 1, 12))
    newest = Client.objects.get(code="Z-NEWEST")
    add_session(personas, newest, RISK_1, dt.date(2026, 1, 19))  # a new alert, newest of all
    client.force_login(personas.therapist)
    codes = [c.code for c in selectors.caseload(personas.therapist)]
    assert codes == ["Z-NEWEST", "C-MIDDLE", "A-OLDEST", "M-OFF"]
    assert rows(client) == codes
    body = client.get(reverse("caseload")).content.decode()
    assert "3 clients answered a safety question above 0" in body


def test_the_safety_group_holds_only_clients_with_an_open_alert(
    client: HttpClient, personas, make_client
) -> None:
    checked = make_client("C-CHECKED", [PHQ9_MILD, RISK_1])
    make_client("C-OPEN", [PHQ9_MILD, RISK_1])
    make_client("C-NONE", [PHQ9_MILD, PHQ9_MILD])
    alerts.record_safety_check(user=personas.therapist, client=checked, outcome="no_current_risk")
    client.force_login(personas.therapist)
    assert rows(client, status="safety") == ["C-OPEN"]
    body = client.get(reverse("caseload")).content.decode()
    assert reverse("safety_check", args=[Client.objects.get(code="C-OPEN").pk]) in body


def test_a_colleague_gets_404_and_a_supervisor_cannot_record(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-904", [RISK_1])
    url = reverse("safety_check", args=[record.pk])
    client.force_login(personas.colleague)
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": "no_current_risk"}).status_code == 404
    client.force_login(personas.supervisor)
    assert client.post(url, {"outcome": "no_current_risk"}).status_code == 403
    assert not SafetyCheck.objects.exists()
    assert SafetyAlert.objects.get().is_open
    # The alert is there for the supervisor too, saying who is to check in.
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert f"Safety answer: {personas.therapist.display_name} to check in" in page


def test_the_check_is_refused_with_a_clear_reason(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-905", [RISK_1])
    client.force_login(personas.therapist)
    page = check(client, record, outcome="other", note="  ").content.decode()
    assert OTHER_NEEDS_NOTE.replace("'", "&#x27;") in page
    page = check(client, record, outcome="called_mum").content.decode()
    assert "not one of the available choices" in page
    assert not SafetyCheck.objects.exists()
    with pytest.raises(InvalidValue, match="Other"):
        alerts.record_safety_check(user=personas.therapist, client=record, outcome="other", note="")
    with pytest.raises(InvalidValue, match="not an outcome"):
        alerts.record_safety_check(user=personas.therapist, client=record, outcome="fine")
    alerts.record_safety_check(
        user=personas.therapist, client=record, outcome="other", note="Phoned the GP."
    )
    page = check(client, record, outcome="no_current_risk").content.decode()
    assert NO_OPEN_ALERT in page
    assert SafetyCheck.objects.count() == 1


def test_an_answer_that_arrives_while_the_form_is_open_stays_open(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-906", [RISK_1])
    shown = SafetyAlert.objects.get()
    add_session(personas, record, RISK_1, dt.date(2026, 1, 12))
    client.force_login(personas.therapist)
    response = check(client, record, outcome="no_current_risk", alerts=str(shown.pk))
    assert response.status_code == 302
    assert [a.session_number for a in selectors.open_safety_alerts(record)] == [2]
    record.refresh_from_db()
    assert record.status_rank == 0
    page = client.get(response["Location"]).content.decode()
    assert "Another safety answer is still open" in page


def test_closing_an_episode_with_an_open_alert_needs_confirmation(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-907", [PHQ9_MILD, RISK_1])
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "I have considered the open safety alert" in page
    url = reverse("episode_end", args=[record.pk])
    data = {"ended_on": "2026-02-01", "reason": "completed"}
    follow = client.post(url, data, follow=True).content.decode()
    assert "A safety alert is still open" in follow
    assert selectors.current_episode(record).ended_on is None
    assert not AuditEntry.objects.filter(action="end_episode").exists()

    client.post(url, {**data, "safety_considered": "on"})
    assert selectors.current_episode(record).ended_on == dt.date(2026, 2, 1)
    confirmed = AuditEntry.objects.get(action="episode_closed_with_open_safety_alert")
    assert confirmed.detail == "session 2 (2026-01-12) PHQ-9 item 9"
    record.refresh_from_db()
    assert record.status_rank == 0  # the alert stays open until a check closes it
    assert SafetyAlert.objects.get().is_open


def test_closing_with_a_letter_and_an_open_alert_needs_confirmation(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-908", [PHQ9_MILD, RISK_1])
    client.force_login(personas.therapist)
    url = reverse("close", args=[record.pk])
    assert "I have considered the open safety alert" in client.get(url).content.decode()
    data = {"kind": "termination", "ended_on": "2026-02-01"}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "A safety alert is still open" in refused.content.decode()
    assert not record.letters.exists()
    assert selectors.current_episode(record).ended_on is None

    assert client.post(url, {**data, "safety_considered": "on"}).status_code == 302
    assert record.letters.count() == 1
    assert AuditEntry.objects.filter(action="episode_closed_with_open_safety_alert").exists()


def test_no_confirmation_is_asked_once_the_alert_is_checked(personas, make_client) -> None:
    record = make_client("C-909", [PHQ9_MILD, RISK_1])
    alerts.record_safety_check(user=personas.therapist, client=record, outcome="safety_plan")
    services.end_episode(
        user=personas.therapist, client=record, ended_on=dt.date(2026, 2, 1), reason="completed"
    )
    assert not AuditEntry.objects.filter(action="episode_closed_with_open_safety_alert").exists()


def test_answers_stored_before_alerts_existed_get_open_alerts(personas, make_client) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "unstuck.web.records.migrations.0003_open_alerts_for_stored_answers"
    )
    record = make_client("C-910", [PHQ9_MILD, RISK_2])
    SafetyAlert.objects.all().delete()  # as if stored before alerts existed
    Client.objects.filter(pk=record.pk).update(safety_alert_at=None)
    from types import SimpleNamespace

    from django.db import connection

    editor = SimpleNamespace(connection=connection)  # what it reads: the database migrated
    migration.open_alerts(apps, editor)
    migration.open_alerts(apps, editor)  # running it again opens nothing new
    alert = SafetyAlert.objects.get()
    assert (alert.client, alert.session_number, alert.item, alert.answer) == (record, 2, 9, 2)
    record.refresh_from_db()
    assert record.status_rank == 0
    assert record.safety_alert_at == alert.raised_at


def test_the_check_can_be_recorded_from_the_caseload_row(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-911", [PHQ9_MILD, RISK_1])
    make_client("C-912", [PHQ9_MILD, RISK_1], therapist=personas.colleague)
    alert = SafetyAlert.objects.get(client=record)
    client.force_login(personas.therapist)
    body = client.get(reverse("caseload")).content.decode()
    url = reverse("safety_check", args=[record.pk]) + "?back=caseload"
    assert f'action="{url}"' in body
    assert f'name="alerts" value="{alert.pk}"' in body
    response = client.post(url, {"outcome": "crisis_service", "alerts": str(alert.pk)})
    assert response["Location"] == reverse("caseload")
    assert rows(client) == ["C-911"]
    record.refresh_from_db()
    assert record.status_rank != 0
    client.force_login(personas.supervisor)  # sees both, may record neither
    body = client.get(reverse("caseload")).content.decode()
    assert "safety-check-inline" not in body


def test_a_filter_or_a_search_never_hides_that_a_safety_answer_waits(
    client: HttpClient, personas, make_client
) -> None:
    """The banner counted only the rows left by the filter: '?status=on_track' or a search for
    another client showed no word of an open alert."""
    make_client("C-950", [PHQ9_MILD, RISK_2])
    make_client("C-951", [PHQ9_MILD, PHQ9_MILD])
    client.force_login(personas.therapist)
    for query in ({"q": "C-951"}, {"status": "insufficient_data"}, {"status": "on_track"}):
        page = client.get(reverse("caseload"), query).content.decode()
        assert 'id="safety-summary"' in page, query
        assert "1 of them is not in this list" in page, query
        assert 'href="?status=safety"' in page
    page = client.get(reverse("caseload")).content.decode()
    assert "not in this list" not in page
    assert "It is listed first" in page  # one client: said in the singular


def test_the_next_step_names_the_gravest_open_answer_and_how_many_wait(personas, make_client):
    """Two open answers, 2 then 1: the row named only the newest ('answered 1')."""
    record = make_client("C-960", [PHQ9_MILD, RISK_2, RISK_1])
    record.refresh_from_db()
    assert record.next_action == (
        "Check in about safety: 2 open answers, the highest PHQ-9 item 9 answered 2 "
        "(More than half the days) at session 2 (2026-01-12)"
    )
