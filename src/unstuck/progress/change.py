"""Reliable and clinically significant change (Jacobson & Truax, 1991; NHS Talking Therapies).

Two questions are asked of a pair of scores, first and last:

- Is the change bigger than measurement error alone would plausibly produce? Either a
  published threshold in points (NHS Talking Therapies: PHQ-9 6, GAD-7 4; a change *of at
  least* the threshold counts) or the reliable change index
  ``RCI = (last - first) / S_diff`` with ``S_diff = sqrt(2) * SD * sqrt(1 - r)``, reliable
  when ``|RCI| > 1.96`` (strictly, as the R package clinicalsignificance does).
- Did the client move from the clinical to the non-clinical range? A case is a score at or
  beyond the cutoff on the clinical side (PHQ-9 >= 10, as in NHS Talking Therapies). When
  only norms are known, Jacobson & Truax's cutoff c lies between the clinical and functional
  means, weighted by their SDs.

"Recovered" follows NHS Talking Therapies: a case at the first score and not a case at the
last. "Reliably recovered" also needs reliable improvement. Jacobson & Truax's "recovered"
category is our reliably recovered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np

from unstuck.measures.model import Instrument, Norm

RELIABLE_Z = 1.96
ReliableChange = Literal["improved", "deteriorated", "unchanged"]
# Scores are sums of whole numbers and thresholds are computed in floating point; a tiny
# tolerance keeps "6 points is at least 6" true whatever the rounding.
_EPS = 1e-9


def standard_error_of_difference(sd: float, reliability: float) -> float:
    """S_diff = sqrt(2 * SE**2) with SE = sd * sqrt(1 - reliability) (Jacobson & Truax, 1991)."""
    if not 0 < reliability < 1 or not sd > 0:
        raise ValueError("need 0 < reliability < 1 and sd > 0")
    return math.sqrt(2.0) * sd * math.sqrt(1.0 - reliability)


def reliable_change_index(
    pre: float | np.ndarray, post: float | np.ndarray, *, sd: float, reliability: float
) -> float | np.ndarray:
    """(post - pre) / S_diff for numbers or numpy arrays. Positive means the score rose."""
    result: float | np.ndarray = np.subtract(post, pre) / standard_error_of_difference(
        sd, reliability
    )
    return result


@dataclass(frozen=True)
class Cutoffs:
    a: float  # 2 SD beyond the clinical mean, towards the functional side
    b: float  # 2 SD beyond the functional mean, towards the clinical side
    c: float  # between the two means, weighted by the SDs


def jt_cutoffs(clinical: Norm, functional: Norm) -> Cutoffs:
    """Jacobson & Truax (1991) cutoffs a, b and c from clinical and functional norms."""
    if clinical.mean == functional.mean:
        raise ValueError("clinical and functional means are equal; no cutoff separates them")
    toward = 1.0 if functional.mean > clinical.mean else -1.0
    return Cutoffs(
        a=clinical.mean + toward * 2 * clinical.sd,
        b=functional.mean - toward * 2 * functional.sd,
        c=(clinical.sd * functional.mean + functional.sd * clinical.mean)
        / (clinical.sd + functional.sd),
    )


@dataclass(frozen=True)
class ChangeCriteria:
    threshold: float
    inclusive: bool
    cutoff: float | None
    higher_is_better: bool
    rule: str  # a plain sentence quoting the numbers, for explanations

    @classmethod
    def from_points(
        cls, points: float, *, cutoff: float | None, higher_is_better: bool, source: str
    ) -> ChangeCriteria:
        rule = f"a change of {_num(points)} or more points counts as reliable ({source})"
        return cls(
            points, True, cutoff, higher_is_better, _with_cutoff(rule, cutoff, higher_is_better)
        )

    @classmethod
    def from_reliability(
        cls,
        *,
        sd: float,
        reliability: float,
        cutoff: float | None,
        higher_is_better: bool,
        source: str,
    ) -> ChangeCriteria:
        threshold = RELIABLE_Z * standard_error_of_difference(sd, reliability)
        rule = (
            f"a change of more than {threshold:.2f} points counts as reliable (Jacobson & "
            f"Truax reliable change index with reliability {_num(reliability)} and SD "
            f"{_num(sd)}; {source})"
        )
        return cls(
            threshold, False, cutoff, higher_is_better, _with_cutoff(rule, cutoff, higher_is_better)
        )

    def is_case(self, score: float) -> bool | None:
        """In the clinical range? At or beyond the cutoff on the clinical side."""
        if self.cutoff is None:
            return None
        return score <= self.cutoff if self.higher_is_better else score >= self.cutoff

    def is_reliable(self, change: float) -> bool:
        size = abs(change)
        if self.inclusive:
            return size >= self.threshold - _EPS
        return size > self.threshold + _EPS * max(1.0, self.threshold)


def _num(x: float) -> str:
    return f"{x:g}"


def _with_cutoff(rule: str, cutoff: float | None, higher_is_better: bool) -> str:
    if cutoff is None:
        return rule
    side = "or less" if higher_is_better else "or more"
    return f"{rule}; a score of {_num(round(cutoff, 2))} {side} is in the clinical range"


@cache  # instruments are frozen; signals ask for the same criteria client after client
def criteria_for(instrument: Instrument) -> ChangeCriteria | None:
    """The change criteria an instrument's definition gives, or None if it gives none."""
    spec = instrument.change
    cutoff = spec.caseness_cutoff
    if cutoff is None and spec.clinical_norm and spec.functional_norm:
        cutoff = jt_cutoffs(spec.clinical_norm, spec.functional_norm).c
    source = spec.source.split(":")[0] if spec.source else instrument.name
    if spec.reliable_change_points is not None:
        return ChangeCriteria.from_points(
            spec.reliable_change_points,
            cutoff=cutoff,
            higher_is_better=instrument.higher_is_better,
            source=source,
        )
    if spec.reliability is not None and spec.sd is not None:
        return ChangeCriteria.from_reliability(
            sd=spec.sd,
            reliability=spec.reliability,
            cutoff=cutoff,
            higher_is_better=instrument.higher_is_better,
            source=source,
        )
    return None


@dataclass(frozen=True)
class ChangeResult:
    first: float
    last: float
    change: float
    reliable_change: ReliableChange
    case_at_first: bool | None
    case_at_last: bool | None
    recovered: bool | None
    reliably_recovered: bool | None
    category: str  # recovered, improved, unchanged, deteriorated, harmed (Jacobson & Truax)


def classify_change(first: float, last: float, criteria: ChangeCriteria) -> ChangeResult:
    change = last - first
    better = -change if not criteria.higher_is_better else change
    reliable: ReliableChange = "unchanged"
    if criteria.is_reliable(change):
        reliable = "improved" if better > 0 else "deteriorated"
    case_first, case_last = criteria.is_case(first), criteria.is_case(last)
    recovered = reliably = None
    category: str = reliable
    if case_first is not None:
        if case_first:
            recovered = not case_last
            reliably = recovered and reliable == "improved"
            if reliably:
                category = "recovered"
        elif case_last and reliable == "deteriorated":
            category = "harmed"
    return ChangeResult(
        first, last, change, reliable, case_first, case_last, recovered, reliably, category
    )


@dataclass(frozen=True)
class ChangeArrays:
    change: np.ndarray
    direction: np.ndarray  # int8: +1 reliably improved, -1 reliably deteriorated, 0 unchanged
    case_at_first: np.ndarray
    case_at_last: np.ndarray
    recovered: np.ndarray  # meaningful only where case_at_first
    reliably_recovered: np.ndarray
    has_cutoff: bool


def classify_changes(first: np.ndarray, last: np.ndarray, criteria: ChangeCriteria) -> ChangeArrays:
    """`classify_change` for whole arrays at once."""
    first = np.asarray(first, dtype=np.float64)
    last = np.asarray(last, dtype=np.float64)
    change = last - first
    size = np.abs(change)
    if criteria.inclusive:
        reliable = size >= criteria.threshold - _EPS
    else:
        reliable = size > criteria.threshold + _EPS * max(1.0, criteria.threshold)
    better = change if criteria.higher_is_better else -change
    direction = np.where(reliable, np.where(better > 0, 1, -1), 0).astype(np.int8)
    if criteria.cutoff is None:
        false = np.zeros(first.shape, dtype=bool)
        return ChangeArrays(change, direction, false, false, false, false, False)
    if criteria.higher_is_better:
        case_first, case_last = first <= criteria.cutoff, last <= criteria.cutoff
    else:
        case_first, case_last = first >= criteria.cutoff, last >= criteria.cutoff
    recovered = case_first & ~case_last
    return ChangeArrays(
        change, direction, case_first, case_last, recovered, recovered & (direction == 1), True
    )
