"""A clinic's own expected course (from `unstuck fit`) and thresholds, in the web app.

UNSTUCK_MODELS_FILE and UNSTUCK_THRESHOLDS_FILE replace the shipped ones: the status of every
client is computed with them, and the client page says which expected course is in use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from unstuck.errors import UnstuckError
from unstuck.progress.config import default_course_models
from unstuck.progress.course import models_to_toml
from unstuck.web.commands import check_detection_settings
from unstuck.web.records.instruments import course_models, thresholds

PHQ9_12 = [2, 2, 1, 1, 2, 1, 1, 2, 0]  # total 12
PHQ9_13 = [2, 2, 2, 1, 2, 1, 1, 2, 0]  # total 13, clearly in the clinical range


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    course_models.cache_clear()
    thresholds.cache_clear()
    yield
    course_models.cache_clear()
    thresholds.cache_clear()


@pytest.fixture
def strict_models(tmp_path: Path) -> Path:
    """A PHQ-9 course that expects fast improvement with little spread (as if fitted)."""
    fitted = replace(
        default_course_models()["phq9"],
        slope=-6.0,
        residual_sd=1.0,
        slope_sd=0.5,
        source="fitted on this clinic's data (321 clients)",
        clients=321,
        rows=2400,
        coverage=0.81,
        rmse=3.2,
    )
    path = tmp_path / "models.toml"
    path.write_text(models_to_toml([fitted]))
    return path


def test_the_shipped_course_is_used_and_named_by_default(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-500", [PHQ9_12, PHQ9_12, PHQ9_12, PHQ9_12])
    assert "not_on_track" not in record.flags
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert "Expected course in use" in page
    assert (
        "PHQ-9: a client whose first score is 15.0 is expected to score 4.3 points lower by "
        "session 4" in page
    )
    assert "a client starting a point higher is expected to fall a further 0.35 points" in page
    assert "not fitted on patient data" in page
    # The change table writes numbers as the sentences do: 12 and 0, not 12.0 and 0.0.
    assert (
        '<td data-label="First">12 moderate</td><td data-label="Latest">12 moderate</td>'
        '<td data-label="Change">0</td><td data-label="Scores">4</td>'
    ) in page


def test_the_clinics_fitted_course_sets_the_status_and_is_shown(
    client: HttpClient, settings, personas, make_client, strict_models: Path
) -> None:
    settings.MODELS_FILE = str(strict_models)
    record = make_client("C-501", [PHQ9_12, PHQ9_12, PHQ9_12, PHQ9_12])
    assert record.status == "off_track"
    assert "not_on_track" in record.flags
    assert any("fitted on this clinic's data (321 clients)" in e for e in record.explanations)
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert (
        "is expected to score 8.3 points lower by session 4 and 13.8 points lower by session 10"
        in page
    )
    assert "Fitted on 321 clients (2400 scores after the first)" in page
    assert "81% of scores inside the 80% band" in page
    # An instrument the clinic's file lacks keeps its shipped course.
    assert course_models()["gad7"] == default_course_models()["gad7"]


def test_the_clinics_thresholds_apply(settings, tmp_path: Path, make_client) -> None:
    shipped = (resources.files("unstuck.progress") / "thresholds.toml").read_text()
    strict = tmp_path / "thresholds.toml"
    strict.write_text(shipped.replace("min_sessions = 6", "min_sessions = 3"))
    # Moderate (13): the shipped plateau needs 6 scores, the clinic's 3.
    assert "plateau" not in make_client("C-502", [PHQ9_13] * 3).flags
    settings.THRESHOLDS_FILE = str(strict)
    thresholds.cache_clear()
    assert "plateau" in make_client("C-503", [PHQ9_13] * 3).flags


@pytest.mark.django_db  # the start reads the clinic's uploaded instruments too
def test_a_bad_file_stops_the_start_with_its_name(settings, tmp_path: Path) -> None:
    broken = tmp_path / "models.toml"
    broken.write_text("[phq9]\nslope = -3.0\n")
    settings.MODELS_FILE = str(broken)
    with pytest.raises(UnstuckError, match=r"models\.toml"):
        check_detection_settings()
