"""Reliable change statistics (Jacobson & Truax, 1991): the standard error of the difference,
the reliable change index, and the cutoffs between a clinical and a functional population.
`unstuck.progress.change` builds the rules from these; `unstuck.progress.classify` applies them.

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

Claus, B. B., et al. (2024). The R package clinicalsignificance. Journal of Statistical
Software, 111(1); version 2.1.0.9000 is the peer used in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from unstuck.measures.limits import standard_error_of_measurement
from unstuck.measures.model import Norm

RELIABLE_Z: float = 1.96
"""Two-sided 5% critical value of the standard normal used by Jacobson & Truax (1991)."""


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
    se = standard_error_of_measurement(sd, reliability)
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
