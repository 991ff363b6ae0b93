"""Dates that contradict the episode are refused, in words, with nothing stored.

Found by trying it: a session dated 2025 on an episode begun in 2026 was saved and led the
charts and the change table as the first score ("reliably recovered"); an episode could end
before it began (the team figures gained a quarter in 2020) or on a day to come.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.errors import InvalidValue
from unstuck.web.records import corrections, services
from unstuck.web.records.models import Episode, Session

START = dt.date(2026, 1, 5)  # make_client's episode start; sessions weekly from it


@pytest.fixture
def record(make_client):
    return make_client("C-DATE", [PHQ9_SEVERE, PHQ9_MILD])  # 5 and 12 January


def test_a_session_before_the_episode_started_is_refused(personas, record) -> None:
    with pytest.raises(InvalidValue, match="before this episode of care started"):
        services.record_session(
            user=personas.therapist,
            client=record,
            data=services.SessionInput(date=dt.date(2025, 1, 1), attendance="attended"),
        )
    assert Session.objects.filter(episode__client=record).count() == 2


def test_the_first_day_of_the_episode_is_a_session_day(personas, record) -> None:
    session = services.record_session(
        user=personas.therapist,
        client=record,
        data=services.SessionInput(date=START, attendance="attended"),
    )
    assert session.date == START


def test_a_correction_to_before_the_episode_started_is_refused(personas, record) -> None:
    with pytest.raises(InvalidValue, match="before this episode of care started"):
        corrections.correct_session(
            user=personas.therapist,
            client=record,
            number=1,
            data=services.SessionInput(date=dt.date(2025, 1, 5), attendance="attended"),
            reason="typo",
        )
    assert Session.objects.get(episode__client=record, number=1).date == START


def test_the_session_form_says_so_and_keeps_what_was_typed(
    client: HttpClient, personas, record
) -> None:
    client.force_login(personas.therapist)
    url = reverse("session_new", args=[record.pk])
    page = client.get(url).text
    token = page.split('name="submit_token" value="', 1)[1].split('"', 1)[0]
    data = {"date": "2025-01-01", "attendance": "attended", "completed_by": "therapist"}
    response = client.post(url, {**data, "note": "kept", "submit_token": token})
    assert response.status_code == 200
    assert "is before this episode of care started (2026-01-05)" in response.text
    assert "kept" in response.text


@pytest.mark.parametrize(
    ("ended_on", "problem"),
    [
        (dt.date(2025, 12, 31), "is before the episode started (2026-01-05)"),
        (dt.date(2026, 1, 8), "is before its latest session (2026-01-12)"),
        (dt.date.today() + dt.timedelta(days=30), "is in the future"),
    ],
)
def test_an_episode_cannot_end_before_it_began_or_ahead_of_time(
    personas, record, ended_on: dt.date, problem: str
) -> None:
    with pytest.raises(InvalidValue, match=re.escape(problem)):
        services.end_episode(
            user=personas.therapist, client=record, ended_on=ended_on, reason="completed"
        )
    assert Episode.objects.get(client=record).ended_on is None


def test_an_episode_ends_on_its_last_session_day(personas, record) -> None:
    episode = services.end_episode(
        user=personas.therapist, client=record, ended_on=dt.date(2026, 1, 12), reason="completed"
    )
    assert episode.ended_on == dt.date(2026, 1, 12)


def test_an_ended_episode_suggests_reopening_not_the_next_step_of_therapy(
    personas, make_client
) -> None:
    """The client page of an ended episode still said to consider an impasse review."""
    stuck = make_client("C-ENDS", [PHQ9_SEVERE] * 6)
    before = stuck.next_action
    assert before
    assert not before.startswith("The episode")
    services.end_episode(
        user=personas.therapist, client=stuck, ended_on=dt.date(2026, 2, 9), reason="completed"
    )
    stuck.refresh_from_db()
    assert stuck.next_action.startswith("The episode of care has ended")
    corrections.reopen_episode(user=personas.therapist, client=stuck)
    stuck.refresh_from_db()
    assert stuck.next_action == before


FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()


@pytest.mark.parametrize(
    ("ended_on", "problem"),
    [
        (FUTURE, f"The end date {FUTURE} is in the future"),
        ("2025-12-31", "The end date 2025-12-31 is before the episode started (2026-01-05)"),
    ],
)
def test_the_letter_preview_refuses_the_end_date_the_save_would_refuse(
    client: HttpClient, personas, record, ended_on: str, problem: str
) -> None:
    """The preview said "The episode ends on <a future day>, recorded as 'Referred elsewhere'";
    only the button that writes the letter then refused the date."""
    client.force_login(personas.therapist)
    data = {
        "kind": "referral",
        "recipient": "Community team",
        "ended_on": ended_on,
        "reason": "kept as typed",
        "preview": "1",
    }
    page = client.post(reverse("close", args=[record.pk]), data).text
    assert "Before you close" not in page
    assert "The preview needs a change below." in page
    assert problem in page
    assert f'value="{ended_on}"' in page
    assert "kept as typed" in page
    assert not record.letters.exists()


def test_the_ending_preview_refuses_the_end_date_the_save_would_refuse(
    client: HttpClient, personas, record
) -> None:
    client.force_login(personas.therapist)
    url = reverse("episode_end_preview", args=[record.pk])
    page = client.get(url, {"ended_on": FUTURE, "reason": "completed"}).text
    assert "What will happen" not in page
    assert f"The end date {FUTURE} is in the future" in page
    assert f'value="{FUTURE}"' in page
    assert Episode.objects.get(client=record).ended_on is None
