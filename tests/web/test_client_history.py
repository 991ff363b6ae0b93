"""The client page's history table: one row per session that counts, latest first, with
each questionnaire's score (or a dash), a safety answer marked, the notes, and a link to
correct the session only for the person who may."""

from __future__ import annotations

import re

from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE


def history_rows(page: str) -> list[list[str]]:
    table = re.search(r'aria-labelledby="history".*?<tbody>(.*?)</tbody>', page, re.S)
    assert table, "no history table"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def test_rows_show_scores_dashes_safety_and_who_may_correct(
    client: HttpClient, personas, make_client
) -> None:
    risky = [*PHQ9_SEVERE[:8], 2]  # item 9 answered 2
    person = make_client(
        "C-HIST",
        [PHQ9_SEVERE, None, risky],
        attendance=["attended", "no_show", "attended"],
    )
    url = reverse("client", args=[person.pk])

    client.force_login(personas.therapist)
    page = client.get(url).content.decode()
    rows = history_rows(page)
    assert [r[0] for r in rows] == ["3", "2", "1"]  # latest first
    assert rows[0][1:4] == ["2026-01-19", "Attended", "22 Safety answer"]
    assert rows[1][2:4] == ["Did not attend", "\u2013"]  # no questionnaire at a missed session
    assert rows[2][3] == "20"
    for number in (1, 2, 3):
        link = reverse("session_correct", args=[person.pk, number])
        assert f'href="{link}"' in page

    client.force_login(personas.supervisor)  # sees the record, corrects nothing
    page = client.get(url).content.decode()
    assert "/correct/" not in page
    assert [r[0] for r in history_rows(page)] == ["3", "2", "1"]


def test_a_mild_score_is_shown_as_a_whole_number(client, personas, make_client) -> None:
    person = make_client("C-MILD", [PHQ9_MILD])
    client.force_login(personas.therapist)
    rows = history_rows(client.get(reverse("client", args=[person.pk])).content.decode())
    assert rows == [["1", "2026-01-05", "Attended", "6", "", "Correct"]]


def test_a_score_with_a_blank_item_says_it_is_estimated(client, personas, make_client) -> None:
    """One PHQ-9 item left blank: the total is prorated (7 answered -> 8) and the page said
    only '8', as if every item had been answered."""
    one_blank = [1, 1, None, 1, 1, 1, 1, 1, 0]
    person = make_client("C-BLANK", [PHQ9_MILD, one_blank])
    client.force_login(personas.therapist)
    rows = history_rows(client.get(reverse("client", args=[person.pk])).content.decode())
    assert rows[0][3] == "8 (estimated: 1 item blank)"
    assert rows[1][3] == "6"
