"""Safety answers after a correction, and an episode's safety answers once checked: the alert
keeps the answer that raised it and says what it was corrected to; the caseload's next step
and the client page's summary of the episode name the same, most serious, answer."""

from __future__ import annotations

import datetime as dt

from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.records import alerts, corrections, safety, selectors, services
from unstuck.web.records.models import Client, SafetyAlert, SafetyCheck


def phq9(item9: int) -> list[int]:
    return [1, 1, 1, 1, 1, 1, 0, 0, item9]


def correct(personas, record, number: int, item9: int) -> None:
    """Correct session `number`'s PHQ-9 item 9, with a reason, as its therapist."""
    session = record.episodes.get().sessions.get(number=number)
    corrections.correct_session(
        user=personas.therapist,
        client=record,
        number=number,
        data=services.SessionInput(
            date=session.date, attendance="attended", answers={"phq9": phq9(item9)}
        ),
        reason="Typed the wrong answer",
    )


def glance(page: str) -> str:
    start = page.index('id="glance"')
    return page[start : page.index("</section>", start)]


def test_an_alert_says_its_answer_was_corrected_since(
    client: HttpClient, personas, make_client
) -> None:
    """Item 9 corrected from 1 to 0: the banner and the next step said 'answered 1' while
    History showed session 2 with no safety answer."""
    record = make_client("C-980", [PHQ9_MILD, phq9(1)])
    client.force_login(personas.therapist)
    response = client.post(
        reverse("session_correct", args=[record.pk, 2]),
        {
            "date": "2026-01-12",
            "attendance": "attended",
            "completed_by": "client",
            "reason": "Typed the wrong answer",
        }
        | {f"phq9__item_{n}": str(a) for n, a in enumerate(phq9(0), start=1)},
    )
    assert response.status_code == 302
    assert SafetyAlert.objects.get().is_open  # kept open until a check: the safe choice
    record.refresh_from_db()
    assert record.next_action == (
        "Check in about safety: PHQ-9 item 9 answered 1 (Several days) at session 2 "
        "(2026-01-12), since corrected to 0 (Not at all)"
    )
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    banner = page[page.index('id="safety-alert"') : page.index("</section>")]
    assert (
        "PHQ-9 item 9 (a risk question) was answered 1 (Several days) at session 2 on "
        "2026-01-12, since corrected to 0 (Not at all); no safety check is recorded since."
    ) in banner
    caseload = client.get(reverse("caseload")).content.decode()
    assert "at session 2 (2026-01-12), since corrected to 0 (Not at all)" in caseload
    goals = client.get(reverse("goals", args=[record.pk])).content.decode()
    assert "since corrected to 0 (Not at all)" in goals


def test_the_episode_summary_names_the_most_serious_answer_and_how_many(
    client: HttpClient, personas, make_client
) -> None:
    """3 at session 6, 2 at session 7, 1 at session 8 (corrected to 0), then one check: At a
    glance named only session 8's 1, as if it were the whole episode's answer."""
    record = make_client("C-981", [PHQ9_MILD] * 5 + [phq9(3), phq9(2), phq9(1)])
    correct(personas, record, 8, 0)
    record.refresh_from_db()
    highest = "PHQ-9 item 9 answered 3 (Nearly every day) at session 6 (2026-02-09)"
    assert record.next_action == f"Check in about safety: 3 open answers, the highest {highest}"
    client.force_login(personas.therapist)
    client.post(
        reverse("safety_check", args=[record.pk]),
        {
            "outcome": "no_current_risk",
            "alerts": ",".join(str(a.pk) for a in SafetyAlert.objects.all()),
        },
    )
    checked = SafetyCheck.objects.get().checked_at.date()
    page = glance(client.get(reverse("client", args=[record.pk])).content.decode())
    assert (
        f"<strong>Safety answers this episode:</strong> 3, the highest {highest}; the safety "
        f"check on {checked:%Y-%m-%d}: checked in: no current risk." in page
    )
    assert "session 8" not in page


def test_a_graver_answer_checked_earlier_is_named_with_the_latest_check(
    client: HttpClient, personas, make_client
) -> None:
    """2 (a safety plan made), then 1 (no current risk): the summary named the 1 alone."""
    record = make_client("C-982", [PHQ9_MILD, phq9(2)])
    alerts.record_safety_check(
        user=personas.therapist, client=record, outcome="safety_plan", note="made together"
    )
    services.record_session(
        user=personas.therapist,
        client=record,
        data=services.SessionInput(
            date=dt.date(2026, 1, 19), attendance="attended", answers={"phq9": phq9(1)}
        ),
    )
    alerts.record_safety_check(
        user=personas.therapist, client=Client.objects.get(pk=record.pk), outcome="no_current_risk"
    )
    client.force_login(personas.therapist)
    page = glance(client.get(reverse("client", args=[record.pk])).content.decode())
    first, latest = (c.checked_at.date() for c in SafetyCheck.objects.order_by("checked_at"))
    assert (
        "<strong>Safety answers this episode:</strong> 2, the highest PHQ-9 item 9 answered 2 "
        "(More than half the days) at session 2 (2026-01-12); the safety check on "
        f"{first:%Y-%m-%d}: safety plan made or updated. The latest safety check, on "
        f"{latest:%Y-%m-%d}: checked in: no current risk."
    ) in page


def test_a_correction_upwards_makes_the_answer_the_most_serious(personas, make_client) -> None:
    """One alert per answer: 1 corrected to 3 raises no second alert, so the alert's copied
    '1' alone ranked it below an open '2'."""
    record = make_client("C-983", [PHQ9_MILD, phq9(1), phq9(2)])
    correct(personas, record, 2, 3)
    record.refresh_from_db()
    assert record.next_action == (
        "Check in about safety: 2 open answers, the highest PHQ-9 item 9 answered 1 "
        "(Several days) at session 2 (2026-01-12), since corrected to 3 (Nearly every day)"
    )
    open_alerts = selectors.open_safety_alerts(record)
    assert safety.gravest(open_alerts).session_number == 2


def test_a_correction_above_a_checked_answer_opens_a_new_alert(
    client: HttpClient, personas, make_client
) -> None:
    """1 at session 6, checked, then corrected to 3: nothing was open for the graver answer,
    and the client stayed off the top of the caseload."""
    record = make_client("C-984", [PHQ9_MILD] * 5 + [phq9(1)])
    make_client("C-985", [PHQ9_MILD, PHQ9_SEVERE])  # off track, no safety answer
    first = SafetyAlert.objects.get()
    check = alerts.record_safety_check(
        user=personas.therapist, client=record, outcome="no_current_risk"
    )
    record.refresh_from_db()
    assert record.status_rank > 0
    correct(personas, Client.objects.get(pk=record.pk), 6, 3)
    new = SafetyAlert.objects.exclude(pk=first.pk).get()
    assert new.is_open
    assert (new.response, new.session_number, new.item, new.answer) == (first.response, 6, 9, 3)
    assert (new.corrected_from, new.after_check) == (1, check)
    first.refresh_from_db()
    assert first.safety_check == check  # the check stays with the answer it covered
    record.refresh_from_db()
    assert (record.status, record.status_rank) == ("off_track", 0)
    assert record.flags[0] == "safety"
    assert record.safety_alert_at is not None
    said = (
        "PHQ-9 item 9 answered 3 (Nearly every day) at session 6 (2026-02-09), corrected from 1 "
        f"(Several days) after the safety check on {check.checked_at:%Y-%m-%d}"
    )
    assert record.next_action == f"Check in about safety: {said}"
    assert [c.code for c in selectors.caseload(personas.therapist)] == ["C-984", "C-985"]
    raised = AuditEntry.objects.filter(action="safety_alert_raised").order_by("id")
    assert [a.detail for a in raised] == ["session 6 (2026-02-09) PHQ-9 item 9"] * 2
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    banner = page[page.index('id="safety-alert"') : page.index("</section>")]
    assert (
        "PHQ-9 item 9 (a risk question) was answered 3 (Nearly every day) at session 6 on "
        "2026-02-09, corrected from 1 (Several days) after the safety check on "
        f"{check.checked_at:%Y-%m-%d}; no safety check is recorded since."
    ) in banner
    correct(personas, Client.objects.get(pk=record.pk), 6, 2)  # downwards: nothing closes
    assert SafetyAlert.objects.count() == 2
    assert SafetyAlert.objects.get(pk=new.pk).is_open


def test_a_correction_upwards_while_the_alert_is_open_raises_no_second_one(
    personas, make_client
) -> None:
    """1 corrected to 3 with its alert still open: the open alert says so, no second one;
    once checked as it read then (3), correcting the session again raises nothing new."""
    record = make_client("C-986", [PHQ9_MILD, phq9(1)])
    correct(personas, record, 2, 3)
    alert = SafetyAlert.objects.get()
    assert alert.is_open
    assert alert.answer == 1
    assert safety.answer_text(alert).endswith("since corrected to 3 (Nearly every day)")
    alerts.record_safety_check(
        user=personas.therapist, client=Client.objects.get(pk=record.pk), outcome="safety_plan"
    )
    correct(personas, Client.objects.get(pk=record.pk), 2, 3)  # the check covered the 3
    assert SafetyAlert.objects.count() == 1
    record.refresh_from_db()
    assert record.status_rank > 0


def test_a_correction_from_zero_to_positive_raises_an_alert(personas, make_client) -> None:
    record = make_client("C-987", [PHQ9_MILD, phq9(0)])
    assert not SafetyAlert.objects.exists()
    correct(personas, record, 2, 2)
    alert = SafetyAlert.objects.get()
    assert alert.is_open
    assert (alert.session_number, alert.answer) == (2, 2)
    record.refresh_from_db()
    assert (record.status_rank, record.flags[0]) == (0, "safety")
    assert record.next_action == (
        "Check in about safety: PHQ-9 item 9 answered 2 (More than half the days) at session 2 "
        "(2026-01-12)"
    )
    assert AuditEntry.objects.filter(action="safety_alert_raised").count() == 1
