"""Reliable and clinically significant change (Jacobson & Truax, 1991; NHS Talking Therapies).

Two questions are asked of a pair of scores, the first and the last:

1. **Is the change bigger than measurement error alone would plausibly produce?** Either a
   published threshold in points (NHS Talking Therapies: PHQ-9 6, GAD-7 4; a change *of at
   least* the threshold counts), or Jacobson & Truax's reliable change index
   ``RCI = (last - first) / S_diff`` with ``S_diff = sqrt(2 * (SD * sqrt(1 - r))**2)``,
   reliable when ``|RCI| > 1.96`` (strictly, as the R package clinicalsignificance does).
2. **Did the client move from the clinical to the non-clinical range?** A *case* is a score at
   or beyond the cutoff on the clinical side (PHQ-9 >= 10, GAD-7 >= 8, as in NHS Talking
   Therapies). When only norms are known, Jacobson & Truax's cutoff c lies between the
   clinical and functional means, weighted by their SDs.

"Recovered" follows NHS Talking Therapies: a case at the first score and not a case at the
last. "Reliably recovered" also needs reliable improvement; it is what Jacobson & Truax (and
clinicalsignificance) call the "recovered" category.

Everything here is pure: numbers in, frozen dataclasses out. The rules are written once
(`ChangeCriteria.is_reliable` and `ChangeCriteria.in_clinical_range`, for numbers, numpy arrays
and polars expressions alike); `classify_changes` applies them to whole caseloads and
`classify_change` is that same function on one pair of scores.

References
----------
Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to
defining meaningful change in psychotherapy research. Journal of Consulting and Clinical
Psychology, 59(1), 12-19. https://doi.org/10.1037/0022-006X.59.1.12

Christensen, L., & Mendoza, J. L. (1986). A method of assessing change in a single subject:
An alteration of the RC index. Behavior Therapy, 17, 305-308.

Evans, C., Margison, F., & Barkham, M. (1998). The contribution of reliable and clinically
significant change methods to evidence-based mental health. Evidence-Based Mental Health,
1, 70-72. https://doi.org/10.1136/ebmh.1.3.70

National Collaborating Centre for Mental Health (2024). NHS Talking Therapies for anxiety and
depression manual. (Reliable change: PHQ-9 >= 6, GAD-7 >= 4 points; caseness: PHQ-9 >= 10,
GAD-7 >= 8.)

Claus, B. B., et al. (2024). The R package clinicalsignificance. Journal of Statistical
Software, 111(1); version 2.1.0.9000 is the peer used in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, overload

import numpy as np
import polars as pl
from numpy.typing import NDArray

from unstuck.errors import InvalidDefinition
from unstuck.measures.model import Instrument, Norm

RELIABLE_Z: float = 1.96
"""Two-sided 5% critical value of the standard normal used by Jacobson & Truax (1991)."""

ReliableChange = Literal["improved", "deteriorated", "unchanged"]
# By direction + 1 (-1 deteriorated, 0 unchanged, +1 improved), as `ChangeArrays` holds it.
KINDS: tuple[ReliableChange, ReliableChange, ReliableChange] = (
    "deteriorated",
    "unchanged",
    "improved",
)

# Thresholds are compared with differences of scores that carry floating-point noise
# (10.3 - 4.3 is 6.000000000000001, 10.2 - 4.2 is 5.999999999999999). A change within this
# many points of the threshold is treated as exactly at it: it counts under an inclusive rule
# and does not under a strict one. It is far below any difference a questionnaire can show.
_EPS = 1e-9


def standard_error_of_difference(sd: float, reliability: float) -> float:
    """Standard error of the difference between two scores, ``S_diff``.

    ``SE = sd * sqrt(1 - reliability)`` is the standard error of measurement of one score;
    the difference of two independent errors has ``S_diff = sqrt(2 * SE**2)``
    (Christensen & Mendoza, 1986; Jacobson & Truax, 1991).

    Parameters
    ----------
    sd : float
        Standard deviation of the scores, conventionally of the pre-treatment (clinical)
        sample or of a published clinical norm. Must be > 0.
    reliability : float
        Reliability of the instrument, 0 < r < 1: internal consistency (Cronbach's alpha) or
        test-retest correlation. Which one to use is a judgement; alpha is closer to the
        classical test theory behind the formula (Evans, Margison & Barkham, 1998).

    Returns
    -------
    float
        ``S_diff`` in score points.

    Raises
    ------
    ValueError
        If ``sd`` is not positive or ``reliability`` is not strictly between 0 and 1.

    Notes
    -----
    The arithmetic is written as in the R package clinicalsignificance (``sqrt(2 * se^2)``),
    so that RCIs agree with it to rounding.
    """
    if not (math.isfinite(sd) and sd > 0):
        raise ValueError(f"sd must be a positive number, got {sd!r}")
    if not 0 < reliability < 1:
        raise ValueError(f"reliability must be strictly between 0 and 1, got {reliability!r}")
    se = sd * math.sqrt(1 - reliability)
    return math.sqrt(2 * se**2)


@overload
def reliable_change_index(pre: float, post: float, *, sd: float, reliability: float) -> float: ...
@overload
def reliable_change_index(
    pre: NDArray[Any], post: NDArray[Any] | float, *, sd: float, reliability: float
) -> NDArray[np.float64]: ...
@overload
def reliable_change_index(
    pre: float, post: NDArray[Any], *, sd: float, reliability: float
) -> NDArray[np.float64]: ...
def reliable_change_index(
    pre: NDArray[Any] | float, post: NDArray[Any] | float, *, sd: float, reliability: float
) -> NDArray[np.float64] | float:
    """Jacobson & Truax (1991) reliable change index, ``(post - pre) / S_diff``.

    Parameters
    ----------
    pre, post : float or numpy.ndarray
        Scores before and after (any broadcastable shapes).
    sd, reliability : float
        As in `standard_error_of_difference`.

    Returns
    -------
    float or numpy.ndarray
        The RCI: a float for two numbers, a float64 array otherwise. Positive means the score
        rose, whatever the direction of the scale; |RCI| > `RELIABLE_Z` is reliable change.

    Notes
    -----
    The RCI assumes normally distributed, independent measurement error of equal size at
    both occasions, and that ``sd`` and ``reliability`` describe the population the client
    comes from. It ignores regression to the mean.
    """
    s_diff = standard_error_of_difference(sd, reliability)
    if isinstance(pre, np.ndarray) or isinstance(post, np.ndarray):
        diff = np.subtract(np.asarray(post, dtype=np.float64), np.asarray(pre, dtype=np.float64))
        return np.asarray(diff / s_diff, dtype=np.float64)
    return (float(post) - float(pre)) / s_diff


@dataclass(frozen=True)
class Cutoffs:
    """Jacobson & Truax (1991) cutoffs between a clinical and a functional population.

    Attributes
    ----------
    a : float
        Two SDs beyond the clinical mean, towards the functional side: out of the clinical
        range.
    b : float
        Two SDs beyond the functional mean, towards the clinical side: into the functional
        range.
    c : float
        The point between the two means, weighted by their SDs, where a score is equally
        likely to come from either population. Jacobson & Truax recommend c when both norms
        are known.
    """

    a: float
    b: float
    c: float


def jt_cutoffs(clinical: Norm, functional: Norm) -> Cutoffs:
    """Cutoffs a, b and c of Jacobson & Truax (1991) from two populations' norms.

    ``c = (sd_clin * mean_func + sd_func * mean_clin) / (sd_clin + sd_func)``. The direction
    is taken from the means, so the same call serves higher-is-worse measures (functional
    mean below the clinical mean, as on the PHQ-9) and higher-is-better ones (the Dyadic
    Adjustment Scale).

    Parameters
    ----------
    clinical, functional : Norm
        Mean and SD of a clinical (dysfunctional) and a functional (non-clinical) sample.

    Returns
    -------
    Cutoffs

    Raises
    ------
    ValueError
        If the two means are equal (no direction, no cutoff) or an SD is not positive.

    Notes
    -----
    Cutoff c assumes both populations are roughly normal. When they barely overlap, a and b
    can lie on the "wrong" side of c; Jacobson & Truax then suggest c or b.
    """
    if clinical.mean == functional.mean:
        raise ValueError("the clinical and functional means are equal; no cutoff separates them")
    if not (clinical.sd > 0 and functional.sd > 0):
        raise ValueError("both standard deviations must be positive")
    toward = 1.0 if functional.mean > clinical.mean else -1.0
    return Cutoffs(
        a=clinical.mean + toward * 2 * clinical.sd,
        b=functional.mean - toward * 2 * functional.sd,
        c=(clinical.sd * functional.mean + functional.sd * clinical.mean)
        / (clinical.sd + functional.sd),
    )


@dataclass(frozen=True)
class ChangeCriteria:
    """The rules by which a change is judged: reliable-change threshold and caseness cutoff.

    Build it with `from_points` (a published threshold in points) or `from_reliability`
    (Jacobson & Truax), or get it from an instrument with `criteria_for`.

    Attributes
    ----------
    threshold : float
        Size of change, in points, that counts as reliable. Must be > 0.
    inclusive : bool
        True: a change of *at least* ``threshold`` is reliable (NHS Talking Therapies' whole
        point rules: 6 points on the PHQ-9 is reliable, 5 is not). False: a change must be
        *more than* ``threshold`` (Jacobson & Truax's ``|RCI| > 1.96``).
    cutoff : float or None
        Caseness cutoff. None: caseness and recovery are unknown.
    higher_is_better : bool
        Direction of the scale.
    rule : str
        A plain sentence quoting the numbers, for explanations to clinicians.

    Notes
    -----
    Reliability is judged on the change in points against ``threshold``. A change within
    1e-9 points of the threshold counts as exactly at it, so floating-point noise never
    decides: under the inclusive rule 6 points on the PHQ-9 is reliable even when a prorated
    difference comes out as 5.999999999999999; under the strict rule a change of exactly
    ``1.96 * S_diff`` is not reliable, as the rule sentence ("more than ...") says. The R
    package clinicalsignificance compares the RCI itself, ``change / s_diff > 1.96``; the two
    agree except for changes within 1e-9 points above the threshold, where rounding can
    push R's RCI to 1.9600000000000002 for a change that is exactly at the threshold (for
    example SD 5, reliability 0.5: S_diff 5, change 9.8).

    Caseness is *at or beyond* the cutoff on the clinical side: for a higher-is-worse measure
    a case is ``score >= cutoff`` (PHQ-9 10 or more, as in NHS Talking Therapies), for a
    higher-is-better one ``score <= cutoff``. A score exactly at the cutoff is a case. (The
    R package clinicalsignificance treats a score exactly at c as neither clinical nor
    functional; with c computed from norms such ties essentially never occur.)
    """

    threshold: float
    inclusive: bool
    cutoff: float | None
    higher_is_better: bool
    rule: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.threshold) and self.threshold > 0):
            raise ValueError(f"threshold must be a positive number, got {self.threshold!r}")
        if self.cutoff is not None and not math.isfinite(self.cutoff):
            raise ValueError(f"cutoff must be a finite number or None, got {self.cutoff!r}")

    @classmethod
    def from_points(
        cls, points: float, *, cutoff: float | None, higher_is_better: bool, source: str
    ) -> ChangeCriteria:
        """A published threshold in points: a change of at least ``points`` is reliable.

        Parameters
        ----------
        points : float
            Smallest change that counts (inclusive), e.g. 6 for the PHQ-9.
        cutoff : float or None
            Caseness cutoff, e.g. 10 for the PHQ-9; None if unknown.
        higher_is_better : bool
            Direction of the scale.
        source : str
            Short citation quoted in the rule sentence.
        """
        rule = f"a change of {_num(points)} or more points counts as reliable ({source})"
        return cls(
            threshold=points,
            inclusive=True,
            cutoff=cutoff,
            higher_is_better=higher_is_better,
            rule=_with_cutoff(rule, cutoff, higher_is_better),
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
        """Jacobson & Truax (1991): reliable when ``|RCI| > 1.96``, strictly.

        The threshold in points is ``RELIABLE_Z * S_diff``; a change must be more than it.

        Parameters
        ----------
        sd, reliability : float
            As in `standard_error_of_difference`.
        cutoff : float or None
            Caseness cutoff; None if unknown.
        higher_is_better : bool
            Direction of the scale.
        source : str
            Short citation quoted in the rule sentence.
        """
        threshold = RELIABLE_Z * standard_error_of_difference(sd, reliability)
        rule = (
            f"a change of more than {threshold:.2f} points counts as reliable (Jacobson & "
            f"Truax reliable change index with reliability {_num(reliability)} and SD "
            f"{_num(round(sd, 2))}; {source})"
        )
        return cls(
            threshold=threshold,
            inclusive=False,
            cutoff=cutoff,
            higher_is_better=higher_is_better,
            rule=_with_cutoff(rule, cutoff, higher_is_better),
        )

    def is_case(self, score: float) -> bool | None:
        """Is ``score`` in the clinical range? None when there is no cutoff.

        At or beyond the cutoff on the clinical side counts: ``score >= cutoff`` when higher
        is worse, ``score <= cutoff`` when higher is better.
        """
        if self.cutoff is None:
            return None
        return bool(self.in_clinical_range(score))

    @overload
    def in_clinical_range(self, score: float) -> bool: ...
    @overload
    def in_clinical_range(self, score: NDArray[Any]) -> NDArray[np.bool_]: ...
    @overload
    def in_clinical_range(self, score: pl.Expr) -> pl.Expr: ...
    def in_clinical_range(
        self, score: float | NDArray[Any] | pl.Expr
    ) -> bool | NDArray[np.bool_] | pl.Expr:
        """The caseness rule itself, for a number, a numpy array or a polars expression.

        Needs a cutoff (see `is_case` for the None case)."""
        if self.cutoff is None:
            raise ValueError("no caseness cutoff is defined")
        return score <= self.cutoff if self.higher_is_better else score >= self.cutoff

    @overload
    def is_reliable(self, change: float) -> bool: ...
    @overload
    def is_reliable(self, change: NDArray[Any]) -> NDArray[np.bool_]: ...
    @overload
    def is_reliable(self, change: pl.Expr) -> pl.Expr: ...
    def is_reliable(
        self, change: float | NDArray[Any] | pl.Expr
    ) -> bool | NDArray[np.bool_] | pl.Expr:
        """Is a change of this size (either sign) reliable under these criteria?

        The one definition of the rule: it takes a number, a numpy array or a polars
        expression (`classify_changes` and the plateau signal), with the same arithmetic.
        """
        size: Any = abs(change)  # abs() of a number, an array and an expression alike
        beyond = size - self.threshold
        reliable: bool | NDArray[np.bool_] | pl.Expr = (
            beyond >= -_EPS if self.inclusive else beyond > _EPS
        )
        return reliable


def _num(x: float) -> str:
    return f"{x:g}"


def _with_cutoff(rule: str, cutoff: float | None, higher_is_better: bool) -> str:
    if cutoff is None:
        return rule
    side = "or less" if higher_is_better else "or more"
    return f"{rule}; a score of {_num(round(cutoff, 2))} {side} counts as a case"


@cache  # instruments are immutable and hashed by identity; signals ask client after client
def criteria_for(instrument: Instrument) -> ChangeCriteria | None:
    """The change criteria an instrument's definition gives, or None if it gives none.

    Reliable change comes from ``instrument.change.reliable_change_points`` when set (an
    inclusive point rule), otherwise from ``reliability`` and ``sd`` (Jacobson & Truax).
    Caseness comes from ``caseness_cutoff``, otherwise from cutoff c of the clinical and
    functional norms when both are given, otherwise it is unknown.

    Parameters
    ----------
    instrument : Instrument

    Returns
    -------
    ChangeCriteria or None
        None when the definition has no reliable-change information at all (a cutoff alone
        is not enough: recovery is always reported together with reliable change).

    Raises
    ------
    InvalidDefinition
        When the norms put the functional population on the side the instrument calls worse.
    """
    spec = instrument.change
    cutoff = spec.caseness_cutoff
    if cutoff is None and spec.clinical_norm is not None and spec.functional_norm is not None:
        functional_higher = spec.functional_norm.mean > spec.clinical_norm.mean
        if functional_higher != instrument.higher_is_better:
            raise InvalidDefinition(
                instrument.id,
                "change",
                "the functional norm's mean lies on the worse side of the clinical norm's "
                "mean for this instrument's direction (higher_is_better="
                f"{instrument.higher_is_better})",
            )
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
    """The verdict on one client's change from a first to a last score.

    Attributes
    ----------
    first, last : float
        The two scores compared.
    change : float
        ``last - first`` (positive means the score rose, whatever the scale's direction).
    reliable_change : {"improved", "deteriorated", "unchanged"}
        "improved" is a change in the better direction beyond the threshold; "unchanged"
        means within measurement error, not "no change".
    case_at_first, case_at_last : bool or None
        In the clinical range; None without a cutoff.
    recovered : bool or None
        NHS Talking Therapies "recovery": a case at first and not a case at last. None when
        not a case at first (recovery does not apply) or when the cutoff is unknown.
    reliably_recovered : bool or None
        Recovered and reliably improved; None as for ``recovered``.
    category : str
        Jacobson & Truax's combined category as in the R package clinicalsignificance:
        "recovered" (reliably improved and crossed from case to non-case), "improved",
        "unchanged", "deteriorated", "harmed" (reliably deteriorated and crossed from
        non-case to case). Without a cutoff only improved, unchanged or deteriorated.
    """

    first: float
    last: float
    change: float
    reliable_change: ReliableChange
    case_at_first: bool | None
    case_at_last: bool | None
    recovered: bool | None
    reliably_recovered: bool | None
    category: str


def classify_change(first: float, last: float, criteria: ChangeCriteria) -> ChangeResult:
    """Judge one client's change from ``first`` to ``last``.

    Parameters
    ----------
    first, last : float
        The first and the last score (e.g. intake and latest session).
    criteria : ChangeCriteria

    Returns
    -------
    ChangeResult

    Raises
    ------
    ValueError
        If a score is NaN or infinite: a missing score cannot be judged, so the caller must
        choose which scores to compare.

    Notes
    -----
    Only two scores are used: what happened in between does not matter. Reliable change is
    a statement about measurement error, not about the cause of the change.
    """
    if not (math.isfinite(first) and math.isfinite(last)):
        raise ValueError(f"scores must be finite numbers, got first={first!r}, last={last!r}")
    arrays = classify_changes(np.array([first]), np.array([last]), criteria)
    direction = int(arrays.direction[0])
    reliable: ReliableChange = KINDS[direction + 1]
    case_first = bool(arrays.case_at_first[0]) if arrays.has_cutoff else None
    case_last = bool(arrays.case_at_last[0]) if arrays.has_cutoff else None
    recovered: bool | None = None
    reliably: bool | None = None
    category: str = reliable
    if case_first:
        recovered = bool(arrays.recovered[0])
        reliably = bool(arrays.reliably_recovered[0])
        if reliably:
            category = "recovered"
    elif case_first is not None and case_last and reliable == "deteriorated":
        category = "harmed"
    return ChangeResult(
        first=first,
        last=last,
        change=float(arrays.change[0]),
        reliable_change=reliable,
        case_at_first=case_first,
        case_at_last=case_last,
        recovered=recovered,
        reliably_recovered=reliably,
        category=category,
    )


@dataclass(frozen=True)
class ChangeArrays:
    """`ChangeResult` for many clients at once, as parallel numpy arrays.

    Attributes
    ----------
    change : numpy.ndarray of float64
        ``last - first``.
    direction : numpy.ndarray of int8
        +1 reliably improved, -1 reliably deteriorated, 0 unchanged.
    case_at_first, case_at_last : numpy.ndarray of bool
        In the clinical range. All False, and meaningless, when ``has_cutoff`` is False.
    recovered : numpy.ndarray of bool
        Case at first and not at last; only meaningful where ``case_at_first``.
    reliably_recovered : numpy.ndarray of bool
        ``recovered`` and reliably improved; only meaningful where ``case_at_first``.
    has_cutoff : bool
        Whether the criteria had a caseness cutoff.
    """

    change: NDArray[np.float64]
    direction: NDArray[np.int8]
    case_at_first: NDArray[np.bool_]
    case_at_last: NDArray[np.bool_]
    recovered: NDArray[np.bool_]
    reliably_recovered: NDArray[np.bool_]
    has_cutoff: bool


def classify_changes(
    first: NDArray[Any], last: NDArray[Any], criteria: ChangeCriteria
) -> ChangeArrays:
    """Vectorised `classify_change`: one row per client, no Python loop over rows.

    Parameters
    ----------
    first, last : numpy.ndarray
        Scores of equal shape (converted to float64).
    criteria : ChangeCriteria

    Returns
    -------
    ChangeArrays

    Notes
    -----
    `classify_change` is this function on one row, so one client and a caseload are judged
    by the same code. Rows with a NaN score come out as direction 0 and all flags
    False; drop or mask them first, because they cannot be judged.
    """
    first = np.asarray(first, dtype=np.float64)
    last = np.asarray(last, dtype=np.float64)
    if first.shape != last.shape:
        raise ValueError(f"first and last differ in shape: {first.shape} vs {last.shape}")
    change = last - first
    reliable = criteria.is_reliable(change)
    better = change if criteria.higher_is_better else -change
    direction = np.where(reliable, np.where(better > 0, 1, -1), 0).astype(np.int8)
    if criteria.cutoff is None:
        none = np.zeros(first.shape, dtype=np.bool_)
        return ChangeArrays(change, direction, none, none.copy(), none.copy(), none.copy(), False)
    case_first, case_last = criteria.in_clinical_range(first), criteria.in_clinical_range(last)
    recovered = case_first & ~case_last
    return ChangeArrays(
        change=change,
        direction=direction,
        case_at_first=case_first,
        case_at_last=case_last,
        recovered=recovered,
        reliably_recovered=recovered & (direction == 1),
        has_cutoff=True,
    )
