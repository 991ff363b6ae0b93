"""Any instrument: the therapist chooses per client which questionnaires are measured, from
the built-ins and the clinic's uploads, and the session form follows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD
from unstuck.errors import InvalidValue
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.instruments.models import ClinicInstrument
from unstuck.web.records import corrections
from unstuck.web.records.instruments import reload_instruments
from unstuck.web.records.models import MeasureResponse

CUSTOM = """
id = "wellbeing5"
name = "Wellbeing-5 (clinic licensed)"
description = "A made-up five-item scale used to test clinic definitions."
higher_is_better = true
license = "Licensed to the clinic; item text is a placeholder."
options = [{value = 0, label = "Never"}, {value = 1, label = "Sometimes"}]
items = [
  {number = 1, text = "Item one placeholder"},
  {number = 2, text = "Item two placeholder"},
  {number = 3, text = "Item three placeholder"},
  {number = 4, text = "Item four placeholder"},
  {number = 5, text = "Item five placeholder"},
]
"""


@pytest.fixture(autouse=True)
def uploaded(db: None) -> Iterator[None]:
    ClinicInstrument.objects.create(
        instrument_id="wellbeing5", name="Wellbeing-5", filename="w.toml", definition=CUSTOM
    )
    reload_instruments()
    yield
    reload_instruments()


def test_the_session_form_follows_the_chosen_instruments(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-901", [PHQ9_MILD])
    client.force_login(personas.therapist)
    form = client.get(reverse("client_instruments", args=[record.pk])).content.decode()
    assert "Wellbeing-5 (clinic licensed)" in form
    before = client.get(reverse("session_new", args=[record.pk])).content.decode()
    assert 'id="block-phq9"' in before
    assert 'id="block-wellbeing5"' not in before
    response = client.post(
        reverse("client_instruments", args=[record.pk]), {"instruments": ["wellbeing5", "phq9"]}
    )
    assert response.status_code == 302
    after = client.get(reverse("session_new", args=[record.pk])).content.decode()
    assert 'id="block-wellbeing5"' in after
    assert 'id="block-gad7"' not in after
    answers = {f"wellbeing5__item_{n}": "1" for n in range(1, 6)}
    saved = client.post(
        reverse("session_new", args=[record.pk]),
        {"date": "2026-01-20", "attendance": "attended", "completed_by": "client", **answers},
    )
    assert saved.status_code == 302
    assert MeasureResponse.objects.get(instrument="wellbeing5").total == 5
    chosen = AuditEntry.objects.get(action="choose_instruments")
    assert chosen.detail == "Wellbeing-5 (clinic licensed), PHQ-9"  # names, not ids
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "Questionnaires at each session: Wellbeing-5 (clinic licensed), PHQ-9." in page


def test_an_unknown_or_empty_choice_is_refused(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-902", [PHQ9_MILD])
    client.force_login(personas.therapist)
    url = reverse("client_instruments", args=[record.pk])
    assert client.post(url, {"instruments": ["nope"]}).status_code == 200
    assert client.post(url, {}).status_code == 200
    with pytest.raises(InvalidValue):
        corrections.choose_instruments(user=personas.therapist, client=record, instrument_ids=[])
    with pytest.raises(InvalidValue):
        corrections.choose_instruments(
            user=personas.therapist, client=record, instrument_ids=["nope"]
        )
    record.refresh_from_db()
    assert record.instruments == []


def test_colleague_404_supervisor_403(client: HttpClient, personas, make_client) -> None:
    record = make_client("C-903", [PHQ9_MILD])
    url = reverse("client_instruments", args=[record.pk])
    client.force_login(personas.colleague)
    assert client.post(url, {"instruments": ["phq9"]}).status_code == 404
    client.force_login(personas.supervisor)
    assert client.post(url, {"instruments": ["phq9"]}).status_code == 403


RISKY = [1, 1, 1, 1, 1, 1, 0, 0, 1]  # item 9 answered 1: a safety alert stays open


def warnings_after_choosing(http: HttpClient, record, chosen: list[str]) -> list[str]:
    response = http.post(
        reverse("client_instruments", args=[record.pk]), {"instruments": chosen}, follow=True
    )
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def test_leaving_out_every_safety_question_warns_after_saving(
    client: HttpClient, personas, make_client
) -> None:
    """Choosing only questionnaires without a safety question took PHQ-9 item 9 off the
    session form in silence."""
    record = make_client("C-904", [PHQ9_MILD])
    client.force_login(personas.therapist)
    (warning,) = warnings_after_choosing(client, record, ["wellbeing5", "gad7"])
    assert "None of the questionnaires chosen for C-904 asks about safety now" in warning
    assert "the session form will no longer ask about it" in warning
    assert "choose PHQ-9 under 'Choose questionnaires'" in warning
    assert "waiting for a check-in" not in warning  # no alert is open
    # choosing again without it, or with a safety question kept, says nothing more
    assert warnings_after_choosing(client, record, ["wellbeing5"]) == []
    assert warnings_after_choosing(client, record, ["phq9", "wellbeing5"]) == []


def test_the_warning_says_so_when_a_safety_answer_is_still_open(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-905", [RISKY])
    client.force_login(personas.therapist)
    (warning,) = warnings_after_choosing(client, record, ["gad7"])
    assert "asks about safety now" in warning
    assert "A safety answer is still waiting for a check-in" in warning
    assert "until you record the safety check" in warning
