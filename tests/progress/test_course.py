"""The expected-course model: fitting recovers known parameters; the band is calibrated."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from unstuck.progress.config import default_course_models, load_course_models
from unstuck.progress.course import CourseModel, fit_course, models_to_toml

TRUE = CourseModel(
    instrument="phq9",
    center=15.0,
    slope=-3.0,
    slope_by_baseline=-0.2,
    residual_sd=2.5,
    slope_sd=1.5,
    higher_is_better=False,
    source="simulation",
)


def simulate(clients: int, sessions: int, seed: int) -> pl.DataFrame:
    """Data drawn from the model itself, written independently of `fit_course`."""
    rng = np.random.default_rng(seed)
    first = rng.normal(15.0, 4.0, clients)
    slope = TRUE.slope + TRUE.slope_by_baseline * (first - TRUE.center)
    slope = slope + rng.normal(0.0, TRUE.slope_sd, clients)
    t = np.arange(1, sessions + 1)
    y = first[:, None] + slope[:, None] * np.log(t)[None, :]
    y[:, 1:] += rng.normal(0.0, TRUE.residual_sd, (clients, sessions - 1))
    return pl.DataFrame(
        {
            "client_id": np.repeat([f"S{i}" for i in range(clients)], sessions),
            "occasion": np.tile(t, clients),
            "total": y.ravel(),
        }
    )


def test_fit_recovers_the_parameters_it_was_simulated_with() -> None:
    model = fit_course(simulate(4000, 10, seed=11), "phq9", seed=3)
    print(model)
    assert model.slope == pytest.approx(TRUE.slope, abs=0.08)
    assert model.slope_by_baseline == pytest.approx(TRUE.slope_by_baseline, abs=0.02)
    assert model.residual_sd == pytest.approx(TRUE.residual_sd, rel=0.1)
    assert model.slope_sd == pytest.approx(TRUE.slope_sd, rel=0.15)
    assert model.coverage == pytest.approx(0.80, abs=0.02)
    assert model.center == pytest.approx(15.0, abs=0.3)


def test_fit_refuses_too_few_clients() -> None:
    with pytest.raises(ValueError, match="at least 50 are needed"):
        fit_course(simulate(20, 5, seed=1), "phq9")


def test_expected_score_and_limit_by_hand() -> None:
    # first 18 at session 5: 18 + (-3 - 0.2 * 3) * ln 5 = 18 - 3.6 * 1.6094 = 12.206
    assert TRUE.expected(18, 5) == pytest.approx(18 - 3.6 * math.log(5))
    spread = math.sqrt(2.5**2 + (1.5 * math.log(5)) ** 2)
    assert TRUE.limit(18, 5, 0.975) == pytest.approx(
        TRUE.expected(18, 5) + 1.959964 * spread, abs=1e-4
    )
    assert TRUE.limit(18, 1, 0.5) == pytest.approx(18.0)


def test_fitted_models_round_trip_through_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = fit_course(simulate(500, 6, seed=5), "phq9")
    path = tmp_path / "models.toml"
    path.write_text(models_to_toml([model]))
    loaded = load_course_models(path)["phq9"]
    assert loaded == model


def test_the_shipped_defaults_name_their_source() -> None:
    models = default_course_models()
    assert set(models) == {"phq9", "gad7"}
    assert all("NHS Talking Therapies" in m.source for m in models.values())


@pytest.mark.parametrize(
    ("slope", "by_baseline", "words"),
    [
        (-3.1, -0.15, "expected to fall a further 0.35 points by session 10"),
        (-3.1, 0.15, "expected to fall 0.35 points less by session 10"),
        (2.0, 0.2, "expected to rise a further 0.46 points by session 10"),
        (2.0, -0.2, "expected to rise 0.46 points less by session 10"),
        (0.0, -0.15, "expected to fall 0.35 points by session 10"),
        (-3.1, 0.001, "expected to change by about the same by session 10"),
    ],
)
def test_the_start_term_is_described_in_points_by_session_10(
    slope: float, by_baseline: float, words: str
) -> None:
    """It said 'with a further -0.35 for each point higher at the start'."""
    from dataclasses import replace

    model = replace(TRUE, slope=slope, slope_by_baseline=by_baseline)
    text = model.describe("PHQ-9")
    assert f"; a client starting a point higher is {words}. Scores vary" in text
    assert "for each point higher" not in text


def test_a_course_with_no_start_term_is_the_same_whatever_the_first_score() -> None:
    """A clinic scale's default course has none: it said 'a client whose first score is 0.0'."""
    from dataclasses import replace

    text = replace(TRUE, slope_by_baseline=0.0).describe("BDI")
    assert text.startswith("BDI: a client, whatever their first score, is expected to score ")
    assert "first score is" not in text
    assert "a point higher" not in text


@pytest.mark.parametrize(
    ("coverage", "verdict"),
    [
        (0.62, "That is below the 80% the band aims for: the band is too narrow"),
        (0.75, "That is below the 80% the band aims for"),
        (0.78, "That is close to the 80% the band aims for: the band fits this clinic's data."),
        (0.84, "That is close to the 80% the band aims for"),
        (0.93, "That is above the 80% the band aims for: the band is wider than this clinic's"),
    ],
)
def test_the_held_out_coverage_gets_a_verdict(coverage: float, verdict: str) -> None:
    """It printed '62% of scores inside the 80% band (ideal 80%)' and left the reader to
    judge; the margins are in course_defaults.toml ([_fit])."""
    from dataclasses import replace

    model = replace(TRUE, clients=64, rows=64, coverage=coverage, rmse=3.3, last_session=12)
    text = model.describe("PHQ-9")
    assert f"{coverage:.0%} of scores inside the 80% band, RMSE 3.30 points. {verdict}" in text
    assert "by session 4 and" in text  # the data reach past session 10
    assert "by session 10" in text
    assert "This clinic's data reach session 12" in text
