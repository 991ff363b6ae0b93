"""Words for people: flags, statuses, badges, errors and sources in plain words on screen and in
documents, while the codes stay in the CLI's JSON."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE, PLAN_REVIEW, make_admin, visible_text
from unstuck.cli import main
from unstuck.errors import InvalidValue
from unstuck.impasse import default_knowledge
from unstuck.impasse.model import SEED_FILES
from unstuck.impasse.sources import sources
from unstuck.progress.signals import FLAGS
from unstuck.web import vocabulary
from unstuck.web.reviews import services
from unstuck.web.reviews.models import ClosureLetter, Review

CODE = re.compile(r"\b(not_on_track|withdrawal_risk|alliance_rupture|off_track|at_risk|on_track)\b")
SAFETY = [1, 1, 1, 1, 1, 1, 0, 0, 2]  # item 9 above 0


def test_every_flag_the_core_raises_has_words() -> None:
    for code in FLAGS:
        assert code in vocabulary.FLAGS, code
        assert "_" not in vocabulary.FLAGS[code]
    assert vocabulary.plain("not_on_track") == "Not on the expected course"
    assert vocabulary.plain("off_track") == "Off track"


def test_form_errors_name_the_thing_in_words_not_the_column() -> None:
    text = vocabulary.error_text(InvalidValue("safety_checked", False, "Confirm safety first."))
    assert text == "Confirm safety first."
    text = vocabulary.error_text(InvalidValue("attendance", "maybe", "is not a kind of attendance"))
    assert text == "Attendance 'maybe' is not a kind of attendance."
    assert "column" not in vocabulary.error_text(InvalidValue("phq9.item_9", 7, "out of range"))


@pytest.fixture
def flagged(make_client, personas):
    """Worse at every session, with a safety answer at the last: several flags at once."""
    client = make_client("C-900", [PHQ9_MILD, PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_SEVERE, SAFETY])
    services.add_goal(user=personas.therapist, client=client, text="Sleep through the night")
    return client


def test_the_caseload_client_page_and_documents_show_no_codes(
    client: HttpClient, personas, flagged
) -> None:
    assert flagged.flags  # the record does carry codes
    client.force_login(personas.therapist)
    pages = {
        "caseload": client.get(reverse("caseload")),
        "client": client.get(reverse("client", args=[flagged.pk])),
        "consultation": client.get(reverse("consultation", args=[flagged.pk])),
    }
    for name, response in pages.items():
        text = visible_text(response.content.decode())
        assert not CODE.search(text), (name, CODE.search(text))
    caseload = visible_text(pages["caseload"].content.decode())
    assert vocabulary.FLAGS[flagged.flags[-1]] in caseload
    consultation = visible_text(pages["consultation"].content.decode())
    assert "Safety answer: Safety answer:" not in re.sub(r"\s+", " ", consultation)


def test_a_letter_has_no_rule_text_and_keeps_the_risk_answer(
    client: HttpClient, personas, flagged
) -> None:
    client.force_login(personas.therapist)
    client.post(
        reverse("close", args=[flagged.pk]),
        {
            "kind": "referral",
            "ended_on": "2026-03-01",
            "recipient": "Community service",
            "safety_considered": "on",  # the risk answer raised an alert that is still open
        },
    )
    letter = ClosureLetter.objects.get()
    html = client.get(reverse("letter", args=[flagged.pk, letter.pk])).content.decode()
    text = visible_text(html)
    for internal in ("(rule:", "PROVISIONAL", "Unstuck default", "NCCMH"):
        assert internal not in text, internal
    assert "question about risk above 0" in text  # never hidden from the next clinician
    assert "PHQ-9" in text
    assert "at session 1" in text
    assert "door here stays open" in text


def test_every_seed_has_a_title_and_strategies_cite_titles_not_files(
    client: HttpClient, personas, make_client
) -> None:
    assert set(sources()) == set(SEED_FILES)
    assert sources()["004_fecda28de006f0a0.txt"].title == "How Do You Handle a Therapeutic Impasse?"
    stuck = make_client("C-901", [[2, 2, 2, 2, 2, 2, 1, 1, 0]] * 5)
    client.force_login(personas.therapist)
    data = {f"rating__{r}": "0" for r in default_knowledge().reasons}
    client.post(reverse("review_new", args=[stuck.pk]), {**data, "rating__ambivalence": "3"})
    review = Review.objects.get()
    page = client.get(reverse("review", args=[review.pk])).content.decode()
    assert ".txt" not in visible_text(page)
    client.post(
        reverse("review", args=[review.pk]),
        {"strategies": ["revisit_goals"], "review_on": PLAN_REVIEW},
    )
    detail = visible_text(client.get(reverse("client", args=[stuck.pk])).content.decode())
    assert "Plan made " in detail  # its badges: status then and now, in words
    assert not CODE.search(detail), CODE.search(detail)
    titles = [s.citation for s in sources().values()]
    assert any(f"Source: {t}" in page or f"Sources: {t}" in page for t in titles)


def test_the_cli_json_keeps_the_codes(tmp_path, capsys) -> None:
    rows = ["client_id,occasion,instrument,score"] + [
        f"C-1,{i},phq9,{s}" for i, s in enumerate([10, 14, 18, 22, 24], start=1)
    ]
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n")
    assert main(["analyze", str(tmp_path / "c.csv")]) == 0
    out = json.loads(capsys.readouterr().out)
    record = out[0] if isinstance(out, list) else out
    assert "deterioration" in json.dumps(record)


def test_the_administration_screens_name_clinics_and_portal_settings_in_words(personas) -> None:
    """The clinics list had a column "SYNTHETIC", the portal settings "Expiry days" and
    "Reminder days"."""
    admin = HttpClient()
    admin.force_login(make_admin("root", personas.clinic))
    clinics = visible_text(admin.get(reverse("admin:accounts_clinic_changelist")).content.decode())
    assert "Demo data (made up)" in clinics
    assert "Synthetic" not in clinics
    form = visible_text(admin.get(reverse("admin:portal_portalsettings_add")).content.decode())
    assert "Links expire after (days)" in form
    assert "Reminder after (days)" in form
    assert "Expiry days" not in form
    assert "Reminder days" not in form
