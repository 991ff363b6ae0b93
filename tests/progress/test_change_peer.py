"""Per-participant agreement with the R package clinicalsignificance on its real datasets.

The peer outputs (Claus, clinicalsignificance 2.1.0.9000; Claus et al., 2024, J Stat Softw
111(1)) are read in place from ``../shared/peer/clinicalsignificance`` and never copied into
this repository. Their README states how each file was computed; we recompute from the raw
data with our own functions and compare participant by participant. In R, for example::

    cs_distribution(claus_2020, id, time, hamd, pre = 1, post = 4, reliability = 0.80)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from unstuck.measures.model import Norm
from unstuck.progress import (
    ChangeCriteria,
    classify_change,
    classify_changes,
    jt_cutoffs,
    reliable_change_index,
)

CANDIDATES = [
    os.environ.get("UNSTUCK_PEER_DIR", ""),
    str(Path(__file__).resolve().parents[2] / ".." / "shared" / "peer" / "clinicalsignificance"),
    "/work/shared/peer/clinicalsignificance",
]


@pytest.fixture(scope="module")
def peer() -> Path:
    for candidate in CANDIDATES:
        if candidate and (Path(candidate) / "README.md").is_file():
            return Path(candidate)
    pytest.fail(
        "peer results not found; set UNSTUCK_PEER_DIR to shared/peer/clinicalsignificance "
        f"(looked in: {', '.join(c for c in CANDIDATES if c)})"
    )


def pre_post(raw: pd.DataFrame, idcol: str, timecol: str, score: str, pre, post) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    wide = raw.pivot(index=idcol, columns=timecol, values=score)
    wide = wide[[pre, post]].dropna()
    return pd.DataFrame({"id": wide.index, "pre": wide[pre].values, "post": wide[post].values})


def check_jt(
    peer_rows: pd.DataFrame, data: pd.DataFrame, criteria: ChangeCriteria, sd: float, r: float
) -> None:
    merged = peer_rows.merge(data, on="id", suffixes=("_peer", ""))
    assert len(merged) == len(peer_rows), "every peer participant is in our pre/post table"
    np.testing.assert_array_equal(merged["pre"], merged["pre_peer"])
    np.testing.assert_array_equal(merged["post"], merged["post_peer"])
    ours = reliable_change_index(
        merged["pre"].to_numpy(), merged["post"].to_numpy(), sd=sd, reliability=r
    )
    np.testing.assert_allclose(ours, merged["rci"].to_numpy(), rtol=0, atol=1e-9)
    categories = [
        classify_change(a, b, criteria).category.capitalize()
        for a, b in zip(merged["pre"], merged["post"], strict=True)
    ]
    assert categories == merged["category"].tolist()
    arrays = classify_changes(merged["pre"].to_numpy(), merged["post"].to_numpy(), criteria)
    labels = np.array(["Deteriorated", "Unchanged", "Improved"])[arrays.direction + 1]
    plain = [c if c in ("Improved", "Unchanged", "Deteriorated") else None for c in categories]
    for ours_label, peer_label in zip(labels, plain, strict=True):
        if peer_label is not None:
            assert ours_label == peer_label


def test_claus_2020_hamd_jacobson_truax(peer: Path) -> None:
    raw = pd.read_csv(peer / "claus_2020.csv")
    data = pre_post(raw, "id", "time", "hamd", 1, 4)
    sd = data["pre"].std(ddof=1)
    assert sd == pytest.approx(3.3401, abs=5e-5)  # as stated in the peer README
    criteria = ChangeCriteria.from_reliability(
        sd=sd, reliability=0.80, cutoff=None, higher_is_better=False, source="peer"
    )
    rows = pd.read_csv(peer / "peer_claus2020_hamd_jt.csv")
    check_jt(rows, data, criteria, sd, 0.80)
    assert rows["category"].value_counts().to_dict() == {
        "Improved": 29,
        "Unchanged": 10,
        "Deteriorated": 1,
    }


def test_claus_2020_bdi_jacobson_truax(peer: Path) -> None:
    raw = pd.read_csv(peer / "claus_2020.csv")
    data = pre_post(raw, "id", "time", "bdi", 1, 4)
    sd = data["pre"].std(ddof=1)
    assert sd == pytest.approx(8.1586, abs=5e-5)
    criteria = ChangeCriteria.from_reliability(
        sd=sd, reliability=0.90, cutoff=None, higher_is_better=False, source="peer"
    )
    rows = pd.read_csv(peer / "peer_claus2020_bdi_jt.csv")
    check_jt(rows, data, criteria, sd, 0.90)
    counts = pd.Series(
        [
            classify_change(a, b, criteria).reliable_change
            for a, b in zip(data.pre, data.post, strict=True)
        ]
    ).value_counts()
    assert counts.to_dict() == {"improved": 20, "unchanged": 17, "deteriorated": 3}


def test_claus_2020_hamd_combined_with_cutoff_c(peer: Path) -> None:
    raw = pd.read_csv(peer / "claus_2020.csv")
    data = pre_post(raw, "id", "time", "hamd", 1, 4)
    sd = data["pre"].std(ddof=1)
    cutoffs = jt_cutoffs(Norm(data["pre"].mean(), sd), Norm(8.0, 8.0))
    assert cutoffs.c == pytest.approx(19.8870, abs=1e-4)
    criteria = ChangeCriteria.from_reliability(
        sd=sd, reliability=0.80, cutoff=cutoffs.c, higher_is_better=False, source="peer"
    )
    rows = pd.read_csv(peer / "peer_claus2020_hamd_combined_c.csv")
    check_jt(rows, data, criteria, sd, 0.80)
    assert rows["category"].value_counts().to_dict() == {
        "Recovered": 26,
        "Improved": 3,
        "Unchanged": 10,
        "Deteriorated": 1,
    }


def test_jacobson_1989_das_higher_is_better(peer: Path) -> None:
    raw = pd.read_csv(peer / "jacobson_1989.csv")
    data = pre_post(raw, "subject", "time", "das", "pre", "post")
    sd = data["pre"].std(ddof=1)
    assert sd == pytest.approx(11.8257, abs=5e-5)
    cutoffs = jt_cutoffs(Norm(data["pre"].mean(), sd), Norm(114.8, 17.8))
    assert cutoffs.c == pytest.approx(94.8424, abs=1e-4)
    criteria = ChangeCriteria.from_reliability(
        sd=sd, reliability=0.80, cutoff=cutoffs.c, higher_is_better=True, source="peer"
    )
    rows = pd.read_csv(peer / "peer_jacobson1989_das_combined_c.csv")
    check_jt(rows, data, criteria, sd, 0.80)
    assert rows["category"].value_counts().to_dict() == {
        "Unchanged": 13,
        "Recovered": 13,
        "Improved": 3,
        "Deteriorated": 1,
    }
