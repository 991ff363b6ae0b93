"""One name per flag wherever a person reads it: the caseload, the client page (at a glance,
the explanations and the charts' keys), an impasse review and the consultation summary.

The same flag was 'Strain in the working relationship' on the caseload, 'Possible rupture'
in its explanation and 'alliance concern' on the chart; 'Not on the expected course' was
'Not on track:'; 'Getting worse' was 'Deterioration:'; 'Progress has levelled off' was
'Plateau:'."""

from __future__ import annotations

import html
import re

from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE, visible_text
from unstuck.progress.wording import FLAG_NAMES
from unstuck.web.reviews import services

FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, moderate: a plateau after six sessions
OLD_NAMES = (
    "Deterioration",
    "Not on track",
    "not-on-track",
    "Plateau",
    "Possible rupture",
    "Possible strain",
    "alliance concern",
    "Early response",
)


def words(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return re.sub(r"\s+", " ", html.unescape(visible_text(response.content.decode())))


def test_each_flag_has_one_name_on_every_page(client: HttpClient, personas, make_client) -> None:
    worse = make_client(
        "C-FN1",
        [PHQ9_MILD, PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_SEVERE],
        feedback=[[9, 9, 9, 9], [9, 9, 9, 9], [9, 9, 9, 9], [5, 5, 5, 5]],
    )
    stuck = make_client("C-FN2", [FLAT] * 6)
    assert {"deterioration", "not_on_track", "alliance_rupture"} <= set(worse.flags)
    assert "plateau" in stuck.flags
    client.force_login(personas.therapist)
    caseload = words(client.get(reverse("caseload")))
    for record in (worse, stuck):
        review = services.open_review(
            user=personas.therapist, client=record, ratings={"goals_misfit": (1, "")}
        )
        pages = {
            "caseload": caseload,
            "client": words(client.get(reverse("client", args=[record.pk]))),
            "review": words(client.get(reverse("review", args=[review.pk]))),
            "consultation": words(client.get(reverse("consultation", args=[record.pk]))),
        }
        for name, text in pages.items():
            for old in OLD_NAMES:
                assert old not in text, (record.code, name, old)
            for flag in record.flags:
                assert FLAG_NAMES[flag] in text, (record.code, name, flag)
        for explained in ("client", "consultation"):  # each explanation is led by the name
            for flag in record.flags:
                assert f"{FLAG_NAMES[flag]}: " in pages[explained], (explained, flag)
    client_page = words(client.get(reverse("client", args=[worse.pk])))
    assert "line past which a score is not on the expected course" in client_page
    assert "strain in the working relationship at 30 or below" in client_page
