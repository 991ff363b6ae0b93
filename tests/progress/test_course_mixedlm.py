"""The two-stage expected-course fit against an independent mixed model (statsmodels MixedLM).

Model fitted by MixedLM, for the change from the first score d = y_s - y_1 at sessions s > 1::

    d_ij = slope * x_ij + slope_by_baseline * (y_1i - center) * x_ij + u_i * x_ij + e_ij
    x_ij = log(s_ij),  u_i ~ N(0, slope_sd^2),  e_ij ~ N(0, residual_sd^2)

i.e. no intercept (d is 0 at the first session), fixed effects for log(session) and its
interaction with the centred first score, and a random slope on log(session) per client
(``re_formula="0 + x"``). `fit_course` estimates the fixed effects by pooled least squares and
the variances from the spread of prediction errors; on data from this model both estimators
must agree on the fixed effects and give a comparable spread of the prediction band.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from test_course import TRUE, simulate

from unstuck.progress.course import fit_course


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return simulate(600, 8, seed=21)


def test_fixed_effects_agree_with_mixedlm(data) -> None:  # type: ignore[no-untyped-def]
    ours = fit_course(data, "phq9", holdout=0.0, seed=1)
    frame = pd.DataFrame({c: data[c].to_list() for c in data.columns})
    first = frame.groupby("client_id")["total"].transform("first")
    frame = frame.assign(
        x=np.log(frame["occasion"]), d=frame["total"] - first, b=first - ours.center
    )
    frame = frame[frame["occasion"] > 1]
    mixed = smf.mixedlm("d ~ 0 + x + b:x", frame, groups="client_id", re_formula="0 + x").fit(
        reml=True
    )
    assert mixed.fe_params["x"] == pytest.approx(ours.slope, abs=0.1)
    assert mixed.fe_params["b:x"] == pytest.approx(ours.slope_by_baseline, abs=0.02)
    assert ours.slope == pytest.approx(TRUE.slope, abs=0.15)

    # The band: the predicted SD of a score at session 8 from both sets of variances.
    x8 = math.log(8)
    mixed_sd = math.sqrt(mixed.scale + float(mixed.cov_re.iloc[0, 0]) * x8**2)
    true_sd = math.sqrt(TRUE.residual_sd**2 + (TRUE.slope_sd * x8) ** 2)
    assert ours.spread(8) == pytest.approx(mixed_sd, rel=0.1)
    assert mixed_sd == pytest.approx(true_sd, rel=0.1)
