"""The administrator adds a clinic instrument; it is checked by the core loader first."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD
from unstuck.measures.definition_schema import instrument_schema
from unstuck.web.instruments.models import ClinicInstrument
from unstuck.web.records.instruments import instruments, reload_instruments

CUSTOM = """
id = "wellbeing5"
name = "Wellbeing-5 (clinic licensed)"
description = "A made-up five-item scale used to test clinic definitions."
higher_is_better = true
license = "Licensed to the clinic; item text is a placeholder."
safety_items = [5]
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
def fresh_instruments() -> Iterator[None]:
    reload_instruments()
    yield
    reload_instruments()


def upload(client: HttpClient, text: str, name: str = "wellbeing5.toml"):
    file = SimpleUploadedFile(name, text.encode(), content_type="application/toml")
    return client.post(reverse("instruments"), {"definition": file})


def test_it_adds_a_valid_definition(
    client: HttpClient, personas, django_capture_on_commit_callbacks
) -> None:
    client.force_login(personas.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, CUSTOM)
    assert response.status_code == 302
    assert ClinicInstrument.objects.get().instrument_id == "wellbeing5"
    assert "wellbeing5" in instruments()
    assert instruments().origin("wellbeing5") == "the uploaded file wellbeing5.toml"
    listing = client.get(reverse("instruments")).content.decode()
    assert "Wellbeing-5 (clinic licensed)" in listing


def test_an_upload_stored_by_another_server_process_is_used_from_the_next_request(
    client: HttpClient, personas, make_client
) -> None:
    """`unstuck serve` runs several processes: the one that took the upload reloads at once,
    and the others must not go on refusing the new instrument until a restart."""
    record = make_client("C-950", [PHQ9_MILD])
    assert "wellbeing5" not in instruments()  # this process has loaded its instruments
    ClinicInstrument.objects.create(  # as stored by another process: nothing reloads here
        instrument_id="wellbeing5", name="Wellbeing-5", filename="w.toml", definition=CUSTOM
    )
    client.force_login(personas.therapist)
    url = reverse("client_instruments", args=[record.pk])
    assert "Wellbeing-5 (clinic licensed)" in client.get(url).content.decode()
    chosen = client.post(url, {"instruments": ["wellbeing5", "phq9"]})
    assert chosen.status_code == 302
    record.refresh_from_db()
    assert record.instruments == ["wellbeing5", "phq9"]


def test_a_broken_definition_names_the_place_and_stores_nothing(client: HttpClient, personas):
    client.force_login(personas.administrator)
    response = upload(client, CUSTOM.replace("higher_is_better = true", "higher_is_better = 3"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "wellbeing5.toml at higher_is_better" in body
    assert not ClinicInstrument.objects.exists()


def test_a_file_nested_thousands_deep_is_refused_on_the_page_not_a_server_error(
    client: HttpClient, personas
) -> None:
    client.force_login(personas.administrator)
    response = upload(client, "a = " + "[" * 5000 + "]" * 5000, "deep.toml")
    assert response.status_code == 200
    assert "deep.toml: is not valid TOML here: its lists or tables are nested" in html.unescape(
        response.content.decode()
    )
    assert not ClinicInstrument.objects.exists()


def test_a_definition_cannot_replace_a_built_in(client: HttpClient, personas) -> None:
    client.force_login(personas.administrator)
    body = upload(client, CUSTOM.replace('id = "wellbeing5"', 'id = "phq9"')).content.decode()
    assert "is already defined by a built-in instrument" in body
    assert not ClinicInstrument.objects.exists()


def test_an_id_already_uploaded_is_refused_naming_the_upload(
    client: HttpClient, personas, django_capture_on_commit_callbacks
) -> None:
    """It read "'wellbeing5' is already defined by uploaded: wellbeing5.toml"."""
    client.force_login(personas.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, CUSTOM)
    again = upload(client, CUSTOM.replace("Item one", "Item 1"), "wellbeing5-v2.toml")
    assert (
        "wellbeing5-v2.toml at id: &#x27;wellbeing5&#x27; is already defined by the uploaded "
        "file wellbeing5.toml; a definition cannot replace another one"
    ) in again.content.decode()
    assert ClinicInstrument.objects.count() == 1


def test_only_administrators_manage_instruments(client: HttpClient, personas) -> None:
    client.force_login(personas.therapist)
    assert client.get(reverse("instruments")).status_code == 403
    assert upload(client, CUSTOM).status_code == 403
    assert not ClinicInstrument.objects.exists()


def test_an_instrument_exports_as_a_fhir_questionnaire(client: HttpClient, personas) -> None:
    client.force_login(personas.therapist)
    response = client.get(reverse("instrument_fhir", args=["phq9"]))
    data = response.json()
    assert data["resourceType"] == "Questionnaire"
    assert len(data["item"][0]["item"]) == 9  # one group (the stem) holding the 9 items
    assert client.get(reverse("instrument_fhir", args=["nope"])).status_code == 404


def test_the_upload_help_says_what_the_file_holds_and_how_to_correct_one(
    client: HttpClient, personas, django_capture_on_commit_callbacks
) -> None:
    """It said only "see docs/instruments.md in the source", which an installed package does
    not hold, and nothing said that an added definition is corrected under a new id."""
    client.force_login(personas.administrator)
    page = client.get(reverse("instruments")).content.decode()
    found = re.search(r'id="id_definition_helptext">(.*?)</div>', page, re.S)
    assert found, page
    help_text = html.unescape(found[1])
    assert "in the source)" not in help_text
    named = re.search(r"a TOML file: (.*?), then its items", help_text)
    assert named, help_text
    assert re.split(r", | and ", named[1]) == instrument_schema()["required"]
    assert "add a corrected version under a new id" in help_text
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, CUSTOM)
        corrected = CUSTOM.replace("wellbeing5", "wellbeing5_v2").replace("one placeholder", "1")
        assert upload(client, corrected, "wellbeing5_v2.toml").status_code == 302
    assert instruments()["wellbeing5_v2"].items[0].text == "Item 1"
    assert "wellbeing5" in instruments()  # scores recorded under the first keep it
