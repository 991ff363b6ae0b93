"""Participant-by-participant agreement with the R package clinicalsignificance.

The peer outputs (clinicalsignificance 2.1.0.9000 by Benedikt Claus; Claus et al., 2024,
J Stat Softw 111(1)) are read in place from the peer folder (see ``conftest.peer_dir``) and
never copied into this repository. Their README states how each file was computed; every
test below first checks that the README still says so, then recomputes from the raw data
with our functions and compares each participant: RCI to 1e-9, the category and every flag
exactly, and the summary counts the README states. The R calls correspond to::

    cs_distribution(claus_2020, id, time, hamd, pre = 1, post = 4, reliability = 0.80)
    cs_combined(claus_2020, id, time, hamd, pre = 1, post = 4, reliability = 0.80,
                m_functional = 8, sd_functional = 8, cutoff_type = "c")
    cs_distribution(claus_2020, id, time, bdi, pre = 1, post = 4, reliability = 0.90)
    cs_combined(jacobson_1989, subject, time, das, pre = "pre", post = "post",
                reliability = 0.80, m_functional = 114.8, sd_functional = 17.8,
                better_is = "higher", cutoff_type = "c")

Data: 43 depressed inpatients (Claus, Scherbaum & Bonnet, 2020, Psychother Psychosom
89(4)); the 30 couples of Jacobson et al. (1989), the data of Jacobson & Truax (1991,
Table 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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

# The peer's flag columns and category labels, and ours.
LABELS = {
    "recovered": "Recovered",
    "improved": "Improved",
    "unchanged": "Unchanged",
    "deteriorated": "Deteriorated",
    "harmed": "Harmed",
}


@dataclass(frozen=True)
class Case:
    """One peer file and how the README says it was computed."""

    peer_file: str
    raw_file: str
    id_column: str
    outcome: str
    pre: int | str
    post: int | str
    reliability: float
    higher_is_better: bool
    functional: Norm | None  # None: reliable change only (cs_distribution)
    readme_says: tuple[str, ...]  # phrases of the README that fix the parameters above
    pre_sd: float  # as stated in the README (4 decimals)
    cutoff_c: float | None  # as stated in the README (4 decimals)
    counts: dict[str, int]  # as stated in the README


CASES = [
    Case(
        peer_file="peer_claus2020_hamd_jt.csv",
        raw_file="claus_2020.csv",
        id_column="id",
        outcome="hamd",
        pre=1,
        post=4,
        reliability=0.80,
        higher_is_better=False,
        functional=None,
        readme_says=(
            "Jacobson-Truax reliable change, hamd, pre = time 1, post =\n  time 4, "
            "reliability 0.80, SD of pre = sample SD of the 40 complete cases (3.3401)",
            "Summary: 29 improved, 10 unchanged, 1 deteriorated.",
        ),
        pre_sd=3.3401,
        cutoff_c=None,
        counts={"improved": 29, "unchanged": 10, "deteriorated": 1},
    ),
    Case(
        peer_file="peer_claus2020_hamd_combined_c.csv",
        raw_file="claus_2020.csv",
        id_column="id",
        outcome="hamd",
        pre=1,
        post=4,
        reliability=0.80,
        higher_is_better=False,
        functional=Norm(8.0, 8.0),
        readme_says=(
            "JT combined with cutoff c, functional population\n  mean 8, SD 8 "
            "(cutoff c = 19.8870). Summary: 26 recovered, 3 improved, 10 unchanged,\n"
            "  1 deteriorated, 0 harmed.",
        ),
        pre_sd=3.3401,
        cutoff_c=19.8870,
        counts={"recovered": 26, "improved": 3, "unchanged": 10, "deteriorated": 1, "harmed": 0},
    ),
    Case(
        peer_file="peer_claus2020_bdi_jt.csv",
        raw_file="claus_2020.csv",
        id_column="id",
        outcome="bdi",
        pre=1,
        post=4,
        reliability=0.90,
        higher_is_better=False,
        functional=None,
        readme_says=(
            "JT on bdi, reliability 0.90 (pre SD 8.1586):\n  20 improved, 17 unchanged, "
            "3 deteriorated.",
        ),
        pre_sd=8.1586,
        cutoff_c=None,
        counts={"improved": 20, "unchanged": 17, "deteriorated": 3},
    ),
    Case(
        peer_file="peer_jacobson1989_das_combined_c.csv",
        raw_file="jacobson_1989.csv",
        id_column="subject",
        outcome="das",
        pre="pre",
        post="post",
        reliability=0.80,
        higher_is_better=True,
        functional=Norm(114.8, 17.8),
        readme_says=(
            "DAS, higher is better, reliability 0.80,\n  functional mean 114.8, SD 17.8, "
            "cutoff c (94.8424; pre SD 11.8257): 13 recovered, 3 improved,\n  13 unchanged, "
            "1 deteriorated, 0 harmed.",
        ),
        pre_sd=11.8257,
        cutoff_c=94.8424,
        counts={"recovered": 13, "improved": 3, "unchanged": 13, "deteriorated": 1, "harmed": 0},
    ),
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_readme_states_the_rules_we_reproduce(peer_dir: Path) -> None:
    readme = _squash((peer_dir / "README.md").read_text(encoding="utf-8"))
    assert "|RCI| > 1.96 strictly" in readme
    assert "reliably improved and moved across the cutoff from the clinical to the" in readme
    assert "one row per participant with complete pre and post" in readme


def pre_post(raw: pd.DataFrame, case: Case) -> pd.DataFrame:
    """One row per participant with both the pre and the post score, as the peer used."""
    rows = raw[raw["time"].isin([case.pre, case.post])]
    wide = rows.pivot(index=case.id_column, columns="time", values=case.outcome)
    wide = wide.dropna(subset=[case.pre, case.post])
    return pd.DataFrame(
        {
            "id": wide.index.to_numpy(),
            "pre": wide[case.pre].to_numpy(dtype=float),
            "post": wide[case.post].to_numpy(dtype=float),
        }
    )


@pytest.mark.parametrize("case", CASES, ids=[c.peer_file for c in CASES])
def test_we_reproduce_the_peer_participant_by_participant(peer_dir: Path, case: Case) -> None:
    readme = _squash((peer_dir / "README.md").read_text(encoding="utf-8"))
    for phrase in case.readme_says:
        assert _squash(phrase) in readme, f"the peer README no longer says: {phrase!r}"

    data = pre_post(pd.read_csv(peer_dir / case.raw_file), case)
    peer = pd.read_csv(peer_dir / case.peer_file)
    # The same participants, in the same order, with the same scores.
    assert data["id"].tolist() == peer["id"].tolist()
    np.testing.assert_array_equal(data["pre"], peer["pre"])
    np.testing.assert_array_equal(data["post"], peer["post"])

    sd = float(data["pre"].std(ddof=1))
    assert sd == pytest.approx(case.pre_sd, abs=5e-5)
    cutoff = None
    if case.functional is not None:
        clinical = Norm(float(data["pre"].mean()), sd)
        cutoff = jt_cutoffs(clinical, case.functional).c
        assert case.cutoff_c is not None
        assert cutoff == pytest.approx(case.cutoff_c, abs=1e-4)
    criteria = ChangeCriteria.from_reliability(
        sd=sd,
        reliability=case.reliability,
        cutoff=cutoff,
        higher_is_better=case.higher_is_better,
        source="peer",
    )

    pre, post = data["pre"].to_numpy(), data["post"].to_numpy()
    rci = reliable_change_index(pre, post, sd=sd, reliability=case.reliability)
    np.testing.assert_allclose(rci, peer["rci"].to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(post - pre, peer["change"])

    results = [classify_change(a, b, criteria) for a, b in zip(pre, post, strict=True)]
    flags = [c for c in LABELS if c in peer.columns]
    mismatches = []
    for row, result in zip(peer.itertuples(index=False), results, strict=True):
        ours = {flag: result.category == flag for flag in flags}
        if case.functional is None:
            ours = {flag: result.reliable_change == flag for flag in flags}
        theirs = {flag: bool(getattr(row, flag)) for flag in flags}
        if LABELS[result.category] != row.category or ours != theirs:
            mismatches.append((row.id, row.rci, row.category, result.category, ours, theirs))
    assert not mismatches, mismatches

    # The vectorised path gives the same verdicts.
    many = classify_changes(pre, post, criteria)
    direction = {"improved": 1, "unchanged": 0, "deteriorated": -1}
    assert many.direction.tolist() == [direction[r.reliable_change] for r in results]
    if cutoff is not None:
        assert many.reliably_recovered.tolist() == [r.category == "recovered" for r in results]

    counts = pd.Series([r.category for r in results]).value_counts().to_dict()
    assert {k: counts.get(k, 0) for k in case.counts} == case.counts
    assert sum(case.counts.values()) == len(peer)


@pytest.mark.parametrize("case", CASES, ids=[c.peer_file for c in CASES])
def test_the_rows_near_the_boundary_are_exercised(peer_dir: Path, case: Case) -> None:
    """Rows whose |RCI| is close to 1.96 are where a careless comparison goes wrong; make sure
    the fixtures contain some (e.g. +-1.9185 on the BDI) and that each is judged as the peer
    judged it."""
    peer = pd.read_csv(peer_dir / case.peer_file)
    near = peer[(peer["rci"].abs() - 1.96).abs() < 0.1]
    assert len(near) > 0
    data = pre_post(pd.read_csv(peer_dir / case.raw_file), case)
    sd = float(data["pre"].std(ddof=1))
    criteria = ChangeCriteria.from_reliability(
        sd=sd,
        reliability=case.reliability,
        cutoff=None,
        higher_is_better=case.higher_is_better,
        source="peer",
    )
    for row in near.itertuples(index=False):
        result = classify_change(row.pre, row.post, criteria)
        assert (result.reliable_change == "unchanged") == (abs(row.rci) <= 1.96), row
