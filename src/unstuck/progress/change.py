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

This module holds the rules, written once (`ChangeCriteria.is_reliable` and
`ChangeCriteria.in_clinical_range`, for numbers, numpy arrays and polars expressions alike)
and taken from an instrument's definition by `criteria_for`; the statistics behind them are
in `unstuck.progress.reliable`, and `unstuck.progress.classify` applies them to a caseload
(`classify_changes`) or to one pair of scores (`classify_change`, the same function on one
row). Everything is pure: numbers in, frozen dataclasses out.

References
----------
Jacobson & Truax (1991), Christensen & Mendoza (1986), Evans, Margison & Barkham (1998) and
the R package clinicalsignificance (Claus et al., 2024) are cited in full in
`unstuck.progress.reliable`. National Collaborating Centre for Mental Health (2024). NHS
Talking Therapies for anxiety and depression manual. (Reliable change: PHQ-9 >= 6, GAD-7 >= 4
points; caseness: PHQ-9 >= 10, GAD-7 >= 8.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any, overload

import numpy as np
import polars as pl
from numpy.typing import NDArray

from unstuck.errors import InvalidDefinition
from unstuck.measures.model import Instrument
from unstuck.progress.reliable import RELIABLE_Z, jt_cutoffs, standard_error_of_difference

# Thresholds are compared with differences of scores that carry floating-point noise
# (10.3 - 4.3 is 6.000000000000001, 10.2 - 4.2 is 5.999999999999999). A change within this
# many points of the threshold is treated as exactly at it: it counts under an inclusive rule
# and does not under a strict one. It is far below any difference a questionnaire can show.
_EPS = 1e-9


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
