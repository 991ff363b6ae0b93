"""The two-stage expected-course fit against an independent mixed model (statsmodels MixedLM).

Model fitted by MixedLM, for the change from the first score d = y_s - y_1 at sessions s > 1
(s counted from the client's first scored session)::

    d_ij = slope * x_ij + slope_by_baseline * (y_1i - center) * x_ij + u_i * x_ij + e_ij
    x_ij = log(s_ij),  u_i ~ N(0, slope_sd^2),  e_ij ~ N(0, residual_sd^2)

i.e. no intercept (d is 0 at the first session), fixed effects for log(session) and its
interaction with the centred first score, and a random slope on log(session) per client::

    smf.mixedlm("d ~ 0 + x + b:x", frame, groups="client_id", re_formula="0 + x").fit(reml=True)

This is the model of `unstuck.progress.course` (see its docstring). `fit_course` estimates the
fixed effects by pooled least squares and the variances from the spread of prediction errors
per session; MixedLM by restricted maximum likelihood. Expectations, with the tolerances used:

- Data drawn from the model itself (`test_course.simulate`): fixed effects agree within 0.1
  (slope) and 0.02 (per baseline point), and the predicted SD of a score agrees within 10% at
  every session 2-8 (both also with the true values).
- A synthetic clinic without dropout (course types, clipping to 0-27 and noise on the first
  score, i.e. not the model exactly): fixed effects agree within 0.05 and 0.01 (half a
  MixedLM standard error); the band SD agrees within 5% on average over sessions 2-10. Per
  session the random-slope-only MixedLM band is narrower early and wider late, because the
  first score's own error enters every d_ij as a shared per-client constant that this model
  can only express through the slope; adding a random intercept (``re_formula="1 + x"``)
  brings it within 5% of `fit_course`'s band at every session.
- A synthetic clinic with its default dropout, which is more common among clients who are
  not helped: pooled least squares weights the clients who stay, and comes out 0.15-0.25
  points per unit of log(session) steeper than MixedLM, whose likelihood is valid when
  dropout depends on observed scores (missing at random). `fit_course` therefore refines the
  pooled fit by generalised least squares under the model's random slope (each client's
  weight levels off as its sessions grow, as in the mixed model), which brings it within 0.1
  of MixedLM, and always closer than pooled least squares.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.formula.api as smf
from test_course import TRUE, simulate

from unstuck.analysis.csvinput import check_observations
from unstuck.measures import load_instruments
from unstuck.progress.course import CourseModel, fit_course
from unstuck.synth import ClinicParameters, generate_long_table


def mixed_design(data: pl.DataFrame, center: float) -> pd.DataFrame:
    """d, x = log(session from the first score) and the centred first score b, sessions > 1."""
    scored = data.filter(pl.col("total").is_not_null())
    frame = pd.DataFrame({c: scored[c].to_list() for c in ("client_id", "occasion", "total")})
    by_client = frame.groupby("client_id")
    session = frame["occasion"] - by_client["occasion"].transform("min") + 1
    first = by_client["total"].transform("first")
    frame = frame.assign(
        session=session, x=np.log(session), d=frame["total"] - first, b=first - center
    )
    return frame[frame["session"] > 1]


def fit_mixed(frame: pd.DataFrame, re_formula: str = "0 + x") -> object:
    return smf.mixedlm("d ~ 0 + x + b:x", frame, groups="client_id", re_formula=re_formula).fit(
        reml=True
    )


def mixed_sd(fit: object, session: int) -> float:
    """Predicted SD of a score at `session` from MixedLM's variance components."""
    x = math.log(session)
    cov = np.asarray(fit.cov_re)  # type: ignore[attr-defined]
    scale = float(fit.scale)  # type: ignore[attr-defined]
    if cov.shape == (1, 1):
        return math.sqrt(scale + cov[0, 0] * x**2)
    return math.sqrt(scale + cov[0, 0] + 2 * cov[0, 1] * x + cov[1, 1] * x**2)


@cache
def synthetic_phq9(seed: int, dropout_share: float) -> pl.DataFrame:
    clinic = generate_long_table(
        ClinicParameters(
            clients=600,
            occasions=10,
            instruments=("phq9",),
            dropout_share=dropout_share,
            seed=seed,
        )
    )
    text = clinic.observations.with_columns(pl.all().cast(pl.String))
    return check_observations(text, load_instruments()).frame.select(
        "client_id", "occasion", "total"
    )


def both(data: pl.DataFrame) -> tuple[CourseModel, object]:
    ours = fit_course(data, "phq9", holdout=0.0, seed=1)
    return ours, fit_mixed(mixed_design(data, ours.center))


def test_on_data_from_the_model_both_agree_with_each_other_and_the_truth() -> None:
    ours, mixed = both(simulate(600, 8, seed=21))
    fe = mixed.fe_params  # type: ignore[attr-defined]
    print(f"fit_course {ours.slope:.3f} {ours.slope_by_baseline:.4f}; MixedLM\n{fe}")
    assert fe["x"] == pytest.approx(ours.slope, abs=0.1)
    assert fe["b:x"] == pytest.approx(ours.slope_by_baseline, abs=0.02)
    assert ours.slope == pytest.approx(TRUE.slope, abs=0.15)
    for session in range(2, 9):
        assert ours.spread(session) == pytest.approx(mixed_sd(mixed, session), rel=0.1)
        assert mixed_sd(mixed, session) == pytest.approx(TRUE.spread(session), rel=0.1)


@pytest.mark.parametrize("seed", [3, 8])
def test_on_a_synthetic_clinic_without_dropout_the_fixed_effects_agree(seed: int) -> None:
    data = synthetic_phq9(seed, dropout_share=0.0)
    ours, mixed = both(data)
    fe, se = mixed.fe_params, mixed.bse  # type: ignore[attr-defined]
    print(f"seed {seed}: fit_course {ours.slope:.3f} {ours.slope_by_baseline:.4f}; MixedLM\n{fe}")
    assert fe["x"] == pytest.approx(ours.slope, abs=0.05)
    assert fe["b:x"] == pytest.approx(ours.slope_by_baseline, abs=0.01)
    assert se["x"] > 2 * 0.05  # the tolerance is under half a standard error

    sessions = range(2, 11)
    ratios = [ours.spread(s) / mixed_sd(mixed, s) for s in sessions]
    assert float(np.mean(ratios)) == pytest.approx(1.0, abs=0.05)
    with_intercept = fit_mixed(mixed_design(data, ours.center), re_formula="1 + x")
    for s in sessions:
        assert ours.spread(s) == pytest.approx(mixed_sd(with_intercept, s), rel=0.05)


@pytest.mark.parametrize("seed", [3, 8])
def test_with_informative_dropout_fit_course_stays_close_to_the_mixed_model(seed: int) -> None:
    data = synthetic_phq9(seed, dropout_share=0.2)
    ours, mixed = both(data)
    fe = mixed.fe_params  # type: ignore[attr-defined]
    design = mixed_design(data, ours.center)
    x = design["x"].to_numpy()
    pooled, *_ = np.linalg.lstsq(
        np.column_stack([x, design["b"].to_numpy() * x]), design["d"].to_numpy(), rcond=None
    )
    print(
        f"seed {seed}: fit_course {ours.slope:.3f}, MixedLM {fe['x']:.3f}, pooled {pooled[0]:.3f}"
    )
    assert 0.1 < fe["x"] - pooled[0] < 0.3  # the bias of pooled least squares
    assert abs(fe["x"] - ours.slope) < 0.1
    assert abs(fe["x"] - ours.slope) < abs(fe["x"] - pooled[0]) / 2
    assert fe["b:x"] == pytest.approx(ours.slope_by_baseline, abs=0.02)
    assert ours.spread(10) > 5
