"""The caseload's "Last session" column: a client who simply stopped coming left no new scores,
so the row said "On track" for ever with nothing to show they had not been seen. The column
gives the last session's date and how long ago it was, and says so in words when that is
longer ago than thresholds.toml's `[last_seen] days` (28) while the episode is open."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from personas import PHQ9_MILD
from unstuck.web.records import services
from unstuck.web.records.instruments import thresholds
from unstuck.web.records.last_seen import ago, last_seen, span


@pytest.fixture(autouse=True)
def fresh_thresholds() -> Iterator[None]:
    thresholds.cache_clear()
    yield
    thresholds.cache_clear()


def cells(http: HttpClient, **query: str) -> dict[str, str]:
    """Each row's "Last session" cell, as a reader sees it."""
    page = http.get(reverse("caseload"), query).content.decode()
    assert "<th>Last session</th>" in page
    found = re.findall(
        r'<tr[^>]*data-client="([^"]+)">.*?data-label="Last session"[^>]*>(.*?)</td>', page, re.S
    )
    return {
        code: re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", cell))).strip()
        for code, cell in found
    }


def test_the_last_session_is_a_date_how_long_ago_and_marked_in_words_when_long_ago(
    client: HttpClient, personas, make_client
) -> None:
    today = timezone.localdate()
    away = make_client("C-LS1", [PHQ9_MILD], start=today - dt.timedelta(days=35))
    make_client("C-LS2", [PHQ9_MILD], start=today - dt.timedelta(days=3))
    make_client("C-LS3", [PHQ9_MILD], start=today - dt.timedelta(days=28))  # not over yet
    ended = make_client("C-LS4", [PHQ9_MILD], start=today - dt.timedelta(days=60))
    services.end_episode(user=personas.therapist, client=ended, ended_on=today, reason="completed")
    services.create_client(therapist=personas.therapist, code="C-LS5", started_on=today)
    client.force_login(personas.therapist)
    found = cells(client)
    assert away.status == "insufficient_data"  # one score: nothing else says they are away
    day = today - dt.timedelta(days=35)
    assert found["C-LS1"] == f"{day:%Y-%m-%d} 5 weeks ago No session for over 4 weeks"
    assert found["C-LS2"] == f"{today - dt.timedelta(days=3):%Y-%m-%d} 3 days ago"
    assert found["C-LS3"] == f"{today - dt.timedelta(days=28):%Y-%m-%d} 4 weeks ago"
    assert found["C-LS5"] == "none yet"
    assert "C-LS4" not in found  # an ended episode leaves the active caseload
    day = today - dt.timedelta(days=60)
    assert cells(client, status="ended")["C-LS4"] == f"{day:%Y-%m-%d} 8 weeks ago"  # no mark


def test_the_threshold_comes_from_the_thresholds_file(
    client: HttpClient, personas, make_client, settings, tmp_path: Path
) -> None:
    shipped = (resources.files("unstuck.progress") / "thresholds.toml").read_text("utf-8")
    assert "\ndays = 28\n" in shipped
    own = tmp_path / "thresholds.toml"
    own.write_text(shipped.replace("\ndays = 28\n", "\ndays = 42\n"))
    today = timezone.localdate()
    make_client("C-LS6", [PHQ9_MILD], start=today - dt.timedelta(days=35))
    make_client("C-LS7", [PHQ9_MILD], start=today - dt.timedelta(days=50))
    settings.THRESHOLDS_FILE = str(own)
    thresholds.cache_clear()
    client.force_login(personas.therapist)
    found = cells(client)
    assert "No session for" not in found["C-LS6"]
    assert found["C-LS7"].endswith("7 weeks ago No session for over 6 weeks")


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (0, "today"),
        (1, "yesterday"),
        (13, "13 days ago"),
        (14, "2 weeks ago"),
        (62, "8 weeks ago"),
        (63, "2 months ago"),
        (400, "13 months ago"),
        (800, "2 years ago"),
        (-2, "in 2 days"),
    ],
)
def test_how_long_ago_in_words(days: int, words: str) -> None:
    assert ago(days) == words


def test_the_threshold_in_words_and_no_mark_without_a_session() -> None:
    assert span(28) == "4 weeks"
    assert span(7) == "1 week"
    assert span(30) == "30 days"
    today = dt.date(2026, 6, 1)
    assert last_seen(None, today, ended=False).mark == ""
    assert last_seen(dt.date(2026, 4, 1), today, ended=True).mark == ""
    assert last_seen(dt.date(2026, 4, 1), today, ended=False).mark == "No session for over 4 weeks"


def test_answering_from_home_is_not_a_session_held(
    client: HttpClient, personas, make_client
) -> None:
    """A client last seen five weeks ago who answers the questionnaires from home today
    showed "Last session: today", hiding that they have stopped coming."""
    today = timezone.localdate()
    away = make_client("C-LS6", [PHQ9_MILD], start=today - dt.timedelta(days=35))
    services.record_client_answers(
        client=away, session_number=2, answers={"phq9": PHQ9_MILD}, on=today
    )
    client.force_login(personas.therapist)
    day = today - dt.timedelta(days=35)
    assert cells(client)["C-LS6"] == f"{day:%Y-%m-%d} 5 weeks ago No session for over 4 weeks"
