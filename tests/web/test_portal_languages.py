"""The client picks the language of the questions: an instrument definition may carry the
clinic's translation; answers in any language are stored and scored alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from portal_helpers import answer_page, make_request

from calm_form import FORM, SPANISH
from personas import PHQ9_SEVERE
from unstuck.web.records.instruments import reload_instruments


@pytest.fixture
def calm_form(settings, tmp_path: Path) -> Iterator[None]:
    (tmp_path / "calm.toml").write_text(FORM.format(translation=SPANISH))
    settings.INSTRUMENTS_DIR = str(tmp_path)
    reload_instruments()
    yield
    settings.INSTRUMENTS_DIR = ""
    reload_instruments()


def test_the_client_answers_in_the_language_they_pick(
    client: HttpClient, personas, make_client, calm_form
) -> None:
    record = make_client("C-450", [PHQ9_SEVERE])
    _, secret = make_request(personas.therapist, record, ("calm",))
    client.get(reverse("portal_link", args=[secret]))
    start = client.get(reverse("portal_start")).content.decode()
    assert 'href="?lang=es" lang="es">Español</a>' in start
    assert 'aria-current="true">English</a>' in start
    english = client.get(reverse("portal_step", args=[1])).content.decode()
    assert "feel calm?" in english
    assert client.get(reverse("portal_start") + "?lang=es").status_code == 302
    assert 'lang="es" aria-current="true">Español' in client.get(reverse("portal_start")).text
    spanish = client.get(reverse("portal_step", args=[1])).content.decode()
    assert '<span lang="es">¿se sintió en calma?</span>' in spanish
    assert '<span lang="es">A veces</span>' in spanish
    assert '<p class="stem" lang="es">Esta semana' in spanish
    assert '<html lang="en-gb">' in spanish  # the pages' own words stay English (no catalog)
    assert "Send my answers" in spanish
    answer_page(client, 1, [2, 0, 1])
    stored = record.episodes.get().sessions.get(number=2).responses.get(instrument="calm")
    assert (stored.total, stored.completed_by) == (3, "client")  # scored as in English


def test_a_language_not_offered_falls_back_to_the_forms_own_words(
    client: HttpClient, personas, make_client, calm_form
) -> None:
    record = make_client("C-451", [PHQ9_SEVERE])
    # PHQ-9 has no Spanish here, so a set with it offers no language to choose.
    _, secret = make_request(personas.therapist, record, ("calm", "phq9"))
    client.get(reverse("portal_link", args=[secret]))
    assert "?lang=es" not in client.get(reverse("portal_start")).content.decode()
    client.get(reverse("portal_start") + "?lang=es")
    assert "feel calm?" in client.get(reverse("portal_step", args=[1])).content.decode()
